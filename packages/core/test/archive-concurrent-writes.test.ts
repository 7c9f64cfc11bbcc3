import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createArchiveWriter, readArchive, verifyArchive } from '../src/entries/archive.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import type { SaveRequest, StorageAdapter } from '../src/adapter-kit.js';
import type { RunRecord } from '../src/index.js';
import { forgetEndUser } from '../src/archive/index.js';
import { run } from './support/records.js';
import { storedTexts } from './support/storage.js';

// A pipeline run archiving a partition while `archive forget` (or `redact`) rewrites it: storage has no
// compare-and-swap, so each writer checks the partition after saving its manifest and writes it again on top of the
// other's. These tests run the other writer at the worst moment: just before one saves its manifest.

const range = { from: '2026-03-09', to: '2026-03-10' };
const dailyWindow = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' };
/** A later, shorter window: the daily window's part survives it. */
const hourWindow = { from: '2026-03-09T12:00:00.000Z', to: '2026-03-09T13:00:00.000Z' };

const runOf = (index: number, user: string, loggedAt: string): RunRecord =>
  run({
    logId: `log-${index}`,
    runId: `run-${index}`,
    endUserSessionId: user,
    loggedAt,
    inputs: { question: `question ${index} from ${user}` },
  });

async function archive(
  storage: StorageAdapter,
  runId: string,
  window: typeof dailyWindow,
  records: RunRecord[],
  now?: () => Date,
) {
  const writer = createArchiveWriter(storage, { job: 'daily', runId, window, ...(now ? { now } : {}) });
  for (const record of records) await writer.add(record);
  return writer.finish();
}

/** `storage`, running `action` (on `storage` itself) before each save that `when` picks, at most `times` times. */
function interleaved(
  storage: StorageAdapter,
  when: (request: SaveRequest) => boolean,
  action: (time: number) => Promise<unknown>,
  times = 1,
): StorageAdapter {
  let fired = 0;
  return {
    ...storage,
    async saveData(request) {
      if (fired < times && when(request)) {
        fired += 1;
        await action(fired);
      }
      return storage.saveData(request);
    },
  };
}

const manifestOf = (runId: string) => (request: SaveRequest) =>
  request.runId === runId && request.extension.endsWith('manifest.json');

/** `storage` as a writer sees it that lists no manifest of `runId` (it writes beside that run's, unaware of them). */
const hiding = (storage: StorageAdapter, runId: string): StorageAdapter => ({
  ...storage,
  async *list(query) {
    for await (const object of storage.list(query)) if (!object.key.includes(`-${runId}.`)) yield object;
  },
});

async function logIds(storage: StorageAdapter): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of readArchive(storage, range)) ids.push(record.logId);
  return ids.sort();
}

