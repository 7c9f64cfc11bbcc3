import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createArchiveWriter, readArchive, verifyArchive } from '../src/entries/archive.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import type { StorageAdapter } from '../src/adapter-kit.js';
import { DifyStorageError, type RunRecord } from '../src/index.js';
import { findOrphanParts } from '../src/internal.js';
import { rewriteArchive } from '../src/archive/rewrite.js';
import { run } from './support/records.js';

const DAY = '2026-03-09';
const at = (hour: number, minute = 0) =>
  `${DAY}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
const hours = (from: number, to: number) => ({ from: at(from), to: to === 24 ? '2026-03-10T00:00:00.000Z' : at(to) });

/**
 * The storage as releases before the storage-key fix saw it: listing found no manifest (the key's date was read from
 * the run id), so a run did not see the partition's previous manifest and wrote one of its own parts only.
 */
const blind = (storage: StorageAdapter): StorageAdapter => ({
  ...storage,
  async *list(query) {
    for await (const object of storage.list(query)) if (!object.key.endsWith('.manifest.json')) yield object;
  },
});

/** The runs' wall clock: each archiving run finishes a second after the one before. */
let clock = Date.parse('2026-03-10T00:00:00.000Z');

/** Archives one run: `count` records logged inside `window`, their ids and versions marked with `tag`. */
async function archiveRun(
  storage: StorageAdapter,
  runId: string,
  window: { from: string; to: string },
  tag: string,
  count = 2,
) {
  const from = Date.parse(window.from);
  const step = (Date.parse(window.to) - from) / (count + 1);
  const finished = new Date((clock += 1000));
  const writer = createArchiveWriter(storage, { job: 'hourly', runId, window, now: () => finished });
  for (let index = 0; index < count; index += 1) {
    const loggedAt = new Date(from + step * (index + 1)).toISOString();
    await writer.add(run({ runId: `${tag}-${index}`, logId: `${tag}-${index}`, loggedAt, createdAt: loggedAt }));
  }
  return writer.finish();
}

async function archived(storage: StorageAdapter): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of readArchive(storage, { from: DAY, to: DAY })) ids.push(record.runId!);
  return ids.sort();
}

async function manifests(storage: StorageAdapter): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of storage.list({ kind: 'data' }))
    if (object.key.endsWith('.manifest.json')) keys.push(object.key);
  return keys;
}

describe('a partition with more than one manifest', () => {
  it('written by runs blind to the previous manifest: every run is read, and the next run keeps them', async () => {
    const storage = memoryStorage();
    await archiveRun(blind(storage), 'run-a', hours(0, 6), 'a');
    await archiveRun(blind(storage), 'run-b', hours(6, 12), 'b');
    expect(await manifests(storage)).toHaveLength(2);
    // Before: only the newest manifest was read (b-0, b-1), and the next run deleted a's part.
    expect(await archived(storage)).toEqual(['a-0', 'a-1', 'b-0', 'b-1']);
    expect(await verifyArchive(storage, { from: DAY, to: DAY })).toMatchObject({ parts: 2, records: 4, problems: [] });

    await archiveRun(storage, 'run-c', hours(12, 18), 'c');
    expect(await manifests(storage)).toHaveLength(1);
    expect(await archived(storage)).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'c-0', 'c-1']);
    expect(await findOrphanParts(storage, { now: new Date('2030-01-01T00:00:00Z') })).toEqual([]);
  });

  it('a blind re-run of a window replaces that window, as a run that saw the manifest would', async () => {
    const storage = memoryStorage();
    await archiveRun(blind(storage), 'run-a', hours(0, 6), 'a');
    await archiveRun(blind(storage), 'run-b', hours(6, 12), 'b');
    await archiveRun(blind(storage), 'run-a2', hours(0, 6), 'a2', 3);
    expect(await archived(storage)).toEqual(['a2-0', 'a2-1', 'a2-2', 'b-0', 'b-1']);
  });

  it('after a replace whose deletes failed, the newest manifest is the truth (nothing comes back)', async () => {
    const storage = memoryStorage();
    await archiveRun(storage, 'run-a', hours(0, 6), 'a');
    await archiveRun(storage, 'run-b', hours(6, 12), 'b');
    const failingDeletes: StorageAdapter = {
      ...storage,
      delete: async () => {
        throw new DifyStorageError('memory', 'storage_failed', 'the bucket went away');
      },
    };
    // A re-run from 03:00: its manifest keeps a's part and replaces b's, but b's manifest and part stay.
    await archiveRun(failingDeletes, 'run-late', hours(3, 24), 'late');
    expect(await manifests(storage)).toHaveLength(2);
    expect(await archived(storage)).toEqual(['a-0', 'a-1', 'late-0', 'late-1']);
  });

  it('forgetting an end user there keeps the other runs of every manifest', async () => {
    const storage = memoryStorage();
    await archiveRun(blind(storage), 'run-a', hours(0, 6), 'a');
    await archiveRun(blind(storage), 'run-b', hours(6, 12), 'b');
    const result = await rewriteArchive<RunRecord>(
      storage,
      { from: DAY, to: DAY },
      (record) => (record.runId === 'a-1' ? null : record),
      { runId: 'forget-1', dryRun: false },
    );
    expect(result.removed).toBe(1);
    expect(await manifests(storage)).toHaveLength(1);
    expect(await archived(storage)).toEqual(['a-0', 'b-0', 'b-1']);
    expect(await findOrphanParts(storage, { now: new Date('2030-01-01T00:00:00Z') })).toHaveLength(0);
  });

  it('whatever the windows, runs that could not see the manifests leave what runs that could would have', async () => {
    const windowArbitrary = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 24 }))
      .map(([start, length]) => hours(start, Math.min(24, start + length)));
    await fc.assert(
      fc.asyncProperty(fc.array(windowArbitrary, { minLength: 1, maxLength: 6 }), async (windows) => {
        const seeing = memoryStorage();
        const notSeeing = memoryStorage();
        for (const [index, window] of windows.entries()) {
          await archiveRun(seeing, `run-${index}`, window, `r${index}`);
          await archiveRun(blind(notSeeing), `run-${index}`, window, `r${index}`);
        }
        expect(await archived(notSeeing)).toEqual(await archived(seeing));
      }),
      { numRuns: 60 },
    );
  });
});
