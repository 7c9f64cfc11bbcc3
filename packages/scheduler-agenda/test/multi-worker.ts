import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cron } from 'croner';
import { afterAll, describe, expect, it } from 'vitest';
import { openAgendaDatabase, type AgendaRun } from '../src/index.js';
import { DATABASE_PLUGINS } from './databases.js';
import { dropPrefix, reachable } from './servers.js';
import { readResults, startWorker, type WorkerProcess } from './workers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The cron ticks of `schedule` in [from, to]. */
function ticks(schedule: string, from: Date, to: Date): string[] {
  const cron = new Cron(schedule, { paused: true, timezone: 'UTC' });
  const out: string[] = [];
  let next = cron.nextRun(new Date(from.getTime() - 1));
  while (next && next <= to) {
    out.push(next.toISOString());
    next = cron.nextRun(next);
  }
  cron.stop();
  return out;
}

async function historyOf(url: string, prefix: string): Promise<AgendaRun[]> {
  const database = await openAgendaDatabase(url, { prefix, plugins: DATABASE_PLUGINS });
  try {
    return (await database.history.list({ deployment: 'tick', limit: 1000 })) as AgendaRun[];
  } finally {
    await database.close();
  }
}

/**
 * Three worker processes on one database, a deployment every 2 s for a minute, one worker killed
 * with SIGKILL mid-run; and SIGTERM during a run (finished within the drain time, or handed back).
 */
