import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deployment, DeploymentRun } from '@dify-logs/core/adapter-kit';
import { createAgendaScheduler, openAgendaDatabase, type AgendaDatabase, type AgendaScheduler } from '../src/index.js';
import { openPostgresDatabase } from '@dify-logs/postgres';
import pg from 'pg';
import { DATABASE_PLUGINS } from './databases.js';
import { dropPrefix, PG_URL, reachable } from './servers.js';

const server = await reachable(PG_URL);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(!server.ok)(`Agenda queue on PostgreSQL${server.ok ? '' : ` (skipped: ${server.reason})`}`, () => {
  const opened: Array<{
    databases: AgendaDatabase[];
    schedulers: AgendaScheduler[];
    prefix: string;
    pools: pg.Pool[];
  }> = [];
  afterEach(async () => {
    for (const entry of opened.splice(0)) {
      for (const scheduler of entry.schedulers) await scheduler.stop({ drainMs: 0 });
      for (const database of entry.databases) await database.close();
      for (const pool of entry.pools) await pool.end();
      await dropPrefix(PG_URL, entry.prefix);
    }
  });

  async function setup(deployment: Deployment, workers = 1) {
    const prefix = `q${randomBytes(4).toString('hex')}_`;
    // One pool per worker, as in separate processes (a process shares one pool per connection string, so the other
    // workers get pools of their own).
    const databases = [await openAgendaDatabase(PG_URL, { prefix, plugins: DATABASE_PLUGINS })];
    const pools: pg.Pool[] = [];
    for (let index = 1; index < workers; index += 1) {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 8 });
      pools.push(pool);
      databases.push(await openPostgresDatabase({ pool }, { prefix }));
    }
    const database = databases[0]!;
    const seen: Array<{ worker: string; run: DeploymentRun }> = [];
    const schedulers: AgendaScheduler[] = [];
    for (let index = 0; index < workers; index += 1) {
      const worker = `w${index}`;
      const scheduler = createAgendaScheduler({
        backend: databases[index]!.backend,
        history: databases[index]!.history,
        worker,
        processEveryMs: 200,
        lockLifetimeMs: 20_000,
      });
      await scheduler.define([deployment], async (_deployment, context) => {
        seen.push({ worker, run: context.run });
        await sleep(50);
        return { status: 'succeeded' };
      });
      schedulers.push(scheduler);
    }
    opened.push({ databases, schedulers, prefix, pools });
    return { database, schedulers, seen };
  }

  it('backfills one run per tick of a past range, each once even when asked twice', async () => {
    const daily: Deployment = {
      name: 'daily',
      job: 'daily',
      schedule: '0 2 * * *',
      timezone: 'Asia/Shanghai',
      parameters: { from: '{{yesterday}}', to: '{{today}}' },
      catchUp: 0,
    };
    const { schedulers, seen, database } = await setup(daily);
    const to = new Date();
    const from = new Date(to.getTime() - 3 * 86_400_000);
    const ids = await schedulers[0]!.backfill('daily', { from, to });
    expect(ids).toHaveLength(3);
    expect(await schedulers[0]!.backfill('daily', { from, to })).toEqual(ids);
    await schedulers[0]!.start();
    const runs = await until(
      async () => {
        const found = await database.history.list({ deployment: 'daily', status: 'succeeded' });
        return found.length >= 3 ? found : undefined;
      },
      15_000,
      'three backfilled runs',
    );
    await sleep(1000);
    expect(seen).toHaveLength(3);
    expect(runs.map((run) => run.trigger)).toEqual(['backfill', 'backfill', 'backfill']);
    expect(new Set(runs.map((run) => run.id))).toEqual(new Set(ids));
    // 02:00 in Shanghai is 18:00 UTC the day before.
    expect(runs.every((run) => run.scheduledFor.endsWith('T18:00:00.000Z'))).toBe(true);
    expect(runs[0]!.parameters).toEqual({ from: '{{yesterday}}', to: '{{today}}' });
  });

  it('catches up ticks missed while no worker ran, each once with two workers starting together', async () => {
    const everyMinute: Deployment = {
      name: 'minutely',
      job: 'live',
      schedule: '* * * * *',
      timezone: 'UTC',
      catchUp: 3,
      retries: 0,
    };
    const { schedulers, seen, database } = await setup(everyMinute, 2);
    // The expected ticks are relative to the current minute: start early in a minute, so none turns over while the
    // workers catch up (up to ~17 s on a busy machine).
    const secondsIntoMinute = new Date().getUTCSeconds();
    if (secondsIntoMinute > 30) await sleep((61 - secondsIntoMinute) * 1000);
    const cron = new Cron('* * * * *', { paused: true, timezone: 'UTC' });
    const previous = cron.previousRuns(6, new Date());
    cron.stop();
    const lastRun = previous[5]!; // six ticks ago: the last one a worker ran before going down
    await database.history.save({
      id: 'before-the-outage',
      deployment: 'minutely',
      job: 'live',
      scheduledFor: lastRun.toISOString(),
      trigger: 'schedule',
      attempt: 1,
      status: 'succeeded',
      startedAt: lastRun.toISOString(),
      finishedAt: lastRun.toISOString(),
      error: null,
      summary: null,
    });
    await Promise.all(schedulers.map((scheduler) => scheduler.start()));
    const caught = await until(
      async () => {
        const found = (await database.history.list({ deployment: 'minutely', status: 'succeeded' })).filter(
          (run) => run.trigger === 'catch-up',
        );
        return found.length >= 3 ? found : undefined;
      },
      15_000,
      'three catch-up runs',
    );
    await sleep(1500);
    const ticks = caught.map((run) => run.scheduledFor).sort();
    // The newest three missed ticks before the latest one (which Agenda itself runs when it is overdue), oldest first.
    expect(ticks).toEqual([previous[3]!, previous[2]!, previous[1]!].map((tick) => tick.toISOString()));
    expect(seen.filter((entry) => entry.run.trigger === 'catch-up')).toHaveLength(3);
  }, 60_000);

  it('queues a manual run from a process that is no worker, and names an unknown deployment', async () => {
    const manual: Deployment = {
      name: 'manual',
      job: 'daily',
      schedule: '0 0 1 1 *',
      timezone: 'UTC',
      parameters: { keep: 1 },
      catchUp: 0,
    };
    const { schedulers, database } = await setup(manual, 2);
    const [queueOnly, worker] = schedulers as [AgendaScheduler, AgendaScheduler];
    const id = await queueOnly.enqueue('manual', { window: 'custom' });
    expect(await database.history.get(id)).toBeUndefined();
    await worker.start();
    const run = await until(async () => (await database.history.get(id))?.run, 10_000, 'the queued run');
    expect(run).toMatchObject({ trigger: 'manual', worker: 'w1', parameters: { keep: 1, window: 'custom' } });
    await expect(queueOnly.enqueue('nope')).rejects.toThrow(/no deployment named "nope"/);
  });
});
