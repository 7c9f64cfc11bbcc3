// The README's 15-line service, run exactly as written: the three packages it imports are packed (`pnpm pack`, as they
// would be published), installed with plain npm into a project outside the workspace, and the service file runs there
// against the simulator, with a webhook receiver.
import { startSimulator, type DifySimulator } from '@dify-logs/dify-sim';
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = ['core', 'storage-local', 'notifier-webhook'];
const PNPM = ['--yes', 'pnpm@10.34.9'];

/** The ```js block under the README's `service:` marker. */
function serviceSource(): string {
  const readme = readFileSync(join(root, 'packages/core/README.md'), 'utf8');
  const marker = readme.indexOf('<!-- service:');
  const start = readme.indexOf('```js\n', marker);
  const end = readme.indexOf('\n```', start + 6);
  if (marker < 0 || start < 0 || end < 0)
    throw new Error('packages/core/README.md has no service block under its marker');
  return readme.slice(start + 6, end + 1);
}

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe('the README service from packed tarballs', () => {
  it(
    'installs with npm outside the workspace and runs a job: reports on disk, a webhook notification',
    { timeout: 300_000 },
    async (context) => {
      const missing = PACKAGES.filter((name) => !existsSync(join(root, 'packages', name, 'dist/index.js')));
      if (missing.length > 0)
        return context.skip(`not built (${missing.join(', ')} without dist/): run the build first`);
      const project = mkdtempSync(join(tmpdir(), 'dify-logs-service-'));
      cleanup.push(() => rmSync(project, { recursive: true, force: true }));

      const tarballs: Record<string, string> = {};
      for (const name of PACKAGES) {
        const packed = spawnSync('npx', [...PNPM, 'pack', '--pack-destination', project], {
          cwd: join(root, 'packages', name),
          encoding: 'utf8',
        });
        expect(packed.status, packed.stderr + packed.stdout).toBe(0);
        const file = readdirSync(project).find(
          (entry) => entry.startsWith(`dify-logs-${name}-`) && entry.endsWith('.tgz'),
        );
        expect(file, `tarball of ${name}`).toBeDefined();
        tarballs[`@dify-logs/${name}`] = `file:./${file}`;
      }
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({ name: 'a-service', private: true, type: 'module', dependencies: tarballs }, null, 2),
      );
      const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: project,
        encoding: 'utf8',
      });
      if (install.status !== 0 && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(install.stderr))
        return context.skip(`the npm registry cannot be reached: ${install.stderr.split('\n')[0]}`);
      expect(install.status, install.stderr).toBe(0);
      writeFileSync(join(project, 'service.mjs'), serviceSource());

      const simulator: DifySimulator = await startSimulator({
        seed: 5,
        runsPerApp: 60,
        now: new Date().toISOString(),
        days: 2,
      });
      cleanup.push(() => simulator.close());
      const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
      const received: Array<{ body: string }> = [];
      const receiver: Server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        request.on('end', () => {
          received.push({ body });
          response.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      cleanup.push(() => new Promise((resolve) => receiver.close(resolve)));
      const { port } = receiver.address() as { port: number };

      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DIFY_BASE_URL: simulator.url,
        DIFY_API_TOKEN: app.apiKey,
        DIFY_APP_ID: app.id,
        NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${port}/dify`,
      };
      const child = spawn(process.execPath, ['service.mjs'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output).toBe(0);
      expect(output).toMatch(/^succeeded /m);
      const reports = readdirSync(join(project, 'dify-reports'), { recursive: true }).map(String);
      expect(
        reports.some((file) => file.endsWith('.md')),
        reports.join('\n'),
      ).toBe(true);
      expect(
        reports.some((file) => file.endsWith('.json')),
        reports.join('\n'),
      ).toBe(true);
      expect(received.length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(received[0]!.body)).toMatchObject({ version: 1, message: { job: 'daily' } });
    },
  );
});
