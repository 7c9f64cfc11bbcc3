import { randomBytes } from 'node:crypto';
import type { DeploymentRun } from '@dify-logs/core/adapter-kit';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mongoRunHistory } from '@dify-logs/mongodb';
import { postgresRunHistory } from '@dify-logs/postgres';
import { redisRunHistory } from '@dify-logs/redis';
import { memoryRunHistory, type RunHistory, type RunHistoryOptions } from '../src/state/index.js';
import { dropPrefix, PG_URL, REDIS_URL, reachable } from './servers.js';

interface RunHistorySuiteOptions {
  name: string;
  /** A history on a fresh backing for each test; `second` opens another on the same backing when `shared`. */
  create: (options: RunHistoryOptions) => RunHistory | Promise<RunHistory>;
  shared?: boolean;
}

const run = (id: string, extra: Partial<DeploymentRun> = {}): DeploymentRun => ({
  id,
  deployment: 'nightly',
  job: 'export',
  scheduledFor: '2026-03-02T02:00:00.000Z',
  trigger: 'schedule',
  attempt: 1,
  status: 'running',
  startedAt: '2026-03-02T02:00:01.000Z',
  finishedAt: null,
  error: null,
  summary: null,
  ...extra,
});
const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 2, minute, 0)).toISOString();

/** The RunHistory contract as tests (local to this package). */
function testRunHistory(options: RunHistorySuiteOptions): void {
  describe(`RunHistory conformance: ${options.name}`, () => {
    let opened: RunHistory[] = [];
    const open = async (settings: RunHistoryOptions = {}) => {
      const history = await options.create(settings);
      opened.push(history);
      return history;
    };
    afterEach(async () => {
      for (const history of opened.splice(0)) await history.close?.();
    });

    it('saves and gets a run whole (extra fields too), and replaces it by id keeping its logs', async () => {
      const history = await open();
      expect(await history.get('never')).toBeUndefined();
      const first = {
        ...run('r-1', { parameters: { window: { from: '{{yesterday}}' } }, worker: 'host:1' }),
        jobId: 'job-1',
        heartbeatAt: at(1),
      } as DeploymentRun;
      await history.save(first);
      expect(await history.get('r-1')).toEqual({ run: first, logs: [] });
      await history.appendLogs('r-1', ['started ✓', 'line "two"\n']);
      const finished = {
        ...first,
        status: 'succeeded' as const,
        finishedAt: at(3),
        summary: { records: 12, 报告: ['a.md'] },
      };
      await history.save(finished);
      expect(await history.get('r-1')).toEqual({ run: finished, logs: ['started ✓', 'line "two"\n'] });
      expect(await history.list()).toEqual([finished]);
    });

    it('appends log lines in order and keeps only the last maxLogLines', async () => {
      const history = await open({ maxLogLines: 5 });
      await history.save(run('r-logs'));
      await history.appendLogs('r-logs', ['1', '2', '3']);
      await history.appendLogs('r-logs', []);
      await history.appendLogs('r-logs', ['4', '5', '6', '7']);
      expect((await history.get('r-logs'))?.logs).toEqual(['3', '4', '5', '6', '7']);
      await history.appendLogs(
        'r-logs',
        Array.from({ length: 12 }, (_, index) => `x${index}`),
      );
      expect((await history.get('r-logs'))?.logs).toEqual(['x7', 'x8', 'x9', 'x10', 'x11']);
    });

    it('keeps 500 log lines by default, and loses none when appends race', async () => {
      const history = await open();
      await history.save(run('r-many'));
      await Promise.all(
        Array.from({ length: 20 }, (_, batch) =>
          history.appendLogs(
            'r-many',
            Array.from({ length: 30 }, (_, index) => `b${batch}-${index}`),
          ),
        ),
      );
      const logs = (await history.get('r-many'))!.logs;
      expect(logs).toHaveLength(500);
      expect(new Set(logs).size).toBe(500);
    });

    it('takes a large batch of lines in one append', async () => {
      const history = await open({ maxLogLines: 3000 });
      await history.save(run('r-batch'));
      const lines = Array.from({ length: 2500 }, (_, index) => `line ${index} ✓`);
      await history.appendLogs('r-batch', lines);
      expect((await history.get('r-batch'))?.logs).toEqual(lines);
    });

    it('drops log lines of an unknown run', async () => {
      const history = await open();
      await history.appendLogs('ghost', ['nobody reads this']);
      expect(await history.get('ghost')).toBeUndefined();
      expect(await history.list()).toEqual([]);
    });

    it('lists newest first, filtered by deployment and status, 50 by default', async () => {
      const history = await open();
      for (let minute = 0; minute < 56; minute += 1) {
        await history.save(
          run(`r-${String(minute).padStart(2, '0')}`, {
            startedAt: at(minute),
            deployment: minute % 2 ? 'odd' : 'even',
            status: minute % 7 === 0 ? 'failed' : 'succeeded',
          }),
        );
      }
      const all = await history.list();
      expect(all).toHaveLength(50);
      expect(all[0]!.id).toBe('r-55');
      expect(all.map((found) => found.startedAt)).toEqual([...all.map((found) => found.startedAt)].sort().reverse());
      expect((await history.list({ limit: 3 })).map((found) => found.id)).toEqual(['r-55', 'r-54', 'r-53']);
      expect((await history.list({ deployment: 'odd', limit: 2 })).map((found) => found.id)).toEqual(['r-55', 'r-53']);
      expect((await history.list({ status: 'failed' })).map((found) => found.id)).toEqual([
        'r-49',
        'r-42',
        'r-35',
        'r-28',
        'r-21',
        'r-14',
        'r-07',
        'r-00',
      ]);
      expect((await history.list({ deployment: 'odd', status: 'failed' })).map((found) => found.id)).toEqual([
        'r-49',
        'r-35',
        'r-21',
        'r-07',
      ]);
      expect(await history.list({ deployment: 'none' })).toEqual([]);
      await history.save(run('r-tie-a', { startedAt: at(59) }));
      await history.save(run('r-tie-b', { startedAt: at(59) }));
      expect((await history.list({ limit: 2 })).map((found) => found.id)).toEqual(['r-tie-b', 'r-tie-a']);
    });

    it('prunes runs started before a time, with their logs, and says how many', async () => {
      const history = await open();
      for (let minute = 0; minute < 10; minute += 1)
        await history.save(run(`p-${minute}`, { startedAt: at(minute), deployment: minute % 2 ? 'a' : 'b' }));
      await history.appendLogs('p-1', ['old']);
      expect(await history.prune(new Date(at(4)))).toBe(4);
      expect(await history.prune(new Date(at(4)))).toBe(0);
      expect(await history.get('p-1')).toBeUndefined();
      expect((await history.list()).map((found) => found.id)).toEqual(['p-9', 'p-8', 'p-7', 'p-6', 'p-5', 'p-4']);
      expect((await history.list({ deployment: 'a' })).map((found) => found.id)).toEqual(['p-9', 'p-7', 'p-5']);
      await history.save(run('p-1', { startedAt: at(1) }));
      expect((await history.get('p-1'))?.logs).toEqual([]);
    });

    if (options.shared) {
      it('shares runs and logs between two histories on one backing', async () => {
        const first = await open();
        const second = await open();
        await first.save(run('s-1'));
        await second.appendLogs('s-1', ['from the second worker']);
        expect(await first.get('s-1')).toEqual({ run: run('s-1'), logs: ['from the second worker'] });
        await second.save(run('s-1', { status: 'failed', error: 'boom' }));
        expect((await first.list({ status: 'failed' })).map((found) => found.id)).toEqual(['s-1']);
      });
    }
  });
}

