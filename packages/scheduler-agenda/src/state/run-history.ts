import { DifyConfigError, type DeploymentRun, type DeploymentRunDetail } from '@dify-logs/core';

export interface RunHistoryQuery {
  deployment?: string;
  status?: DeploymentRun['status'];
  /** Default 50. */
  limit?: number;
}

/** The deployment runs of every worker on one database, with each run's own log lines. */
export interface RunHistory {
  /** Inserts or replaces the run by id (fields beyond `DeploymentRun` are kept). Its log lines stay. */
  save(run: DeploymentRun): Promise<void>;
  /** Appends log lines to a run, keeping at most the last `maxLogLines` (default 500) per run. Lines of an unknown run are dropped. */
  appendLogs(id: string, lines: string[]): Promise<void>;
  /** Newest first by startedAt (then by id); filters optional; default limit 50. */
  list(query?: RunHistoryQuery): Promise<DeploymentRun[]>;
  get(id: string): Promise<DeploymentRunDetail | undefined>;
  /** Deletes runs started before this time, with their logs; returns how many. */
  prune(before: Date): Promise<number>;
  close?(): Promise<void>;
}

export interface RunHistoryOptions {
  /** Log lines kept per run, the last ones (default 500). */
  maxLogLines?: number;
}

export const DEFAULT_LIST_LIMIT = 50;

/** `maxLogLines`, checked. */
export function maxLogLinesOf(options: RunHistoryOptions): number {
  const max = options.maxLogLines ?? 500;
  if (!Number.isInteger(max) || max < 1)
    throw new DifyConfigError('maxLogLines', `${String(max)} is not a whole number of at least 1`);
  return max;
}

/** The `limit` of a query: default 50, never negative. */
export const limitOf = (query: RunHistoryQuery) => Math.max(0, Math.floor(query.limit ?? DEFAULT_LIST_LIMIT));

/** A run's start as milliseconds (what databases sort and prune by). */
export function startedAtMs(run: DeploymentRun): number {
  const time = Date.parse(run.startedAt);
  if (Number.isNaN(time))
    throw new DifyConfigError(
      'run.startedAt',
      `${JSON.stringify(run.startedAt)} of run ${JSON.stringify(run.id)} is not a time`,
    );
  return time;
}

/** Newest first by startedAt, then by id (descending), as every backend orders. */
export function newestFirst(left: DeploymentRun, right: DeploymentRun): number {
  return (
    Date.parse(right.startedAt) - Date.parse(left.startedAt) || (left.id < right.id ? 1 : left.id > right.id ? -1 : 0)
  );
}

/** Run history in memory: for tests and a single worker. */
export function memoryRunHistory(options: RunHistoryOptions = {}): RunHistory {
  const maxLogLines = maxLogLinesOf(options);
  const runs = new Map<string, { run: DeploymentRun; logs: string[] }>();
  return {
    async save(run) {
      startedAtMs(run);
      runs.set(run.id, { run: structuredClone(run), logs: runs.get(run.id)?.logs ?? [] });
    },
    async appendLogs(id, lines) {
      const entry = runs.get(id);
      if (!entry) return;
      entry.logs = [...entry.logs, ...lines].slice(-maxLogLines);
    },
    async list(query = {}) {
      return [...runs.values()]
        .map((entry) => entry.run)
        .filter(
          (run) =>
            (query.deployment === undefined || run.deployment === query.deployment) &&
            (query.status === undefined || run.status === query.status),
        )
        .sort(newestFirst)
        .slice(0, limitOf(query))
        .map((run) => structuredClone(run));
    },
    async get(id) {
      const entry = runs.get(id);
      return entry ? { run: structuredClone(entry.run), logs: [...entry.logs] } : undefined;
    },
    async prune(before) {
      let deleted = 0;
      for (const [id, entry] of runs) {
        if (Date.parse(entry.run.startedAt) < before.getTime()) {
          runs.delete(id);
          deleted += 1;
        }
      }
      return deleted;
    },
  };
}
