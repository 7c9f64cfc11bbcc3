import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openLogFile } from '../src/support/log-file.js';
import { cli } from './helpers.js';

describe('log files and dify-logs logs', () => {
  it(
    'writes pino lines to a daily rotating file and ' + 'reads them back filtered by job, run, level and time',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dify-logs-logs-'));
      const stream = await openLogFile(dir, 7);
      const logger = pino({ timestamp: pino.stdTimeFunctions.isoTime }, stream);
      logger.child({ job: 'nightly', runId: 'r1' }).info({ appId: 'a1' }, 'run finished');
      logger.child({ job: 'nightly', runId: 'r2' }).error({ appId: 'a2', err: 'key revoked' }, 'app could not be read');
      logger.child({ job: 'weekly', runId: 'r3' }).warn('slow');
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      });

      const errors = await cli(['logs', '--dir', dir, '--level', 'error']);
      expect(errors.code).toBe(0);
      expect(errors.stdout.trim().split('\n')).toHaveLength(1);
      expect(errors.stdout).toMatch(/ERROR \[nightly r2 a2\] app could not be read err=key revoked/);

      const nightly = await cli(['logs', '--dir', dir, '--job', 'nightly', '--json']);
      expect(
        nightly.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).runId),
      ).toEqual(['r1', 'r2']);
      const byRun = await cli(['logs', '--run', 'r3'], { env: { LOG_DIR: dir } });
      expect(byRun.stdout).toMatch(/WARN  \[weekly r3\] slow/);
      const future = await cli(['logs', '--dir', dir, '--since', '2999-01-01T00:00:00Z']);
      expect(future.stdout).toBe('');
      expect(future.stderr).toMatch(/no log lines matched/);
    },
  );

  it('skips lines that are not JSON and answers usage errors with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dify-logs-logs-'));
    writeFileSync(
      join(dir, 'dify-logs.2026-03-02.1.log'),
      'not json\n{"level":30,"time":"2026-03-02T00:00:00.000Z","msg":"ok"}\n',
    );
    expect((await cli(['logs', '--dir', dir])).stdout).toMatch(/INFO  ok/);
    expect((await cli(['logs'])).code).toBe(2);
    expect((await cli(['logs', '--dir', dir, '--level', 'loud'])).stderr).toMatch(/--level must be one of/);
    expect((await cli(['logs', '--dir', dir, '--since', 'yesterday-ish'])).stderr).toMatch(/--since must be/);
  });
});
