import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliOptions } from '../src/cli-options.js';

describe('dify-sim command line', () => {
  it('turns flags into simulator options', () => {
    const options = parseCliOptions([
      '--port',
      '0',
      '--version',
      '1.11.2',
      '--runs',
      '1000',
      '--seed',
      '7',
      '--latency',
      '20',
      '--rate-429',
      '0.05',
      '--host-cookies',
      '--admin-key',
      'k',
      '--fault-paths',
      'logs',
    ]);
    expect(options).toMatchObject({
      port: 0,
      version: '1.11.2',
      runsPerApp: 1000,
      seed: 7,
      hostPrefixCookies: true,
      adminApiKey: 'k',
      faults: { latencyMs: 20, rate429: 0.05, paths: 'logs' },
    });
    expect(parseCliOptions([])).toMatchObject({ port: 5001, version: '1.13.3' });
    expect(parseCliOptions(['--help'])).toBe('help');
  });

  it("serves like Dify's default API server with --worker-connections 10: 10 at once, the rest queued", () => {
    expect(parseCliOptions(['--worker-connections', '10'])).toMatchObject({
      workerConnections: 10,
      capacity: { maxInFlight: 10, mode: 'queue' },
    });
    expect(parseCliOptions(['--worker-connections', '10', '--service-ms', '20'])).toMatchObject({
      capacity: { maxInFlight: 10, mode: 'queue', serviceMs: 20 },
    });
    expect(() => parseCliOptions(['--worker-connections', '2.5'])).toThrow(/whole number/);
    expect(() => parseCliOptions(['--service-ms', '20'])).toThrow(/needs --worker-connections/);
    expect(parseCliOptions(['--second-workspace'])).toMatchObject({ secondWorkspace: true });
  });

  it('refuses bad flags with a one-line reason', () => {
    expect(() => parseCliOptions(['--version', '2.0.0'])).toThrow(
      /--version must be one of 1.9.1, 1.10.1, 1.11.0, 1.11.1, 1.11.2, 1.13.3/,
    );
    expect(() => parseCliOptions(['--rate-5xx', '2'])).toThrow(/--rate-5xx must be a number from 0 to 1/);
    expect(() => parseCliOptions(['--days', '0'])).toThrow(/--days must be above 0/);
    expect(() => parseCliOptions(['--email', 'a@b.c'])).toThrow(/go together/);
    expect(() => parseCliOptions(['--bogus'])).toThrow(/Unknown option/);
  });

  const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
  it.skipIf(!existsSync(bin))('prints one JSON line and stops on SIGTERM (needs a build)', async () => {
    const child = spawn(process.execPath, [bin, '--port', '0', '--runs', '20', '--version', '1.9.1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    const info = JSON.parse(line);
    expect(info).toMatchObject({ version: '1.9.1', account: { email: 'ops@example.com' } });
    expect(info.apps).toHaveLength(4);
    const reply = (await fetch(`${info.url}/v1/`).then((response) => response.json())) as { server_version: string };
    expect(reply.server_version).toBe('1.9.1');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
