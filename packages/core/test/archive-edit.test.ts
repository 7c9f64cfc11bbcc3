import { describe, expect, it } from 'vitest';
import { createArchiveWriter, readArchive, verifyArchive, type ArchivePartFormat } from '../src/entries/archive.js';
import { createPrivacyPolicy, DifyStorageError, type MessageRecord, type RunRecord } from '../src/index.js';
import { memoryStorage } from '../src/entries/pipeline.js';
import type { Sink, SinkForgetRequest, StorageAdapter } from '../src/adapter-kit.js';
import { forgetEndUser, listPartitions, redactArchive } from '../src/archive/index.js';
import { chatMessage, run } from './support/records.js';
import { storedTexts } from './support/storage.js';

const window = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-11T00:00:00.000Z' };
const range = { from: '2026-03-09', to: '2026-03-10' };

/** A second format that can be read back, so rewritten copies are checked record by record. */
const jsonFormat: ArchivePartFormat = {
  format: 'json-lines',
  extension: 'jsonl',
  contentType: 'application/x-ndjson',
  encode: async (records) => {
    let text = '';
    for await (const record of records) text += `${JSON.stringify(record)}\n`;
    return Buffer.from(text, 'utf8');
  },
  async *decode(bytes) {
    for (const line of Buffer.from(bytes).toString('utf8').split('\n')) if (line) yield JSON.parse(line) as RunRecord;
  },
};

/** Six runs over two days and two apps; alice has runs on both days, and every run of app-b's second day. */
function sample(): RunRecord[] {
  const at = (day: number, hour: number) => `2026-03-${String(day).padStart(2, '0')}T${10 + hour}:00:00.000Z`;
  const each = (appId: string, index: number, user: string, day: number, extra: Partial<RunRecord> = {}) =>
    run({
      appId,
      logId: `${appId}-log-${index}`,
      runId: `${appId}-run-${index}`,
      endUserSessionId: user,
      loggedAt: at(day, index),
      inputs: { question: `question ${index} from ${user}` },
      ...extra,
    });
  return [
    each('app-a', 0, 'alice', 9),
    each('app-a', 1, 'bob', 9, { inputs: { question: 'mail me at bob.li@example-corp.cn' } }),
    each('app-a', 2, 'alice', 10),
    each('app-a', 3, 'carol', 10),
    each('app-b', 4, 'bob', 9),
    each('app-b', 5, 'alice', 10),
  ];
}

async function archive(
  storage: StorageAdapter,
  records: RunRecord[],
  runId = 'run-1',
  formats: ArchivePartFormat[] = [jsonFormat],
) {
  const writer = createArchiveWriter(storage, { job: 'daily', runId, window, formats });
  for (const record of records) await writer.add(record);
  return writer.finish();
}

const read = async (storage: StorageAdapter, formats: ArchivePartFormat[] = []) => {
  const records: RunRecord[] = [];
  for await (const record of readArchive(storage, range, { formats })) records.push(record);
  return records;
};

const message = (id: string, overrides: Partial<MessageRecord>) => chatMessage({ messageId: id, ...overrides });

const saveMessages = (storage: StorageAdapter, messages: MessageRecord[]) =>
  storage.saveData({
    type: 'messages',
    job: 'daily',
    app: 'all',
    runId: 'run-1',
    createdAt: new Date('2026-03-10T00:00:00.000Z'),
    extension: 'ndjson',
    contentType: 'application/x-ndjson',
    body: messages.map((each) => `${JSON.stringify(each)}\n`).join(''),
    metadata: { job: 'daily', app: 'all' },
  });

