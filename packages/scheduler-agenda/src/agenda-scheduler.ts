import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DifyConfigError, silentLogger, type Logger } from '@dify-logs/core';
import type { Deployment, DeploymentHandler, DeploymentRun, Scheduler } from '@dify-logs/core/adapter-kit';
import { assertDeployments } from '@dify-logs/core/adapter-kit';
import { Agenda, type AgendaBackend, type Job } from 'agenda';
import { executeRun, type ExecutionEnvironment, type RunPlan } from './execute.js';
import { isLive, planRun, type JobData } from './plan.js';
import type { RunHistory } from './state/index.js';
import { checkSchedule, latestTick, nextTicks, ticksBetween, toSecond } from './ticks.js';

export interface AgendaSchedulerOptions {
  /** Agenda's storage: from `openAgendaDatabase(...)`, or any Agenda 6 backend. */
  backend: AgendaBackend;
  /** The shared run history (from `openAgendaDatabase(...)` on the same database). */
  history: RunHistory;
  /** This worker's name in the history and in Agenda's locks (default `host:pid`). */
  worker?: string;
  /**
   * How long a run may go without a heartbeat before another worker takes it over (default 10 min). The worker renews
   * it every third of this while the run is alive.
   */
  lockLifetimeMs?: number;
  /**
   * How often the worker looks for due runs (default 5 000 ms; PostgreSQL and Redis also wake it up at once on new
   * runs).
   */
  processEveryMs?: number;
  /** Runs at once in this worker, over all deployments (default 2). */
  concurrency?: number;
  /** Prefix of Agenda job names (default `dify-logs:`). */
  jobPrefix?: string;
  /** How long `trigger` waits for a worker to start the run (default 60 s). */
  triggerTimeoutMs?: number;
  logger?: Logger;
}

/** The Agenda scheduler: the `Scheduler` contract plus what only a shared queue can do. */
export interface AgendaScheduler extends Scheduler {
  /**
   * The Agenda instance of this worker (for the Agendash dashboard); defined after `start()`. `enqueue`, `backfill`,
   * `pause` and `resume` work without `start()`: they only write to the queue.
   */
  readonly agenda: Agenda | undefined;
  /** Queues a run without waiting for a worker to start it; returns its run id. */
  enqueue(deployment: string, parameters?: Record<string, unknown>): Promise<string>;
  /** Queues one run per tick of the deployment in [from, to), oldest first, each at most once; returns the run ids. */
  backfill(deployment: string, range: { from: Date; to: Date }): Promise<string[]>;
}

