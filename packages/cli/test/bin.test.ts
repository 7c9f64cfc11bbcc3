import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

  it.skipIf(!existsSync(bin))(
    "`export` loads core's client and cli-kit entries, not its runtime (start-up: needs `pnpm build`)",
    () => {
      // A loader hook that lists every module the process loads, on stderr.
      const folder = mkdtempSync(join(tmpdir(), 'bin-modules-'));
      const hooks = join(folder, 'hooks.mjs');
      writeFileSync(
        hooks,
        'export async function load(url, context, next) {\n' +
          '  process.stderr.write(`loaded ${url}\\n`);\n' +
          '  return next(url, context);\n' +
          '}\n',
      );
      const register = join(folder, 'register.mjs');
      writeFileSync(
        register,
        `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`,
      );
      try {
        const run = spawnSync(process.execPath, ['--import', register, bin, 'export', '--help'], { encoding: 'utf8' });
        expect(run.status).toBe(0);
        const loaded = run.stderr.split('\n').filter((line) => line.startsWith('loaded '));
        const core = loaded
          .filter((line) => /\/core\/dist\/[a-z-]+\.js$/.test(line))
          .map((line) => line.replace(/.*\//, ''));
        expect(core.sort()).toEqual(['cli-kit.js', 'client.js']);
        expect(loaded.filter((line) => /node_modules\/(yaml|@datadog)\//.test(line))).toEqual([]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );
});