export function multiWorkerSuite(kind: string, url: string, prefixOf: (id: string) => string): void {
  const server = await_(reachable(url));
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe(`several workers on ${kind}`, () => {
    it('runs every tick exactly once, and takes over the run of a worker killed mid-run', async (context) => {
      const status = await server;
      if (!status.ok) return context.skip(status.reason);
      const prefix = prefixOf(randomBytes(4).toString('hex'));
      const dir = mkdtempSync(join(tmpdir(), 'dify-logs-workers-'));
      dirs.push(dir);
      const results = join(dir, 'results.log');
      const env = {
        DB_URL: url,
        PREFIX: prefix,
        RESULTS: results,
        RUN_MS: '900',
        LOCK_MS: '6000',
        PROCESS_EVERY_MS: '500',
        SCHEDULE: '*/2 * * * * *',
      };
      const workers: WorkerProcess[] = [];
      try {
        // The first worker creates the schema; the other two start together.
        workers.push(await startWorker('w1', env));
        workers.push(...(await Promise.all([startWorker('w2', env), startWorker('w3', env)])));
        const began = new Date();
        await sleep(20_000);

        // Kill the worker running a tick right now: one that started less than 300 ms ago (runs last 900 ms).
        let victim: { worker: WorkerProcess; runId: string; tick: string } | undefined;
        for (let tries = 0; tries < 500 && !victim; tries += 1) {
          const lines = readResults(results);
          const open = lines
            .filter(
              (line) =>
                line.kind === 'start' &&
                Date.now() - (line.at ?? 0) < 300 &&
                !lines.some((done) => done.kind === 'done' && done.runId === line.runId),
            )
            .at(-1);
          const worker = open && workers.find((candidate) => candidate.name === open.worker);
          if (open && worker && worker.child.exitCode === null) victim = { worker, runId: open.runId, tick: open.tick };
          else await sleep(20);
        }
        expect(victim, 'a run in progress to kill').toBeDefined();
        const killedAt = Date.now();
        victim!.worker.kill('SIGKILL');
        await victim!.worker.exited;

        await sleep(40_000);
        const stoppedAt = new Date();
        const survivors = workers.filter((worker) => worker !== victim!.worker);
        for (const worker of survivors) worker.kill('SIGTERM');
        const exits = await Promise.all(survivors.map((worker) => worker.exited));
        expect(exits.map((exit) => exit.code)).toEqual([0, 0]);

        const lines = readResults(results);
        const done = lines.filter((line) => line.kind === 'done');
        // Exactly once: no tick finished twice.
        const perTick = new Map<string, number>();
        for (const line of done) perTick.set(line.tick, (perTick.get(line.tick) ?? 0) + 1);
        expect([...perTick].filter(([, count]) => count > 1)).toEqual([]);
        // Nothing lost: every tick from the first run to 10 s before the stop finished.
        const first = done.map((line) => line.tick).sort()[0]!;
        const expected = ticks('*/2 * * * * *', new Date(first), new Date(stoppedAt.getTime() - 10_000));
        expect(expected.length).toBeGreaterThan(20);
        expect(expected.filter((tick) => !perTick.has(tick))).toEqual([]);
        expect(Date.parse(first) - began.getTime()).toBeLessThan(5000);
        // The killed run never finished where it began, was recorded as interrupted, and its tick was run again by
        // another worker.
        expect(
          done.some((line) => line.runId === victim!.runId),
          JSON.stringify({
            victim: { name: victim!.worker.name, runId: victim!.runId, killedAt },
            lines: lines.filter((line) => line.tick === victim!.tick),
          }),
        ).toBe(false);
        const history = await historyOf(url, prefix);
        const killed = history.find((run) => run.id === victim!.runId);
        expect(killed).toMatchObject({ status: 'failed', worker: victim!.worker.name });
        expect(killed!.error).toMatch(/interrupted/);
        const takeover = history.find((run) => run.scheduledFor === victim!.tick && run.status === 'succeeded');
        expect(takeover).toMatchObject({ trigger: 'retry', attempt: killed!.attempt + 1 });
        expect(takeover!.worker).not.toBe(victim!.worker.name);
        // The history agrees with the processes: one succeeded run per tick.
        const succeeded = history.filter((run) => run.status === 'succeeded');
        expect(new Set(succeeded.map((run) => run.scheduledFor)).size).toBe(succeeded.length);
        expect(history.filter((run) => run.status === 'running')).toEqual([]);
        // Work was shared.
        expect(new Set(done.map((line) => line.worker)).size).toBeGreaterThanOrEqual(2);
      } finally {
        for (const worker of workers) if (worker.child.exitCode === null) worker.kill('SIGKILL');
        await dropPrefix(url, prefix);
      }
    }, 150_000);

    it(
      'on SIGTERM finishes a run within the drain time, ' + 'or hands it back when the drain time is over',
      async (context) => {
        const status = await server;
        if (!status.ok) return context.skip(status.reason);
        const prefix = prefixOf(randomBytes(4).toString('hex'));
        const dir = mkdtempSync(join(tmpdir(), 'dify-logs-workers-'));
        dirs.push(dir);
        const results = join(dir, 'results.log');
        const base = {
          DB_URL: url,
          PREFIX: prefix,
          RESULTS: results,
          LOCK_MS: '6000',
          PROCESS_EVERY_MS: '300',
          SCHEDULE: '*/5 * * * * *',
        };
        const workers: WorkerProcess[] = [];
        const waitForStart = async (count: number) => {
          while (readResults(results).filter((line) => line.kind === 'start').length < count) await sleep(100);
          return readResults(results).filter((line) => line.kind === 'start')[count - 1]!;
        };
        try {
          // Drain long enough: the run finishes, then the worker exits 0.
          const patient = await startWorker('patient', { ...base, RUN_MS: '3000', DRAIN_MS: '15000' });
          workers.push(patient);
          const first = await waitForStart(1);
          const signalled = Date.now();
          patient.kill('SIGTERM');
          const exit = await patient.exited;
          expect(exit.code).toBe(0);
          expect(exit.at - signalled).toBeLessThan(15_000);
          expect(readResults(results).some((line) => line.kind === 'done' && line.runId === first.runId)).toBe(true);

          // Drain too short: the run is cut off and handed back; the next worker finishes it.
          const hasty = await startWorker('hasty', { ...base, RUN_MS: '60000', DRAIN_MS: '500' });
          workers.push(hasty);
          const second = await waitForStart(2);
          const cut = Date.now();
          hasty.kill('SIGTERM');
          const hastyExit = await hasty.exited;
          expect(hastyExit.code).toBe(0);
          expect(hastyExit.at - cut).toBeLessThan(5000);
          const cutRun = (await historyOf(url, prefix)).find((run) => run.id === second.runId);
          expect(cutRun).toMatchObject({ status: 'failed' });

          const heir = await startWorker('heir', { ...base, RUN_MS: '200', DRAIN_MS: '5000' });
          workers.push(heir);
          const deadline = Date.now() + 20_000;
          let finished: AgendaRun | undefined;
          while (!finished && Date.now() < deadline) {
            finished = (await historyOf(url, prefix)).find(
              (run) => run.scheduledFor === cutRun!.scheduledFor && run.status === 'succeeded',
            );
            if (!finished) await sleep(300);
          }
          expect(finished).toMatchObject({ trigger: 'retry', worker: 'heir' });
          heir.kill('SIGTERM');
          expect((await heir.exited).code).toBe(0);
        } finally {
          for (const worker of workers) if (worker.child.exitCode === null) worker.kill('SIGKILL');
          await dropPrefix(url, prefix);
        }
      },
      90_000,
    );
  });
}

function await_<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
