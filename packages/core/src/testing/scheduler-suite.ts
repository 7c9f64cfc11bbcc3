import type { TestRunner } from './runner.js';
import type {
  Deployment,
  DeploymentContext,
  DeploymentHandler,
  DeploymentRun,
  Scheduler,
} from '../adapters/scheduler.js';

export interface SchedulerSuiteOptions {
  name: string;
  /** A fresh scheduler for each test, on a clean store. */
  create: () => Scheduler | Promise<Scheduler>;
  cleanup?: (scheduler: Scheduler) => void | Promise<void>;
  /** How long the scheduler may take to pick up a due run (polling backends); default 2 000 ms. */
  pickupMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const everySecond = (name: string, extra: Partial<Deployment> = {}): Deployment => ({
  name,
  job: 'nightly',
  schedule: '* * * * * *',
  timezone: 'UTC',
  retries: 0,
  catchUp: 0,
  ...extra,
});
const never = (name: string, extra: Partial<Deployment> = {}): Deployment => ({
  name,
  job: 'nightly',
  schedule: '0 0 1 1 *',
  timezone: 'UTC',
  retries: 0,
  catchUp: 0,
  ...extra,
});

/**
 * The Scheduler contract as tests: cron ticks run, manual triggers run once, pause and resume, retries
 * with back-off, no overlapping runs of one deployment, drain on stop, run history.
 */
export function testScheduler(runner: TestRunner, options: SchedulerSuiteOptions): void {
  const { afterEach, describe, expect, it } = runner;
  const pickup = options.pickupMs ?? 2000;
  describe(`Scheduler conformance: ${options.name}`, () => {
    let scheduler: Scheduler | undefined;
    afterEach(async () => {
      if (scheduler) {
        await scheduler.stop({ drainMs: 0 });
        await options.cleanup?.(scheduler);
        scheduler = undefined;
      }
    });

    it('runs a deployment on its cron ticks and records every run', async () => {
      scheduler = await options.create();
      const seen: Array<{ deployment: string; scheduledFor: Date }> = [];
      await scheduler.define([everySecond('ticks')], async (deployment, context) => {
        seen.push({ deployment: deployment.name, scheduledFor: context.scheduledFor });
        return { status: 'succeeded', summary: { records: 3 } };
      });
      await scheduler.start();
      await until(async () => (seen.length >= 2 ? true : undefined), 3000 + pickup, 'two ticks');
      const runs = await until(
        async () => {
          const found = await scheduler!.runs({ deployment: 'ticks' });
          return found.filter((run) => run.status === 'succeeded').length >= 2 ? found : undefined;
        },
        2000,
        'two recorded runs',
      );
      expect(runs[0]).toMatchObject({
        deployment: 'ticks',
        job: 'nightly',
        trigger: 'schedule',
        attempt: 1,
        error: null,
      });
      expect(runs.filter((run) => run.status === 'succeeded')[0]!.summary).toEqual({ records: 3 });
      expect(Date.parse(runs[0]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[1]!.startedAt));
      expect(seen.every((entry) => entry.scheduledFor.getUTCMilliseconds() === 0)).toBe(true);
      expect(scheduler.next('ticks', 3)).toHaveLength(3);
    });

    it('runs a manual trigger once, with merged parameters, outside the schedule', async () => {
      scheduler = await options.create();
      const contexts: DeploymentContext[] = [];
      await scheduler.define(
        [never('weekly', { parameters: { window: 'last_week', keep: 1 } })],
        async (_deployment, context) => {
          contexts.push(context);
          context.log('first line of the run');
          context.log('second line');
          return { status: 'partial', error: 'one app failed' };
        },
      );
      await scheduler.start();
      const started = await scheduler.trigger('weekly', { window: 'custom' });
      expect(started).toMatchObject({ deployment: 'weekly', trigger: 'manual' });
      const run = await until(
        async () =>
          (await scheduler!.runs({ deployment: 'weekly' })).find((candidate) => candidate.status !== 'running'),
        pickup + 2000,
        'the manual run',
      );
      expect(run).toMatchObject({ status: 'partial', error: 'one app failed', attempt: 1 });
      expect(contexts).toHaveLength(1);
      expect(contexts[0]!.parameters).toEqual({ window: 'custom', keep: 1 });
      const detail = await until(
        async () => {
          const found = await scheduler!.run(started.id);
          return found && found.logs.length >= 2 ? found : undefined;
        },
        3000,
        'the run with its log lines',
      );
      expect(detail.run).toMatchObject({
        id: started.id,
        status: 'partial',
        parameters: { window: 'custom', keep: 1 },
      });
      expect(detail.logs).toEqual(['first line of the run', 'second line']);
      expect(await scheduler.run('no-such-run')).toBeUndefined();
      await expect(scheduler.trigger('nope')).rejects.toThrow(/nope/);
    });

    it('pauses and resumes a deployment', async () => {
      scheduler = await options.create();
      let count = 0;
      await scheduler.define([everySecond('paused', { paused: true })], async () => {
        count += 1;
        return { status: 'succeeded' };
      });
      await scheduler.start();
      await sleep(1500);
      expect(count).toBe(0);
      await scheduler.resume('paused');
      await until(async () => (count >= 1 ? true : undefined), 2500 + pickup, 'a run after resume');
      await scheduler.pause('paused');
      await sleep(300);
      const frozen = count;
      await sleep(1500);
      expect(count).toBe(frozen);
    });

    it('retries a failed run with back-off, then records it failed with the error', async () => {
      scheduler = await options.create();
      const attempts: number[] = [];
      await scheduler.define([never('flaky', { retries: 2, retryDelaySeconds: 0.1 })], async (_deployment, context) => {
        attempts.push(context.run.attempt);
        throw new Error(`attempt ${context.run.attempt} broke`);
      });
      await scheduler.start();
      await scheduler.trigger('flaky');
      const runs = await until(
        async () => {
          const found = await scheduler!.runs({ deployment: 'flaky', status: 'failed' });
          return found.length >= 3 ? found : undefined;
        },
        3 * pickup + 3000,
        'three failed attempts',
      );
      expect(attempts).toEqual([1, 2, 3]);
      expect(runs.map((run) => run.attempt).sort()).toEqual([1, 2, 3]);
      expect(runs.find((run) => run.attempt === 3)).toMatchObject({ error: 'attempt 3 broke', trigger: 'retry' });
    });

    it('never runs one deployment twice at once', async () => {
      scheduler = await options.create();
      let running = 0;
      let most = 0;
      let done = 0;
      await scheduler.define([everySecond('slow')], async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(1800);
        running -= 1;
        done += 1;
        return { status: 'succeeded' };
      });
      await scheduler.start();
      await until(async () => (done >= 1 ? true : undefined), 5000 + pickup, 'a slow run to finish');
      expect(most).toBe(1);
    });

    it('stop waits for a running run within the drain time, and aborts it after', async () => {
      scheduler = await options.create();
      const outcomes: string[] = [];
      const handler: DeploymentHandler = async (_deployment, context) => {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Number(context.parameters.ms));
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        outcomes.push(context.signal.aborted ? 'aborted' : 'finished');
        return { status: context.signal.aborted ? 'failed' : 'succeeded' };
      };
      await scheduler.define([never('drain')], handler);
      await scheduler.start();
      await scheduler.trigger('drain', { ms: 400 });
      await until(
        async () => (await scheduler!.runs({ deployment: 'drain', status: 'running' }))[0],
        pickup,
        'the run to start',
      );
      await scheduler.stop({ drainMs: 5000 });
      expect(outcomes).toEqual(['finished']);
      const history: DeploymentRun[] = await scheduler.runs({ deployment: 'drain' });
      expect(history[0]).toMatchObject({ status: 'succeeded' });
      await options.cleanup?.(scheduler);

      scheduler = await options.create();
      await scheduler.define([never('drain')], handler);
      await scheduler.start();
      await scheduler.trigger('drain', { ms: 10_000 });
      await until(
        async () => (await scheduler!.runs({ deployment: 'drain', status: 'running' }))[0],
        pickup,
        'the long run to start',
      );
      const stopping = Date.now();
      await scheduler.stop({ drainMs: 200 });
      expect(Date.now() - stopping).toBeLessThan(3000);
      expect(outcomes).toEqual(['finished', 'aborted']);
    });
  });
}