describe('archive forget: an end user removed from the archive, its copies, the messages and the sinks', () => {
  it('counts in a dry run without changing a byte, then removes every run of theirs and nothing else', async () => {
    const storage = memoryStorage();
    const records = sample();
    await archive(storage, records);
    const before = await storedTexts(storage);

    const counted = await forgetEndUser({ storage, runId: 'forget-1', formats: [jsonFormat] }, { endUser: 'alice' });
    expect(counted.dryRun).toBe(true);
    expect(counted.archive.removed).toBe(3);
    expect(counted.archive.rewritten.map((each) => `${each.app} ${each.day}`).sort()).toEqual([
      'app-a 2026-03-09',
      'app-a 2026-03-10',
      'app-b 2026-03-10',
    ]);
    expect(await storedTexts(storage)).toEqual(before);

    const done = await forgetEndUser(
      { storage, runId: 'forget-2', formats: [jsonFormat] },
      { endUser: 'alice', dryRun: false },
    );
    expect(done.archive.removed).toBe(3);
    expect(done.archive.leftovers).toEqual([]);
    const left = await read(storage);
    const byLog = (a: RunRecord, b: RunRecord) => a.logId.localeCompare(b.logId);
    expect(left.sort(byLog)).toEqual(records.filter((record) => record.endUserSessionId !== 'alice').sort(byLog));
    // No object anywhere (parts, copies, manifests) still mentions her; the other days' parts were not rewritten.
    for (const [key, text] of await storedTexts(storage)) expect(text, key).not.toContain('alice');
    expect(await verifyArchive(storage, range, { formats: [jsonFormat] })).toMatchObject({ records: 3, problems: [] });
    // app-b's second day held only her run: its partition is now empty, its part gone from the manifest.
    const partitions = await listPartitions(storage, range);
    const emptied = partitions.find((each) => each.manifest.app === 'app-b' && each.manifest.day === '2026-03-10');
    expect(emptied?.manifest).toMatchObject({ records: 0, parts: [] });
    // The copies were written again: read through the other format alone they hold the same runs.
    for (const { manifest } of partitions)
      for (const part of manifest.parts) {
        const copy = part.alternates!.find((alternate) => alternate.format === 'json-lines')!;
        const lines = Buffer.from(await storage.read(copy.key))
          .toString('utf8')
          .trim()
          .split('\n');
        expect(lines).toHaveLength(part.records);
      }
  });

  it(
    'keeps each part its window, so a later run of that ' + 'window still replaces it instead of adding duplicates',
    async () => {
      const storage = memoryStorage();
      const records = sample();
      await archive(storage, records);
      await forgetEndUser({ storage, runId: 'forget-1', formats: [jsonFormat] }, { endUser: 'bob', dryRun: false });
      const rewritten = (await listPartitions(storage, range)).flatMap(({ manifest }) => manifest.parts);
      expect(rewritten.every((part) => part.window.from === window.from && part.window.to === window.to)).toBe(true);
      expect(rewritten.every((part) => part.runId === 'run-1')).toBe(true);
      // Dify still had bob's runs: a re-run of the window brings them back, once.
      await archive(storage, records, 'run-2');
      expect(await read(storage)).toHaveLength(records.length);
    },
  );

  it(
    'matches the end user in the form the privacy policy ' + 'stored it (hashed), and limits itself to the days asked',
    async () => {
      const storage = memoryStorage();
      const privacy = createPrivacyPolicy({ endUser: 'hash', key: 'k'.repeat(32) });
      await archive(
        storage,
        sample().map((record) => privacy.run(record)),
      );
      const result = await forgetEndUser(
        { storage, runId: 'forget-1', privacy, formats: [jsonFormat] },
        { endUser: 'alice', from: '2026-03-10', to: '2026-03-10', dryRun: false },
      );
      expect(result.matched).toEqual(['alice', privacy.endUser('alice')]);
      expect(result.archive.removed).toBe(2);
      const left = await read(storage);
      expect(left.filter((record) => record.endUserSessionId === privacy.endUser('alice'))).toHaveLength(1);
    },
  );

  it(
    'removes their messages: their own, those of their ' + 'chatflow runs, and the rest of their conversations',
    async () => {
      const storage = memoryStorage();
      await archive(storage, sample());
      await saveMessages(storage, [
        message('m1', { endUserId: 'eu-dave', conversationId: 'c-dave' }),
        message('m2', { conversationId: 'c-dave' }),
        message('m3', { workflowRunId: 'app-a-run-0', conversationId: 'c-alice' }),
        message('m4', { conversationId: 'c-alice' }),
        message('m5', { conversationId: 'c-other', endUserId: 'eu-erin' }),
      ]);
      const byId = await forgetEndUser(
        { storage, runId: 'forget-1', formats: [jsonFormat] },
        { endUser: 'eu-dave', dryRun: false },
      );
      expect(byId.messages).toMatchObject({ objects: 1, rewritten: 1, removed: 2, leftovers: [] });
      const bySession = await forgetEndUser(
        { storage, runId: 'forget-2', formats: [jsonFormat] },
        { endUser: 'alice', dryRun: false },
      );
      expect(bySession.messages.removed).toBe(2);
      const texts = [...(await storedTexts(storage))].filter(([key]) => key.includes('/messages/'));
      expect(texts).toHaveLength(1);
      expect(
        texts[0]![1]
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as MessageRecord).messageId),
      ).toEqual(['m5']);
    },
  );

  it('asks every sink to forget them, and names a sink that cannot', async () => {
    const storage = memoryStorage();
    await archive(storage, sample());
    const asked: SinkForgetRequest[] = [];
    const able: Sink = {
      name: 'able',
      open: async () => {
        throw new Error('not used');
      },
      forget: async (request) => {
        asked.push(request);
        return { rows: { runs: request.dryRun ? 0 : 3 } };
      },
    };
    const unable: Sink = { name: 'unable', open: able.open };
    const result = await forgetEndUser(
      { storage, runId: 'forget-1', sinks: [able, unable], formats: [jsonFormat] },
      { endUser: 'alice', from: '2026-03-09', dryRun: false },
    );
    expect(asked).toEqual([{ endUsers: ['alice'], from: '2026-03-09', dryRun: false }]);
    expect(result.sinks).toEqual([
      { sink: 'able', rows: { runs: 3 } },
      { sink: 'unable', error: 'the unable sink cannot delete rows (it has no forget)' },
    ]);
  });

  it('leaves the archive as it was when the storage fails midway, and removes what it wrote', async () => {
    const storage = memoryStorage();
    await archive(storage, sample());
    const before = await storedTexts(storage);
    let saves = 0;
    const failing: StorageAdapter = {
      ...storage,
      saveData: async (request) => {
        saves += 1;
        if (request.extension === 'manifest.json')
          throw new DifyStorageError('memory', 'storage_failed', 'the bucket went away');
        return storage.saveData(request);
      },
    };
    await expect(
      forgetEndUser(
        { storage: failing, runId: 'forget-1', formats: [jsonFormat] },
        { endUser: 'alice', dryRun: false },
      ),
    ).rejects.toThrow(/the bucket went away/);
    expect(saves).toBeGreaterThan(1);
    expect(await storedTexts(storage)).toEqual(before);
  });
});

