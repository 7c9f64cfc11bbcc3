import { createArchiveWriter } from '@dify-logs/core/archive';
import type { RunRecord } from '@dify-logs/core';
import type { StoredObject } from '@dify-logs/core/adapter-kit';
import { ORPHAN_MIN_AGE_HOURS } from '@dify-logs/core/internal';
import { createLocalStorage } from '@dify-logs/storage-local';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCleanup } from '../src/commands/cleanup.js';
import type { CliIo } from '../src/support/io.js';
import { cli, tempDir } from './helpers.js';

const ENV = {
  DIFY_BASE_URL: 'http://127.0.0.1:9',
  DIFY_API_TOKEN: 'app-x',
  DIFY_APP_ID: 'a',
  OUTPUT_BASE_DIR: 'outputs',
};
const SECRET = 'cleanup-test-secret-0000';

/** An S3 endpoint whose bucket is empty: every listing answers with no keys. Records the paths asked for. */
async function emptyBucket(): Promise<{ endpoint: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.setHeader('content-type', 'application/xml');
    response.end(
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult ' +
        'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>reports</Name><KeyCount>0</KeyCount>' +
        '<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function record(logId: string, loggedAt: string): RunRecord {
  return {
    appId: 'a',
    logId,
    runId: `run-${logId}`,
    status: 'succeeded',
    workflowVersion: null,
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: null,
    accountEmail: null,
    loggedAt,
    createdAt: loggedAt,
    finishedAt: loggedAt,
    elapsedTime: 1,
    totalTokens: 0,
    totalSteps: 1,
    exceptionsCount: 0,
    error: null,
    inputs: {},
    outputs: {},
    nodes: null,
    enrichmentError: null,
  } as RunRecord;
}

describe('dify-logs cleanup (and reports list) names where it looked', () => {
  it('on S3: the bucket and prefix, not the local output folder, and no credentials', async () => {
    const s3 = await emptyBucket();
    try {
      const dir = await tempDir();
      await writeFile(
        join(dir, 'dify-logs.yaml'),
        [
          'storage:',
          '  type: s3',
          `  s3: { bucket: reports, prefix: dify/prod, endpoint: "${s3.endpoint}", forcePathStyle: ` +
            `true, region: us-east-1, accessKeyId: AKIACLEANUPTEST0000, secretAccessKey: ${SECRET} }`,
          '',
        ].join('\n'),
      );
      const result = await cli(['cleanup', '--config', 'dify-logs.yaml', '--days', '30'], { env: ENV, cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        /^deleted 0 objects older than 30 days \(created before [^)]+\) under s3:\/\/reports\/dify\/prod\/\n$/,
      );
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      expect(result.stdout).not.toContain(dir);
      // The bucket was really asked (reports and data folders, and the archive for parts no manifest lists).
      expect(s3.paths.some((path) => path.includes('prefix=dify%2Fprod%2Fdata%2Farchive%2F'))).toBe(true);

      const dry = await cli(['cleanup', '--config', 'dify-logs.yaml', '--days', '30', '--dry-run'], {
        env: ENV,
        cwd: dir,
      });
      expect(dry.stdout).toMatch(
        new RegExp(
          /^dry run: 0 objects older than 30 days .* under s3:\/\/reports\/dify\/prod\/ /.source +
            /would be deleted; nothing was deleted\n$/.source,
        ),
      );
      // `reports list` names the same place when it finds nothing.
      const list = await cli(['reports', 'list', '--config', 'dify-logs.yaml'], { env: ENV, cwd: dir });
      expect(list.stdout).toBe('no reports in the last 7 days under s3://reports/dify/prod/\n');
    } finally {
      await s3.close();
    }
  });

  it('on local storage: the output folder', async () => {
    const dir = await tempDir();
    const result = await cli(['cleanup', '--days', '30'], { env: ENV, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(` under ${join(dir, 'outputs')}\n`);
  });
});

describe('dify-logs cleanup and archive parts no manifest lists', () => {
  it('removes them once they are older than the safe age; --dry-run lists them; listed parts stay', async () => {
    const dir = await tempDir();
    const storage = createLocalStorage({ baseDir: join(dir, 'outputs') });
    const window = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' };
    const finished = createArchiveWriter(storage, { job: 'nightly', runId: 'run-ok', window });
    await finished.add(record('ok', '2026-03-09T10:00:00.000Z'));
    const kept = await finished.finish();
    // A run that stored a part and then stopped (its storage failed, the process was killed) before any manifest.
    const stopped = createArchiveWriter(storage, { job: 'nightly', runId: 'run-stopped', window });
    await stopped.add(record('lost', '2026-03-09T11:00:00.000Z'));
    // Two more days close the first part (a run's writer keeps two open) and store it.
    await stopped.add(record('next-day', '2026-03-10T01:00:00.000Z'));
    await stopped.add(record('day-after', '2026-03-11T01:00:00.000Z'));
    let orphan: StoredObject | undefined;
    for await (const object of storage.list({ kind: 'data', type: 'archive' }))
      if (object.key.includes('run-stopped')) orphan = object;
    if (!orphan) throw new Error('the stopped run stored no part');
    expect(orphan.key).toMatch(/\.part-1\.ndjson\.gz$/);
    const flags = { days: '3650' };

    const young = await runCleanup(flags, ioIn(dir), new Date());
    expect(young).toBe(0);
    expect(existsSync(orphan.location)).toBe(true);

    const later = new Date(Date.now() + (ORPHAN_MIN_AGE_HOURS + 1) * 3_600_000);
    const dry = ioIn(dir);
    await runCleanup({ ...flags, dryRun: true }, dry, later);
    expect(dry.out()).toContain(
      `would delete ${orphan.key}\ndry run: 1 archive part that no manifest ` +
        `lists (left behind by a failed or killed run), written more than ` +
        `${ORPHAN_MIN_AGE_HOURS} hours ago would be deleted; nothing was deleted\n`,
    );
    expect(existsSync(orphan.location)).toBe(true);

    const real = ioIn(dir);
    await runCleanup(flags, real, later);
    expect(real.out()).toContain(`deleted ${orphan.key}\ndeleted 1 archive part that no manifest lists`);
    expect(existsSync(orphan.location)).toBe(false);
    expect([...kept.parts, ...kept.manifests].every((object) => existsSync(object.location))).toBe(true);
  });
});

/** A CLI io in `dir` with the test environment, keeping what goes to stdout. */
function ioIn(dir: string): CliIo & { out(): string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stdout, stderr: new PassThrough(), env: ENV, cwd: dir, out: () => Buffer.concat(chunks).toString('utf8') };
}
