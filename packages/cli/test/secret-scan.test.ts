import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir } from './helpers.js';

// Every notification channel and the failing-storage and sink cases: secret-scan-channels.test.ts.

describe('secrets never leave the process', () => {
  it(
    'a full run (two apps, one key revoked, console login, node executions, debug ' +
      'logs to a file) writes no API key, password, session token or CSRF token anywhere',
    async () => {
      const simulator = await sim({
        version: '1.13.3',
        runsPerApp: 80,
        runningRuns: 3,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const [good, revoked] = simulator.apps.filter((candidate) => candidate.mode === 'workflow');
      simulator.revokeApiKey(revoked!.id);
      const dir = await tempDir();
      const config = join(dir, 'dify-logs.yaml');
      await writeFile(
        config,
        [
          'dify:',
          `  baseUrl: ${simulator.url}`,
          '  console:',
          `    email: ${simulator.account.email}`,
          '    password: ${env:CONSOLE_PASSWORD}',
          'apps:',
          `  - id: ${good!.id}`,
          `    apiKey: ${good!.apiKey}`,
          `  - id: ${revoked!.id}`,
          '    apiKey: ${env:SECOND_KEY}',
          'jobs:',
          '  - name: nightly',
          '    withNodeExecutions: true',
          '    outputFormat: [json, markdown]',
          '    notifyOn: [failure, report-ready]',
          'storage: { baseDir: ./outputs }',
          'notification: { enabled: true, type: [console] }',
          'logging: { level: debug, dir: ./logs }',
          '',
        ].join('\n'),
      );
      const env = { CONSOLE_PASSWORD: simulator.account.password, SECOND_KEY: revoked!.apiKey };

      const run = await cli(['run', '--config', config], { env, cwd: dir });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stdout).toMatch(/problem  fetch/);
      const printed = await cli(['run', '--config', config, '--incremental'], { env, cwd: dir });
      expect(printed.code).toBe(3);

      const secrets = [good!.apiKey, revoked!.apiKey, simulator.account.password, ...simulator.issuedTokens()];
      expect(simulator.issuedTokens().length).toBeGreaterThanOrEqual(3);
      const files = filesUnder(dir).filter((path) => path !== config);
      expect(files.some((path) => path.includes(`${join(dir, 'logs')}`))).toBe(true);
      expect(files.some((path) => path.endsWith('.md'))).toBe(true);
      expect(files.some((path) => path.endsWith('.ndjson.gz'))).toBe(true);
      const logText = files
        .filter((path) => path.startsWith(join(dir, 'logs')))
        .map((path) => readFileSync(path, 'utf8'))
        .join('');
      expect(logText).toMatch(/"runId":"/);
      expect(logText).toMatch(/"level":20/);

      const outputs = [
        run.stdout,
        run.stderr,
        printed.stdout,
        printed.stderr,
        ...files.map((path) =>
          (path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path)).toString('utf8'),
        ),
      ];
      for (const secret of secrets) {
        const hits = outputs.filter((text) => text.includes(secret));
        expect(hits, `a secret (${secret.slice(0, 4)}…) was written`).toEqual([]);
      }
    },
  );
});