interface Entry {
  deployment: Deployment;
  running: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deployments on Agenda 6: one recurring Agenda job per deployment (unique by name, cron with its
 * IANA zone), one-time jobs for manual runs, retries, catch-up and backfill. A run is locked by one
 * worker at a time, its lock renewed while it lives; a run whose worker died is taken over after
 * the lock lifetime and recorded as a retry. Ticks run at most once: the shared history says which
 * ticks already ran.
 */
export function createAgendaScheduler(options: AgendaSchedulerOptions): AgendaScheduler {
  const history = options.history;
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const lockLifetimeMs = options.lockLifetimeMs ?? 600_000;
  const prefix = options.jobPrefix ?? 'dify-logs:';
  const logger = (options.logger ?? silentLogger).child({ component: 'scheduler-agenda', worker });
  const entries = new Map<string, Entry>();
  const inflight = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let handler: DeploymentHandler | undefined;
  let agenda: Agenda | undefined;
  /** An Agenda that only queues (not started): `enqueue`, `backfill`, `pause` from a CLI that is no worker. */
  let queueOnly: Agenda | undefined;

  const jobName = (deployment: string) => `${prefix}${deployment}`;
  const timezone = (deployment: Deployment) => deployment.timezone ?? 'UTC';

  function entry(name: string): Entry {
    const found = entries.get(name);
    if (!found)
      throw new DifyConfigError(
        'deployment',
        `no deployment named ${JSON.stringify(name)} (have ${[...entries.keys()].join(', ') || 'none'})`,
      );
    return found;
  }

  function requireAgenda(): Agenda {
    if (agenda) return agenda;
    queueOnly ??= new Agenda({ backend: options.backend, name: `${worker} (queue only)` });
    return queueOnly;
  }

  /** Queues a one-time run; `key` makes it unique (a second call with the same key adds nothing). */
  async function queueOnce(
    deployment: Deployment,
    data: Omit<JobData, 'deployment' | 'kind'>,
    when: Date,
    key: string,
  ): Promise<void> {
    const job = requireAgenda().create<JobData>(jobName(deployment.name), {
      deployment: deployment.name,
      kind: 'once',
      key,
      ...data,
    });
    job.unique({ 'data.key': key }, { insertOnly: true });
    job.schedule(when);
    try {
      await job.save();
    } catch (error) {
      // Another worker queued the same key between Agenda's check and its insert: the database refused the second.
      if (isDuplicateKey(error)) return;
      throw error;
    }
  }

  const environment: ExecutionEnvironment = {
    history,
    worker,
    lockLifetimeMs,
    logger,
    controllers,
    handler: () => handler!,
    scheduleRetry: async (deployment, run: DeploymentRun, delayMs) =>
      queueOnce(
        deployment,
        {
          trigger: 'retry',
          scheduledFor: run.scheduledFor,
          attempt: run.attempt + 1,
          parameters: run.parameters ?? {},
        },
        new Date(Date.now() + delayMs),
        `retry:${run.id}`,
      ),
  };

  async function processJob(job: Job<JobData>): Promise<void> {
    const item = entries.get(job.attrs.data?.deployment ?? '');
    if (!item) {
      logger.warn({ job: job.attrs.name }, 'a queued run names a deployment this worker does not have: left alone');
      return;
    }
    let plan: RunPlan | undefined;
    try {
      plan = await planRun({
        job,
        deployment: item.deployment,
        history,
        lockLifetimeMs,
        busyHere: item.running,
        logger,
        scheduledTick: () => toSecond(latestTick(item.deployment.schedule, timezone(item.deployment))),
      });
    } catch (error) {
      logger.error(
        { deployment: item.deployment.name, err: String(error) },
        'could not read the run history: the run waits for the next poll',
      );
      throw error;
    }
    if (!plan) return;
    if (plan.trigger === 'schedule')
      await catchUp(item, plan.scheduledFor).catch((error: unknown) =>
        logger.warn({ err: String(error) }, 'could not queue missed ticks'),
      );
    item.running = true;
    const task = executeRun(environment, item.deployment, job, plan).finally(() => {
      item.running = false;
    });
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    inflight.add(settled);
    void settled.finally(() => inflight.delete(settled));
    await task;
  }

  async function ensureRecurring(item: Entry): Promise<void> {
    const instance = requireAgenda();
    const { deployment } = item;
    const name = jobName(deployment.name);
    const existing = (await instance.queryJobs({ name, includeDisabled: true, limit: 100 })).jobs.find(
      (job) => job.type === 'single',
    );
    const same =
      existing &&
      existing.repeatInterval === deployment.schedule &&
      (existing.repeatTimezone ?? 'UTC') === timezone(deployment);
    if (!same) {
      // A new or changed schedule; a schedule left as it was keeps its next run (overdue after downtime: it runs now).
      const job = await instance.every(deployment.schedule, name, { deployment: deployment.name } satisfies JobData, {
        timezone: timezone(deployment),
        skipImmediate: true,
      });
      if (existing?.disabled) await instance.disable({ id: String(job.attrs._id) });
    }
    if (deployment.paused)
      await instance.disable({ id: String(existing?._id ?? (await recurringId(deployment.name))) });
  }

  async function recurringId(name: string): Promise<string> {
    const found = (
      await requireAgenda().queryJobs({ name: jobName(name), includeDisabled: true, limit: 100 })
    ).jobs.find((job) => job.type === 'single');
    if (!found)
      throw new DifyConfigError('deployment', `${name} has no scheduled job yet: start() the scheduler first`);
    return String(found._id);
  }

  /**
   * Ticks missed since the newest tick in the history and before `until` (no worker ran, or a worker
   * died holding the lock) are queued once each, at most the newest `catchUp`. On start `until` is
   * the latest tick, which Agenda runs itself when it is overdue.
   */
  async function catchUp(item: Entry, until: Date): Promise<void> {
    const { deployment } = item;
    const limit = deployment.catchUp ?? 7;
    if (limit === 0 || deployment.paused) return;
    const recent = await history.list({ deployment: deployment.name, limit: 50 });
    const newest = recent
      .map((run) => (run.trigger === 'schedule' || run.trigger === 'catch-up' ? Date.parse(run.scheduledFor) : 0))
      .reduce((a, b) => Math.max(a, b), 0);
    if (newest === 0) return;
    for (const tick of ticksBetween(deployment.schedule, timezone(deployment), new Date(newest), until, limit)) {
      logger.warn(
        { deployment: deployment.name, tick: tick.toISOString() },
        'catching up a tick missed while no worker ran',
      );
      await queueOnce(
        deployment,
        { trigger: 'catch-up', scheduledFor: tick.toISOString(), parameters: { ...deployment.parameters } },
        new Date(),
        `tick:${deployment.name}:${tick.toISOString()}`,
      );
    }
  }

  async function enqueue(name: string, parameters: Record<string, unknown> = {}): Promise<string> {
    const item = entry(name);
    const running = (await history.list({ deployment: name, status: 'running', limit: 5 })).filter((run) =>
      isLive(run, lockLifetimeMs),
    );
    if (item.running || running.length > 0)
      throw new DifyConfigError('deployment', `${name} is running already; try again when it has finished`);
    const scheduledFor = toSecond(new Date()).toISOString();
    const runId = `${name}-${scheduledFor.replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
    await queueOnce(
      item.deployment,
      { trigger: 'manual', scheduledFor, parameters: { ...item.deployment.parameters, ...parameters }, runId },
      new Date(),
      `manual:${runId}`,
    );
    return runId;
  }

  return {
    name: 'agenda',
    get agenda() {
      return agenda;
    },
    async define(deployments, run) {
      assertDeployments(deployments, checkSchedule);
      entries.clear();
      for (const deployment of deployments) entries.set(deployment.name, { deployment, running: false });
      handler = run;
    },
    async start() {
      if (!handler) throw new DifyConfigError('deployments', 'define() the deployments before start()');
      agenda = new Agenda({
        backend: options.backend,
        name: worker,
        processEvery: options.processEveryMs ?? 5000,
        maxConcurrency: options.concurrency ?? 2,
        defaultLockLifetime: lockLifetimeMs,
      });
      agenda.on('error', (error: Error) => logger.error({ err: error.message }, 'agenda reported an error'));
      for (const item of entries.values())
        agenda.define<JobData>(jobName(item.deployment.name), processJob, {
          concurrency: 1,
          lockLimit: 1,
          lockLifetime: lockLifetimeMs,
        });
      // Jobs are written (a paused one disabled) before this worker starts taking them.
      for (const item of entries.values()) await ensureRecurring(item);
      await agenda.start();
      for (const item of entries.values())
        await catchUp(item, toSecond(latestTick(item.deployment.schedule, timezone(item.deployment))));
    },
    async stop(stopOptions = {}) {
      if (queueOnly) await queueOnly.stop(false).catch(() => undefined);
      queueOnly = undefined;
      if (!agenda) return;
      const drainMs = stopOptions.drainMs ?? 30_000;
      const result = await agenda.drain({ timeout: Math.max(drainMs, 1), closeConnection: false });
      if (result.timedOut || inflight.size > 0) {
        logger.warn(
          { running: inflight.size },
          'drain time over: aborting the runs still going (each is handed back as a retry)',
        );
        for (const controller of controllers) controller.abort(new Error('the worker is stopping'));
        await Promise.race([Promise.allSettled([...inflight]), sleep(10_000)]);
      }
      agenda = undefined;
    },
    async trigger(name, parameters = {}) {
      const runId = await enqueue(name, parameters);
      const deadline = Date.now() + (options.triggerTimeoutMs ?? 60_000);
      for (;;) {
        const found = await history.get(runId);
        if (found) return found.run;
        if (Date.now() > deadline)
          throw new DifyConfigError(
            'deployment',
            `no worker started ${name} within ${Math.round((options.triggerTimeoutMs ?? 60_000) / 1000)}` +
              ` s; the run stays queued (${runId})`,
          );
        await sleep(100);
      }
    },
    enqueue,
    async backfill(name, range) {
      const item = entry(name);
      const ticks = ticksBetween(
        item.deployment.schedule,
        timezone(item.deployment),
        new Date(range.from.getTime() - 1),
        range.to,
        10_000,
      );
      const ids: string[] = [];
      for (const tick of ticks) {
        const runId = `${name}-backfill-${tick.toISOString().replace(/[-:.]/g, '')}`;
        await queueOnce(
          item.deployment,
          {
            trigger: 'backfill',
            scheduledFor: tick.toISOString(),
            parameters: { ...item.deployment.parameters },
            runId,
          },
          new Date(),
          `backfill:${name}:${tick.toISOString()}`,
        );
        ids.push(runId);
      }
      return ids;
    },
    async pause(name) {
      entry(name);
      await requireAgenda().disable({ id: await recurringId(name) });
    },
    async resume(name) {
      entry(name);
      await requireAgenda().enable({ id: await recurringId(name) });
    },
    runs: (query = {}) => history.list(query),
    run: (id) => history.get(id),
    next(name, count = 1) {
      const { deployment } = entry(name);
      return nextTicks(deployment.schedule, timezone(deployment), count);
    },
  };
}

/** A unique-index violation (PostgreSQL 23505, MongoDB 11000), also when wrapped as a cause. */
function isDuplicateKey(error: unknown): boolean {
  for (
    let current = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    current && depth < 5;
    depth++
  ) {
    if (current.code === '23505' || current.code === 11000) return true;
    current = current.cause as typeof current;
  }
  return false;
}