describe('two writers of one archive partition at once', () => {
  it('a pipeline run archiving while `forget` rewrites keeps its runs; hers are gone, new ones too', async () => {
    const storage = memoryStorage();
    await archive(storage, 'run-1', dailyWindow, [
      runOf(0, 'alice', '2026-03-09T10:00:00.000Z'),
      runOf(1, 'bob', '2026-03-09T11:00:00.000Z'),
    ]);
    // Just before `forget` saves its manifest, an hourly run archives two more runs (one of them hers).
    const racing = interleaved(storage, manifestOf('forget-1'), () =>
      archive(storage, 'run-2', hourWindow, [
        runOf(2, 'dave', '2026-03-09T12:10:00.000Z'),
        runOf(3, 'alice', '2026-03-09T12:20:00.000Z'),
      ]),
    );
    const result = await forgetEndUser({ storage: racing, runId: 'forget-1' }, { endUser: 'alice', dryRun: false });

    expect(await logIds(storage)).toEqual(['log-1', 'log-2']);
    expect(result.archive.removed).toBe(2);
    expect(result.archive.leftovers).toEqual([]);
    expect(await verifyArchive(storage, range)).toMatchObject({ records: 2, problems: [] });
    for (const [key, text] of await storedTexts(storage)) expect(text, key).not.toContain('alice');
  });

  it('a `forget` done while a pipeline run writes: the run writes its manifest again on top of it', async () => {
    const storage = memoryStorage();
    await archive(storage, 'run-1', dailyWindow, [
      runOf(0, 'alice', '2026-03-09T10:00:00.000Z'),
      runOf(1, 'bob', '2026-03-09T11:00:00.000Z'),
    ]);
    // The hourly run read the partition's manifest; before it saves its own, `forget` rewrites the partition whole
    // (and deletes the part the run was about to list again).
    const racing = interleaved(storage, manifestOf('run-2'), () =>
      forgetEndUser({ storage, runId: 'forget-1' }, { endUser: 'alice', dryRun: false }),
    );
    const result = await archive(racing, 'run-2', hourWindow, [runOf(2, 'dave', '2026-03-09T12:10:00.000Z')]);

    expect(await logIds(storage)).toEqual(['log-1', 'log-2']);
    expect(await verifyArchive(storage, range)).toMatchObject({ records: 2, problems: [] });
    expect(result.manifests).toHaveLength(1);
    for (const [key, text] of await storedTexts(storage)) expect(text, key).not.toContain('alice');
  });

  it('an edit the partition keeps changing under gives up (retryable) and leaves nothing of its own', async () => {
    const storage = memoryStorage();
    await archive(storage, 'run-1', dailyWindow, [
      runOf(0, 'alice', '2026-03-09T10:00:00.000Z'),
      runOf(1, 'bob', '2026-03-09T11:00:00.000Z'),
    ]);
    // Before each of its manifest saves, another hourly run archives the partition beside it, unaware of its manifests
    // (and with an earlier clock, so that the edit is the one to build again at once).
    const racing = interleaved(
      storage,
      manifestOf('forget-1'),
      (time) =>
        archive(
          hiding(storage, 'forget-1'),
          `run-${time + 1}`,
          hourWindow,
          [runOf(time + 1, 'dave', `2026-03-09T12:${String(10 + time).padStart(2, '0')}:00.000Z`)],
          () => new Date('2026-03-09T13:00:00.000Z'),
        ),
      3,
    );
    const error = await forgetEndUser({ storage: racing, runId: 'forget-1' }, { endUser: 'alice', dryRun: false }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'storage_failed', isRetryable: true });
    expect(String(error)).toMatch(/kept being written by other runs/);
    // The pipeline runs' runs are there (each hourly re-run replaced the one before), hers too (the edit changed
    // nothing), and no object of the edit is left.
    expect(await logIds(storage)).toEqual(['log-0', 'log-1', 'log-4']);
    expect(await verifyArchive(storage, range)).toMatchObject({ problems: [] });
    for (const key of (await storedTexts(storage)).keys()) expect(key).not.toContain('forget-1');
  });

  it('two manifests left side by side (a writer stopped halfway) are both kept by the next run', async () => {
    const storage = memoryStorage();
    await archive(storage, 'run-1', dailyWindow, [runOf(0, 'bob', '2026-03-09T10:00:00.000Z')]);
    // Two runs wrote beside each other from the same manifest: one stopped before deleting anything, the other never
    // saw the first one's manifest.
    const stopped: StorageAdapter = { ...storage, delete: async () => false };
    await archive(stopped, 'run-2', hourWindow, [runOf(2, 'dave', '2026-03-09T12:10:00.000Z')]);
    const later = { from: '2026-03-09T14:00:00.000Z', to: '2026-03-09T15:00:00.000Z' };
    await archive(hiding(storage, 'run-2'), 'run-3', later, [runOf(3, 'erin', '2026-03-09T14:10:00.000Z')]);
    const next = { from: '2026-03-09T16:00:00.000Z', to: '2026-03-09T17:00:00.000Z' };
    await archive(storage, 'run-4', next, [runOf(4, 'frank', '2026-03-09T16:10:00.000Z')]);

    expect(await logIds(storage)).toEqual(['log-0', 'log-2', 'log-3', 'log-4']);
    expect(await verifyArchive(storage, range)).toMatchObject({ records: 4, problems: [] });
    const manifests = [...(await storedTexts(storage)).keys()].filter((key) => key.endsWith('.manifest.json'));
    expect(manifests).toHaveLength(1);
  });

  it('whichever save the other writer runs before, no run is lost and none of hers is left (property)', async () => {
    // The save the other writer runs just before: the edit's n-th, or the pipeline run's n-th (parts, then manifests).
    const hook = fc.record({ edit: fc.boolean(), nth: fc.integer({ min: 1, max: 3 }) });
    const users = fc.array(fc.constantFrom('alice', 'bob', 'dave'), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(hook, users, users, async ({ edit, nth }, archived, arriving) => {
        const storage = memoryStorage();
        const first = archived.map((user, index) =>
          runOf(index, user, `2026-03-09T10:${String(index).padStart(2, '0')}:00.000Z`),
        );
        await archive(storage, 'run-1', dailyWindow, first);
        const later = arriving.map((user, index) =>
          runOf(100 + index, user, `2026-03-09T12:${String(index).padStart(2, '0')}:00.000Z`),
        );
        const forget = (on: StorageAdapter, runId = 'forget-1') =>
          forgetEndUser({ storage: on, runId }, { endUser: 'alice', dryRun: false });
        let count = 0;
        const nthSave = (runId: string) => (request: SaveRequest) => request.runId === runId && ++count === nth;
        if (edit) {
          // The hourly run goes while the edit saves (if the edit saves that often: otherwise it runs after it).
          await forget(interleaved(storage, nthSave('forget-1'), () => archive(storage, 'run-2', hourWindow, later)));
          // The run archived before the edit's manifest: the edit removed her new runs as well.
          if (count >= nth)
            for (const text of (await storedTexts(storage)).values()) expect(text).not.toContain('alice');
          else await archive(storage, 'run-2', hourWindow, later);
        } else {
          await archive(
            interleaved(storage, nthSave('run-2'), () => forget(storage)),
            'run-2',
            hourWindow,
            later,
          );
          if (count < nth) await forget(storage);
        }
        // An edit done before the run saved its manifest leaves her runs that the run archived (Dify still had them):
        // a second forget removes them.
        await forget(storage, 'forget-2');
        const expected = [...first, ...later]
          .filter((record) => record.endUserSessionId !== 'alice')
          .map((record) => record.logId)
          .sort();
        expect(await logIds(storage)).toEqual(expected);
        expect(await verifyArchive(storage, range)).toMatchObject({ problems: [] });
        for (const [key, text] of await storedTexts(storage)) expect(text, key).not.toContain('alice');
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
