import { describe, expect, it } from 'vitest';
import { createArchiveWriter, readArchive, removeOrphanParts, type ArchivePartFormat } from '../src/entries/archive.js';
import { DifyStorageError, type RunRecord } from '../src/index.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import type { StorageAdapter } from '../src/adapter-kit.js';
import { findOrphanParts, ORPHAN_MIN_AGE_HOURS } from '../src/internal.js';
import { run } from './support/records.js';

const HOUR = 3_600_000;
const window = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' };
/** A second format, so parts have alternates (the manifest lists them beside their part). */
const jsonFormat: ArchivePartFormat = {
  format: 'json-lines',
  extension: 'jsonl',
  contentType: 'application/x-ndjson',
  encode: async (records) => {
    let text = '';
    for await (const record of records) text += `${JSON.stringify(record)}\n`;
    return Buffer.from(text, 'utf8');
  },
};

const records = (count: number, prefix: string): RunRecord[] =>
  Array.from({ length: count }, (_, index) =>
    run({ logId: `${prefix}-${index}`, runId: `${prefix}-run-${index}`, loggedAt: `2026-03-09T1${index}:00:00.000Z` }),
  );

async function keys(storage: StorageAdapter): Promise<string[]> {
  const found: string[] = [];
  for await (const object of storage.list({ kind: 'data' })) found.push(object.key);
  return found.sort();
}

/** A finished run (manifest written) and a run whose storage failed mid-way, so it could not take its part back. */
async function archiveWithOrphan() {
  const storage = memoryStorage();
  const finished = createArchiveWriter(storage, { job: 'daily', runId: 'run-ok', window, formats: [jsonFormat] });
  for (const record of records(3, 'ok')) await finished.add(record);
  const result = await finished.finish();
  const listed = await keys(storage);

  const failing: StorageAdapter = {
    ...storage,
    delete: async () => {
      throw new DifyStorageError('memory', 'storage_failed', 'the bucket went away');
    },
  };
  const broken = createArchiveWriter(failing, { job: 'daily', runId: 'run-broken', window, formats: [jsonFormat] });
  for (const record of records(3, 'broken')) await broken.add(record);
  // Closing the part (two more partitions: a run's writer keeps two open) stores it and its copy; then the storage
  // fails and the run gives up.
  await broken.add(run({ logId: 'next-day', loggedAt: '2026-03-10T01:00:00.000Z' }));
  await broken.add(run({ logId: 'day-after', loggedAt: '2026-03-11T01:00:00.000Z' }));
  await broken.abort();
  const orphans = (await keys(storage)).filter((key) => !listed.includes(key));
  return { storage, result, listed, orphans };
}

describe('archive parts no manifest lists', () => {
  it('are removed once older than the safe age; listed parts, their copies and the run archive stay', async () => {
    const { storage, listed, orphans } = await archiveWithOrphan();
    expect(orphans.map((key) => key.replace(/^.*\./, '')).sort()).toEqual(['gz', 'jsonl']);
    // The run archive (one NDJSON object per run, no manifest) is not a part.
    const runArchive = await storage.saveData({
      type: 'archive',
      job: 'daily',
      app: 'all',
      runId: 'run-plain',
      extension: 'ndjson',
      contentType: 'application/x-ndjson',
      body: '{}\n',
      createdAt: new Date(Date.now() - 30 * 24 * HOUR),
    });

    const later = new Date(Date.now() + (ORPHAN_MIN_AGE_HOURS + 1) * HOUR);
    expect((await findOrphanParts(storage, { now: later })).map((object) => object.key).sort()).toEqual(orphans.sort());
    expect((await removeOrphanParts(storage, { now: later })).sort()).toEqual(orphans.sort());
    expect(await keys(storage)).toEqual([...listed, runArchive.key].sort());
    const archived: string[] = [];
    for await (const record of readArchive(storage, { from: '2026-03-09', to: '2026-03-10' }))
      archived.push(record.logId);
    expect(archived).toEqual(['ok-0', 'ok-1', 'ok-2']);
  });

  it('are kept while they may belong to a run in progress, or when nothing says when they were written', async () => {
    const { storage, orphans } = await archiveWithOrphan();
    const soon = new Date(Date.now() + (ORPHAN_MIN_AGE_HOURS - 1) * HOUR);
    expect(await removeOrphanParts(storage, { now: soon })).toEqual([]);
    expect(await removeOrphanParts(storage, { now: new Date(Date.now() + 2 * HOUR), minAgeHours: 1 })).toHaveLength(
      orphans.length,
    );

    // A part written before parts carried `written-at` (no manifest lists it either): left to the retention cleanup.
    const legacy = await storage.saveData({
      type: 'archive',
      job: 'daily',
      app: 'app-a',
      runId: 'run-old',
      extension: 'part-1.ndjson.gz',
      contentType: 'application/gzip',
      body: new Uint8Array([0]),
      createdAt: new Date('2026-03-08T00:00:00Z'),
      metadata: { job: 'daily', app: 'app-a', day: '2026-03-08' },
    });
    expect(await removeOrphanParts(storage, { now: new Date(Date.now() + 365 * 24 * HOUR) })).toEqual([]);
    expect(await keys(storage)).toContain(legacy.key);
  });
});
