import { Cron } from 'croner';
import { randomBytes } from 'node:crypto';
import { DifyConfigError, silentLogger, type Logger } from '@dify-logs/core';
import { memoryStateStore } from '@dify-logs/core/pipeline';
import type {
  Deployment,
  DeploymentHandler,
  DeploymentOutcome,
  DeploymentRun,
  Scheduler,
  StateStore,
} from '@dify-logs/core/adapter-kit';
import { assertDeployments } from '@dify-logs/core/adapter-kit';
import { loadSchedulerState, saveSchedulerState, type SchedulerState } from './persisted.js';

export interface CronSchedulerOptions {
  /** Where pause state, the last tick per deployment and the run history live (default: in memory). */
  state?: StateStore;
  /** Runs kept in the history (default 500). */
  historyLimit?: number;
  /** Log lines kept per run (default 200), for the newest `logRuns` runs (default 50). */
  maxLogLines?: number;
  logRuns?: number;
  logger?: Logger;
  name?: string;
}

interface Entry {
  deployment: Deployment;
  cron?: Cron;
  running: boolean;
  paused: boolean;
}

/**
 * The embedded scheduler for one machine: croner timers in this process, history and pause state in a
 * StateStore (a file by default in the CLI), retries with exponential back-off, catch-up of ticks missed
 * while the process was down, and a drain on stop. Several processes must not share one deployment:
 * use `@dify-logs/scheduler-agenda` for that.
 */
