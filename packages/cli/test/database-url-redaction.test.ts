import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir } from './helpers.js';

// Issue 16 item 7: a database URL whose password holds spaces (or `/`, `@`) must not reach stderr, the
// log file, the run's problems or a notification, raw, percent-encoded or as a URL parser rewrites it.
const PASSWORD = 'sp ace/d p@ss word';
const FORMS = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  PASSWORD.replaceAll(' ', '%20'),
  PASSWORD.replaceAll(' ', '+'),
  'ace/d p',
  'ss word',
  'ss%20word',
];
const URLS = {
  raw: `postgres://writer:${PASSWORD}@127.0.0.1:9/records`,
  encoded: `postgres://writer:${encodeURIComponent(PASSWORD)}@127.0.0.1:9/records`,
  spacesOnly: 'postgres://writer:sp ace d pass word@127.0.0.1:9/records',
  badScheme: `postgress://writer:${PASSWORD}@127.0.0.1:9/records`,
  redis: `redis://writer:${encodeURIComponent(PASSWORD)}@127.0.0.1:9/0`,
};

function expectNoSecret(texts: string[], extra: string[] = []): void {
  for (const form of [...FORMS, ...extra]) {
    const hits = texts.filter((text) => text.includes(form));
    expect(
      hits.map((text) => text.slice(Math.max(0, text.indexOf(form) - 120), text.indexOf(form) + 60)),
      `"${form}" was shown`,
    ).toEqual([]);
  }
}

async function logText(dir: string): Promise<string> {
  return filesUnder(join(dir, 'logs'))
    .map((path) => readFileSync(path, 'utf8'))
    .join('');
}

describe('database URLs whose password holds spaces', () => {
  it.each(Object.entries(URLS))(
    '`worker` with an unreachable database (%s) names it without its password',
    async (_name, url) => {
      const dir = await tempDir();
      await writeFile(
        join(dir, 'c.yaml'),
        [
          'dify: { baseUrl: "http://127.0.0.1:9", apiKey: app-x, appId: a }',
          'jobs: [{ name: live }]',
          'deployments:',
          '  - { name: d, job: live, schedule: "0 2 * * *" }',
          'worker:',
          `  databaseUrl: ${JSON.stringify(url)}`,
          '  port: 0',
          'logging: { level: debug, dir: ./logs }',
          '',
        ].join('\n'),
      );
      const result = await cli(['worker', '--config', 'c.yaml', '--for-seconds', '1'], { cwd: dir, env: {} });
      expect(result.code).toBe(url === URLS.badScheme ? 2 : 1);
      expect(result.stderr).toMatch(/writer:\*\*\*@127\.0\.0\.1:9/);
      expectNoSecret(
        [result.stdout, result.stderr, await logText(dir)],
        url === URLS.spacesOnly ? ['sp ace d pass word', 'sp%20ace%20d%20pass%20word'] : [],
      );
    },
  );

  it('a sink database that cannot be reached fails its write with a message that names no password', async () => {
    const simulator = await sim({
      runsPerApp: 10,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 0.5,
    });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    for (const url of [URLS.raw, URLS.encoded]) {
      const dir = await tempDir();
      await writeFile(
        join(dir, 'c.yaml'),
        [
          'dify:',
          `  baseUrl: ${simulator.url}`,
          `  apiKey: ${app.apiKey}`,
          `  appId: ${app.id}`,
          'storage: { baseDir: ./outputs }',
          `sinks: { postgres: { databaseUrl: ${JSON.stringify(url)} } }`,
          'notification: { enabled: true, type: [console] }',
          'logging: { level: debug, dir: ./logs }',
          '',
        ].join('\n'),
      );
      const result = await cli(['run', '--config', 'c.yaml'], { cwd: dir, env: {} });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout).toMatch(/problem {2}sink/);
      const stored = filesUnder(join(dir, 'outputs'))
        .filter((path) => !path.endsWith('.gz'))
        .map((path) => readFileSync(path, 'utf8'));
      expectNoSecret([result.stdout, result.stderr, await logText(dir), ...stored]);
    }
  }, 60_000);
});
