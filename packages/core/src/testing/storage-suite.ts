import type { TestRunner } from './runner.js';
import { DifyStorageError } from '../errors/storage-error.js';
import type { SaveRequest, StorageAdapter, StoredObject } from '../adapters/storage.js';

export interface StorageSuiteOptions {
  /** Shown in the test names. */
  name: string;
  /** A fresh, empty adapter for each test. */
  create: () => StorageAdapter | Promise<StorageAdapter>;
  /** Removes what a test left (called before `close`). */
  cleanup?: (adapter: StorageAdapter) => void | Promise<void>;
  /** Groups to leave out, with the reason shown in the test name. */
  skip?: Partial<Record<StorageSuiteGroup, string>>;
}

export type StorageSuiteGroup = 'streaming' | 'signedUrls' | 'cleanup' | 'failedBody';

const base = (overrides: Partial<SaveRequest> = {}): SaveRequest => ({
  type: 'daily',
  job: 'nightly',
  app: 'ticket-triage',
  runId: 'run-1',
  extension: 'md',
  body: '# Daily report\n\n运行 12 次 ✅\n',
  contentType: 'text/markdown; charset=utf-8',
  createdAt: new Date('2026-03-02T08:35:12.345Z'),
  ...overrides,
});

async function all(iterable: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const items: StoredObject[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/**
 * The StorageAdapter contract as tests. Run it from an adapter package's `test/conformance.test.ts`:
 * `testStorageAdapter({ name: 'local', create: () => createLocalStorage({ baseDir: tmp() }) })`.
 */
export function testStorageAdapter(runner: TestRunner, options: StorageSuiteOptions): void {
  const { afterEach, beforeEach, describe, expect, it } = runner;
  const skip = options.skip ?? {};
  /** `it`, or `it.skip` with the reason in the title when the group is switched off. */
  const test = (group: StorageSuiteGroup, title: string, body: () => Promise<void>) =>
    skip[group] ? it.skip(`${title} (skipped: ${skip[group]})`, body) : it(title, body);

  describe(`StorageAdapter conformance: ${options.name}`, () => {
    let adapter: StorageAdapter;
    beforeEach(async () => {
      adapter = await options.create();
    });
    afterEach(async () => {
      await options.cleanup?.(adapter);
      await adapter.close?.();
    });

    it('saves a report and reads back the same bytes, content type and metadata', async () => {
      const saved = await adapter.saveReport(base({ metadata: { app_name: 'Ticket Triage', period: '2026-03-01' } }));
      expect(saved).toMatchObject({
        kind: 'report',
        type: 'daily',
        contentType: 'text/markdown; charset=utf-8',
        createdAt: '2026-03-02T08:35:12.345Z',
      });
      expect(saved.key).toBe('reports/daily/2026/03/02/nightly-ticket-triage-20260302T083512345Z-run-1.md');
      expect(saved.size).toBe(Buffer.byteLength('# Daily report\n\n运行 12 次 ✅\n'));
      expect(text(await adapter.read(saved.key))).toBe('# Daily report\n\n运行 12 次 ✅\n');
      const [listed] = await all(adapter.list({ kind: 'report' }));
      expect(listed).toMatchObject({
        key: saved.key,
        contentType: saved.contentType,
        size: saved.size,
        metadata: { app_name: 'Ticket Triage', period: '2026-03-01' },
      });
    });

    it('keeps data apart from reports', async () => {
      const data = await adapter.saveData(
        base({ type: 'export', extension: 'ndjson', body: '{"a":1}\n', contentType: 'application/x-ndjson' }),
      );
      expect(data.key.startsWith('data/export/')).toBe(true);
      expect(await all(adapter.list({ kind: 'report' }))).toEqual([]);
      expect((await all(adapter.list({ kind: 'data' }))).map((object) => object.key)).toEqual([data.key]);
    });

    test('streaming', 'accepts a streamed body', async () => {
      async function* chunks() {
        for (let index = 0; index < 50; index += 1) yield Buffer.from(`line ${index}\n`);
      }
      const saved = await adapter.saveData(base({ extension: 'ndjson', body: chunks() }));
      const lines = text(await adapter.read(saved.key))
        .trim()
        .split('\n');
      expect(lines).toHaveLength(50);
      expect(saved.size).toBe(lines.join('\n').length + 1);
    });

    it('never overwrites: saving the same report again fails with already_exists and keeps the first', async () => {
      const first = await adapter.saveReport(base({ body: 'first' }));
      const error = await adapter.saveReport(base({ body: 'second' })).catch((caught: unknown) => caught);
      expect(DifyStorageError.isInstance(error)).toBe(true);
      expect((error as DifyStorageError).code).toBe('already_exists');
      expect(text(await adapter.read(first.key))).toBe('first');
      expect(await all(adapter.list())).toHaveLength(1);
    });

    it('lets exactly one of two racing saves of the same object win', async () => {
      const results = await Promise.allSettled([
        adapter.saveReport(base({ body: 'one' })),
        adapter.saveReport(base({ body: 'two' })),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
      expect((rejected.reason as DifyStorageError).code).toBe('already_exists');
      expect(await all(adapter.list())).toHaveLength(1);
    });

    it('lists newest first, filtered by kind, type and age', async () => {
      const day = (date: string, type = 'daily') =>
        adapter.saveReport(base({ type, createdAt: new Date(date), runId: date.slice(0, 10) }));
      await day('2026-03-01T00:00:00Z');
      await day('2026-03-03T00:00:00Z');
      await day('2026-03-02T00:00:00Z');
      await day('2026-03-02T12:00:00Z', 'weekly');
      const daily = await all(adapter.list({ type: 'daily' }));
      expect(daily.map((object) => object.createdAt)).toEqual([
        '2026-03-03T00:00:00.000Z',
        '2026-03-02T00:00:00.000Z',
        '2026-03-01T00:00:00.000Z',
      ]);
      const recent = await all(
        adapter.list({ newerThan: new Date('2026-03-02T00:00:00Z'), olderThan: new Date('2026-03-03T00:00:00Z') }),
      );
      expect(recent.map((object) => object.createdAt)).toEqual([
        '2026-03-02T12:00:00.000Z',
        '2026-03-02T00:00:00.000Z',
      ]);
    });

    it('deletes, says whether something was deleted, and reads a missing key as not_found', async () => {
      const saved = await adapter.saveReport(base());
      expect(await adapter.delete(saved.key)).toBe(true);
      expect(await adapter.delete(saved.key)).toBe(false);
      const error = await adapter.read(saved.key).catch((caught: unknown) => caught);
      expect((error as DifyStorageError).code).toBe('not_found');
      expect(await all(adapter.list())).toEqual([]);
    });

    test('cleanup', 'cleans up objects older than N days, and only those', async () => {
      const old = await adapter.saveReport(base({ createdAt: new Date('2026-01-01T00:00:00Z'), runId: 'old' }));
      const oldData = await adapter.saveData(base({ createdAt: new Date('2026-01-02T00:00:00Z'), runId: 'old-data' }));
      const fresh = await adapter.saveReport(base({ createdAt: new Date('2026-03-01T00:00:00Z'), runId: 'fresh' }));
      const result = await adapter.cleanup({
        olderThanDays: 30,
        kind: 'report',
        now: new Date('2026-03-02T00:00:00Z'),
      });
      expect(result.deleted).toEqual([old.key]);
      expect((await all(adapter.list())).map((object) => object.key).sort()).toEqual([oldData.key, fresh.key].sort());
    });

    it('keeps hostile names inside its root', async () => {
      const saved = await adapter.saveReport(
        base({ type: '../../etc', job: '../x', app: '/abs\\path\u0000', runId: '..', extension: '../sh' }),
      );
      expect(saved.key.split('/').every((part) => part !== '..' && part !== '' && !part.startsWith('.'))).toBe(true);
      expect(saved.key.startsWith('reports/etc/')).toBe(true);
      expect(saved.type).toBe('etc');
      expect((await all(adapter.list({ type: '../../etc' }))).map((object) => object.key)).toEqual([saved.key]);
      expect(text(await adapter.read(saved.key))).toContain('Daily report');
      for (const key of ['../outside.md', '/etc/passwd', 'reports/../../x', 'a\\b']) {
        const error = await adapter.read(key).catch((caught: unknown) => caught);
        expect((error as DifyStorageError).code, key).toBe('invalid_key');
      }
    });

    test('failedBody', 'leaves nothing behind when the body fails midway', async () => {
      async function* failing() {
        yield Buffer.from('partial report\n');
        throw new Error('source broke');
      }
      await expect(adapter.saveReport(base({ body: failing() }))).rejects.toThrow(/source broke/);
      expect(await all(adapter.list())).toEqual([]);
      const retry = await adapter.saveReport(base({ body: 'complete' }));
      expect(text(await adapter.read(retry.key))).toBe('complete');
    });

    test('signedUrls', 'signs URLs that fetch the object', async () => {
      expect(adapter.capabilities.signedUrls).toBe(true);
      if (!adapter.signedUrl) throw new Error('capabilities.signedUrls is true but signedUrl() is missing');
      const saved = await adapter.saveReport(base({ body: 'signed' }));
      const url = await adapter.signedUrl(saved.key, { expiresInSeconds: 60 });
      const response = await fetch(url);
      expect(await response.text()).toBe('signed');
    });
  });
}
