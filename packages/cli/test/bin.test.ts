import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('the dify-logs binary', () => {
  it.skipIf(!existsSync(bin))('prints help, and exits 2 with one line for a usage error (needs `pnpm build`)', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/export .*probe|export[\s\S]*probe/);
    const bad = spawnSync(process.execPath, [bin, 'export', '--out', 'x'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'dify-logs: missing --base-url (or DIFY_BASE_URL): the address of your Dify',
    ]);
  });
});