export function createCronScheduler(options: CronSchedulerOptions = {}): Scheduler {
  const store = options.state ?? memoryStateStore();
  const logger = (options.logger ?? silentLogger).child({ component: 'scheduler-cron' });
  const historyLimit = options.historyLimit ?? 500;
  const maxLogLines = options.maxLogLines ?? 200;
  const logRuns = options.logRuns ?? 50;
  const entries = new Map<string, Entry>();
  const inflight = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  const retryTimers = new Set<NodeJS.Timeout>();
  let handler: DeploymentHandler | undefined;
  let state: SchedulerState | undefined;
  let stopping = false;
  let saving: Promise<void> = Promise.resolve();

  const persist = () => {
    const snapshot = structuredClone(state!);
    saving = saving
      .then(() => saveSchedulerState(store, snapshot))
      .catch((error: unknown) => logger.error({ err: String(error) }, 'could not save the scheduler state'));
    return saving;
  };

  function entry(name: string): Entry {
    const found = entries.get(name);
    if (!found)
      throw new DifyConfigError(
        'deployment',
        `no deployment named ${JSON.stringify(name)} (have ${[...entries.keys()].join(', ') || 'none'})`,
      );
    return found;
  }

  function record(run: DeploymentRun): void {
    state!.runs.unshift(run);
    if (state!.runs.length > historyLimit) state!.runs.length = historyLimit;
    state!.logs[run.id] = [];
    for (const old of state!.runs.slice(logRuns)) delete state!.logs[old.id];
  }

  function log(run: DeploymentRun, line: string): void {
    const lines = state!.logs[run.id];
    if (!lines) return;
    lines.push(line);
    if (lines.length > maxLogLines) lines.splice(0, lines.length - maxLogLines);
  }

  function execute(
    item: Entry,
    scheduledFor: Date,
    trigger: DeploymentRun['trigger'],
    attempt: number,
    parameters: Record<string, unknown>,
  ): DeploymentRun | undefined {
    if (item.running || stopping) {
      logger.warn({ deployment: item.deployment.name, trigger }, 'still running: this tick is skipped');
      return undefined;
    }
    const { deployment } = item;
    const run: DeploymentRun = {
      id: `${deployment.name}-${scheduledFor.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`,
      deployment: deployment.name,
      job: deployment.job,
      scheduledFor: scheduledFor.toISOString(),
      trigger,
      attempt,
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      summary: null,
      parameters,
    };
    item.running = true;
    record(run);
    if (trigger === 'schedule' || trigger === 'catch-up') state!.lastScheduled[deployment.name] = run.scheduledFor;
    void persist();
    const controller = new AbortController();
    controllers.add(controller);
    const task = (async () => {
      let outcome: DeploymentOutcome;
      try {
        outcome = await handler!(deployment, {
          run,
          scheduledFor,
          parameters,
          signal: controller.signal,
          touch: async () => {},
          log: (line) => log(run, line),
        });
      } catch (error) {
        outcome = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
      }
      Object.assign(run, {
        status: outcome.status,
        finishedAt: new Date().toISOString(),
        error: outcome.error ?? null,
        summary: outcome.summary ?? null,
      });
      item.running = false;
      controllers.delete(controller);
      logger.info(
        { deployment: deployment.name, runId: run.id, status: run.status, attempt },
        'deployment run finished',
      );
      const retries = deployment.retries ?? 2;
      if (run.status === 'failed' && attempt <= retries && !stopping) {
        const delay = (deployment.retryDelaySeconds ?? 60) * 1000 * 2 ** (attempt - 1);
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          execute(item, scheduledFor, 'retry', attempt + 1, parameters);
        }, delay);
        retryTimers.add(timer);
      }
      await persist();
    })();
    inflight.add(task);
    void task.finally(() => inflight.delete(task));
    return run;
  }

  async function catchUp(item: Entry): Promise<void> {
    const { deployment } = item;
    const limit = deployment.catchUp ?? 7;
    const last = state!.lastScheduled[deployment.name];
    if (!item.cron || limit === 0 || !last || item.paused) return;
    // The newest `limit` ticks since the last one run, oldest first.
    const missed = item.cron
      .previousRuns(limit, new Date())
      .filter((tick) => tick.getTime() > Date.parse(last))
      .reverse();
    for (const tick of missed) {
      logger.warn(
        { deployment: deployment.name, tick: tick.toISOString() },
        'catching up a tick missed while the scheduler was down',
      );
      execute(item, tick, 'catch-up', 1, { ...deployment.parameters });
      await Promise.all([...inflight]);
    }
  }

  return {
    name: options.name ?? 'cron',
    async define(deployments, run) {
      assertDeployments(deployments, (schedule, timezone) => new Cron(schedule, { paused: true, timezone }).stop());
      for (const item of entries.values()) item.cron?.stop();
      entries.clear();
      for (const deployment of deployments)
        entries.set(deployment.name, { deployment, running: false, paused: deployment.paused ?? false });
      handler = run;
    },
    async start() {
      if (!handler) throw new DifyConfigError('deployments', 'define() the deployments before start()');
      stopping = false;
      state = await loadSchedulerState(store);
      for (const item of entries.values()) {
        if (state.paused.includes(item.deployment.name)) item.paused = true;
        const { deployment } = item;
        item.cron = new Cron(
          deployment.schedule,
          { timezone: deployment.timezone ?? 'UTC', paused: item.paused },
          (self: Cron) => {
            const tick = self.currentRun() ?? new Date();
            execute(item, new Date(Math.floor(tick.getTime() / 1000) * 1000), 'schedule', 1, {
              ...deployment.parameters,
            });
          },
        );
      }
      for (const item of entries.values()) await catchUp(item);
    },
    async stop(stopOptions = {}) {
      stopping = true;
      for (const item of entries.values()) item.cron?.stop();
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      const drained = Promise.allSettled([...inflight]);
      const drainMs = stopOptions.drainMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), drainMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn({ running: inflight.size }, 'drain time over: aborting the runs still going');
        for (const controller of controllers) controller.abort(new Error('the scheduler is stopping'));
        await Promise.allSettled([...inflight]);
      }
      if (state) await persist();
    },
    async trigger(name, parameters = {}) {
      const item = entry(name);
      if (!state) throw new DifyConfigError('scheduler', 'start() the scheduler before triggering');
      const run = execute(item, new Date(Math.floor(Date.now() / 1000) * 1000), 'manual', 1, {
        ...item.deployment.parameters,
        ...parameters,
      });
      if (!run) throw new DifyConfigError('deployment', `${name} is running already; try again when it has finished`);
      return structuredClone(run);
    },
    async pause(name) {
      const item = entry(name);
      item.paused = true;
      item.cron?.pause();
      if (state && !state.paused.includes(name)) state.paused.push(name);
      if (state) await persist();
    },
    async resume(name) {
      const item = entry(name);
      item.paused = false;
      item.cron?.resume();
      if (state) state.paused = state.paused.filter((paused) => paused !== name);
      if (state) await persist();
    },
    async runs(query = {}) {
      const all = state?.runs ?? (await loadSchedulerState(store)).runs;
      return structuredClone(
        all
          .filter(
            (run) =>
              (!query.deployment || run.deployment === query.deployment) &&
              (!query.status || run.status === query.status),
          )
          .slice(0, query.limit ?? historyLimit),
      );
    },
    async run(id) {
      const current = state ?? (await loadSchedulerState(store));
      const found = current.runs.find((run) => run.id === id);
      return found ? structuredClone({ run: found, logs: current.logs[id] ?? [] }) : undefined;
    },
    next(name, count = 1) {
      const item = entry(name);
      const cron =
        item.cron ?? new Cron(item.deployment.schedule, { paused: true, timezone: item.deployment.timezone ?? 'UTC' });
      const ticks = cron.nextRuns(count);
      if (!item.cron) cron.stop();
      return ticks;
    },
  };
}