describe('archive redact: the current privacy policy applied to what was archived before it', () => {
  it(
    'masks what the policy finds in old parts and ' + 'messages, verifies, and changes nothing the second time',
    async () => {
      const storage = memoryStorage();
      await archive(storage, sample());
      await saveMessages(storage, [message('m1', { query: 'call me on 13912345678' }), message('m2', {})]);
      const privacy = createPrivacyPolicy();
      const first = await redactArchive(
        { storage, runId: 'redact-1', privacy, formats: [jsonFormat] },
        { ...range, dryRun: false },
      );
      expect(first.archive.changed).toBe(1);
      expect(first.archive.rewritten).toHaveLength(1);
      expect(first.messages).toMatchObject({ rewritten: 1, changed: 1 });
      const text = [...(await storedTexts(storage)).values()].join('\n');
      expect(text).not.toContain('bob.li@example-corp.cn');
      expect(text).not.toContain('13912345678');
      expect(text).toContain('139****5678');
      expect(await verifyArchive(storage, range, { formats: [jsonFormat] })).toMatchObject({ problems: [] });
      const again = await redactArchive(
        { storage, runId: 'redact-2', privacy, formats: [jsonFormat] },
        { ...range, dryRun: false },
      );
      expect([again.archive.changed, again.messages.changed]).toEqual([0, 0]);
    },
  );

  it('rewrites an archive written without NDJSON in its own format', async () => {
    const storage = memoryStorage();
    const writer = createArchiveWriter(storage, {
      job: 'daily',
      runId: 'run-1',
      window,
      formats: [jsonFormat],
      ndjson: false,
    });
    for (const record of sample()) await writer.add(record);
    await writer.finish();
    const result = await redactArchive(
      { storage, runId: 'redact-1', privacy: createPrivacyPolicy(), formats: [jsonFormat] },
      { ...range, dryRun: false },
    );
    expect(result.archive.changed).toBe(1);
    const keys = [...(await storedTexts(storage)).keys()];
    expect(keys.some((key) => key.endsWith('.gz'))).toBe(false);
    expect(await verifyArchive(storage, range, { formats: [jsonFormat] })).toMatchObject({ records: 6, problems: [] });
    const masked = (await read(storage, [jsonFormat])).find((record) => record.logId === 'app-a-log-1')!;
    expect(masked.inputs).toEqual({ question: 'mail me at b***@example-corp.cn' });
  });
});