/** Drops every collection a test made under `prefix`. */
async function dropMongoPrefix(url: string, prefix: string): Promise<void> {
  const client = await MongoClient.connect(url);
  try {
    for (const collection of await client.db().collections())
      if (collection.collectionName.startsWith(prefix)) await collection.drop();
  } finally {
    await client.close();
  }
}

function skipped(title: string, reason: string): void {
  console.warn(`skipped ${title}: ${reason}`);
  describe.skip(`RunHistory conformance: ${title} (${reason})`, () => it('needs the server', () => {}));
}

testRunHistory({ name: 'memory', create: (settings) => memoryRunHistory(settings) });

const postgres = await reachable(PG_URL);
const redis = await reachable(REDIS_URL);
const MONGODB_URL = process.env.MONGODB_URL;

/** Each test gets a fresh prefix; the histories of one test share it. Every prefix is dropped at the end. */
function backing(drop: (prefix: string) => Promise<void>, prefixOf: () => string) {
  const prefixes: string[] = [];
  let current = '';
  afterEach(() => {
    current = '';
  });
  afterAll(async () => {
    for (const prefix of prefixes) await drop(prefix);
  });
  return () => {
    if (!current) prefixes.push((current = prefixOf()));
    return current;
  };
}

if (postgres.ok) {
  const prefix = backing(
    (used) => dropPrefix(PG_URL, used),
    () => `t${randomBytes(4).toString('hex')}_`,
  );
  testRunHistory({
    name: 'PostgreSQL',
    shared: true,
    create: (settings) => postgresRunHistory({ connectionString: PG_URL, tablePrefix: prefix(), ...settings }),
  });
} else skipped('PostgreSQL', postgres.reason);

if (redis.ok) {
  const prefix = backing(
    (used) => dropPrefix(REDIS_URL, used),
    () => `dify-logs-test:${randomBytes(4).toString('hex')}:`,
  );
  testRunHistory({
    name: 'Redis',
    shared: true,
    create: (settings) => redisRunHistory({ connectionString: REDIS_URL, keyPrefix: prefix(), ...settings }),
  });
} else skipped('Redis', redis.reason);

if (MONGODB_URL) {
  const prefix = backing(
    (used) => dropMongoPrefix(MONGODB_URL, used),
    () => `t${randomBytes(4).toString('hex')}_`,
  );
  testRunHistory({
    name: 'MongoDB',
    shared: true,
    create: (settings) => mongoRunHistory({ connectionString: MONGODB_URL, collectionPrefix: prefix(), ...settings }),
  });
} else skipped('MongoDB', 'MONGODB_URL is not set (no MongoDB server can run here)');
