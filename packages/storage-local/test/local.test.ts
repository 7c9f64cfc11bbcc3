import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { DifyStorageError } from '@dify-logs/core';
import type { SaveRequest, StoredObject } from '@dify-logs/core/adapter-kit';
import { describe, expect, it } from 'vitest';
import { createLocalStorage } from '../src/index.js';

const request = (overrides: Partial<SaveRequest> = {}): SaveRequest => ({
  type: 'daily',
  job: 'nightly',
  app: '客服工单分类',
  runId: 'run-7',
  extension: 'csv',
  body: 'a,b\n1,2\n',
  contentType: 'text/csv',
  createdAt: new Date('2026-03-02T00:00:00Z'),
  ...overrides,
});

function files(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort();
}

async function all(iterable: AsyncIterable<StoredObject>) {
  const items: StoredObject[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('local storage on disk', () => {
  it('writes the object and its metadata file under baseDir, with a readable unicode name', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'local-'));
    const saved = await createLocalStorage({ baseDir }).saveReport(request());
    expect(saved.location).toBe(join(baseDir, saved.key));
    expect(files(baseDir)).toEqual([
      `reports${sep}daily${sep}2026${sep}03${sep}02${sep}nightly-客服工单分类-20260302T000000000Z-run-7.csv`,
      `reports${sep}daily${sep}2026${sep}03${sep}02${sep}nightly-客服工单分类-20260302T000000000Z-run-7.csv.meta.json`,
    ]);
  });

  it('leaves no file at all after a body that fails midway', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'local-'));
    async function* failing() {
      yield Buffer.from('x'.repeat(1_000_000));
      throw new Error('disk source broke');
    }
    await expect(createLocalStorage({ baseDir }).saveData(request({ body: failing() }))).rejects.toThrow(
      'disk source broke',
    );
    expect(files(baseDir)).toEqual([]);
  });

  it('lets exactly one of two simultaneous saves of the same object win', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'local-'));
    const storage = createLocalStorage({ baseDir });
    const results = await Promise.allSettled([
      storage.saveReport(request({ body: 'one' })),
      storage.saveReport(request({ body: 'two' })),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as DifyStorageError).code).toBe('already_exists');
    expect(await all(storage.list())).toHaveLength(1);
  });

  it('ignores temporary files a crash left behind, and files that are not its objects', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'local-'));
    const folder = join(baseDir, 'reports', 'daily', '2026', '03', '02');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '.nightly-x-20260302T000000000Z-r.md.123.abcd.tmp'), 'half a report');
    writeFileSync(join(folder, 'notes.txt'), 'someone else’s file');
    expect(await all(createLocalStorage({ baseDir }).list())).toEqual([]);
  });

  it('refuses a missing baseDir with a clear error', () => {
    expect(() => createLocalStorage({ baseDir: '' })).toThrow(/baseDir: is required/);
  });
});

describe('local storage cleanup', () => {
  it('also removes temporary files that interrupted saves left, once they are a day old', async () => {
    const { utimesSync } = await import('node:fs');
    const baseDir = mkdtempSync(join(tmpdir(), 'local-'));
    const folder = join(baseDir, 'data', 'archive', '2026', '03', '02');
    mkdirSync(folder, { recursive: true });
    const stale = join(folder, '.nightly-all-20260302T000000000Z-r.ndjson.99.dead.tmp');
    const fresh = join(folder, '.nightly-all-20260302T000000000Z-s.ndjson.98.beef.tmp');
    writeFileSync(stale, 'interrupted');
    writeFileSync(fresh, 'being written');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(stale, twoDaysAgo, twoDaysAgo);
    await createLocalStorage({ baseDir }).cleanup({ olderThanDays: 30 });
    expect(files(baseDir)).toEqual([
      `data${sep}archive${sep}2026${sep}03${sep}02${sep}.nightly-all-20260302T000000000Z-s.ndjson.98.beef.tmp`,
    ]);
  });
});

describe('local storage under the partitioned archive', () => {
  it('finds a partition manifest when run ids hold a timestamp (a later run keeps the earlier parts)', async () => {
    const { createArchiveWriter, readArchivedMessages } = await import('@dify-logs/core/archive');
    const storage = createLocalStorage({ baseDir: mkdtempSync(join(tmpdir(), 'local-')) });
    // The CLI's run ids: a stamp of when the run started, then a random suffix.
    const runs = [
      { runId: '20260302T101500000Z-ab12cd', window: { from: '2026-03-02T09:00:00Z', to: '2026-03-02T10:00:00Z' } },
      { runId: '20260302T111500000Z-ef34ab', window: { from: '2026-03-02T10:00:00Z', to: '2026-03-02T11:00:00Z' } },
    ];
    for (const [index, { runId, window }] of runs.entries()) {
      const writer = createArchiveWriter(storage, { dataset: 'messages', job: 'hourly', runId, window });
      await writer.add({
        appId: 'app-1',
        conversationId: 'c-1',
        messageId: `m-${index}`,
        createdAt: `2026-03-02T0${9 + index}:30:00.000Z`,
      } as never);
      await writer.finish();
    }
    const read: string[] = [];
    for await (const message of readArchivedMessages(storage, { from: '2026-03-02', to: '2026-03-02' }))
      read.push(message.messageId);
    expect(read).toEqual(['m-0', 'm-1']);
    const manifests = (await all(storage.list({ kind: 'data', type: 'archive-messages' }))).filter((object) =>
      object.key.endsWith('.manifest.json'),
    );
    expect(manifests).toHaveLength(1);
  });
});
