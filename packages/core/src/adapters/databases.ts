/**
 * What the database packages (`@dify-logs/postgres`, `@dify-logs/redis`, `@dify-logs/mongodb`) share: the run history
 * contract and its memory implementation, the database a scheduler's workers meet in, and the checks and error
 * wrapping every store uses. Driver-free.
 */
import { DifyConfigError } from '../errors/config-error.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import { DifyStorageError } from '../errors/storage-error.js';
import { connectionSecrets, redactConnectionString as redact, scrub } from '../logging/redact.js';
import type { EnrichmentLevel } from './run-cache.js';
import type { DeploymentRun, DeploymentRunDetail } from './scheduler.js';
import type { AppState, StateStore } from './state.js';

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
  /**
   * Appends log lines to a run, keeping at most the last `maxLogLines` (default 500) per run. Lines of an unknown run
   * are dropped.
   */
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

/** Which database a scheduler's workers meet in (the `type` of its database plugin). */
export type DatabaseKind = 'mongodb' | 'postgres' | 'redis';

/**
 * One database shared by a scheduler's backend (jobs and locks), the pipeline state and the run history: what a
 * `database` plugin's `open` gives. `Backend` is the scheduler's own (Agenda's `AgendaBackend`).
 */
export interface SchedulerDatabase<Backend = unknown> {
  readonly kind: DatabaseKind;
  /** The connection string with its password hidden, for logs. */
  readonly description: string;
  readonly backend: Backend;
  readonly state: StateStore;
  readonly history: RunHistory;
  /** Throws when the database does not answer (readiness). */
  ping(): Promise<void>;
  /** Closes what was opened for it (a shared pool or client ends with its last user). */
  close(): Promise<void>;
}

/** What a `database` plugin's `open` takes besides the connection string. */
export interface SchedulerDatabaseOptions {
  /**
   * Prefix of every table, collection or key (default `dify_logs_`; `dify-logs:` for Redis). Separates tenants sharing
   * one database.
   */
  prefix?: string;
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

/** A connection string with its password hidden (`postgres://user:***@host/db`), for messages and logs. */
export const redactConnectionString = redact;

/** The connection string and its password as written, decoded and percent-encoded, to scrub from driver messages. */
export const secretsOf = connectionSecrets;

/** Throws a DifyConfigError naming `key` unless `value` matches. */
export function assertPrefix(key: string, value: string, pattern: RegExp, rule: string): void {
  if (!pattern.test(value)) throw new DifyConfigError(key, `${JSON.stringify(value)} ${rule}`);
}

/** A table/collection prefix: it becomes part of identifiers, so only identifier characters. */
export const IDENTIFIER_PREFIX = /^[A-Za-z0-9_]{0,40}$/;
export const IDENTIFIER_RULE = 'may only hold letters, digits and _ (at most 40)';

/** Checks `connectionString` / client options: exactly one of them. */
export function assertOneSource(names: [string, string], given: [unknown, unknown]): void {
  if (given[0] === undefined && given[1] === undefined)
    throw new DifyConfigError(names[0], `give either ${names[0]} or ${names[1]}`);
  if (given[0] !== undefined && given[1] !== undefined)
    throw new DifyConfigError(names[0], `give either ${names[0]} or ${names[1]}, not both`);
}

/**
 * A database failure as a retryable DifyStorageError naming what was done to which table or key; passwords scrubbed.
 */
export function databaseError(
  adapter: string,
  action: string,
  target: string,
  error: unknown,
  secrets: string[],
): DifyLogsError {
  if (DifyLogsError.isInstance(error)) return error;
  const message = scrub(error instanceof Error ? error.message : String(error), secrets);
  return new DifyStorageError(adapter, 'storage_failed', `could not ${action} ${target}: ${message}`, {
    key: target,
    cause: error,
    isRetryable: true,
  });
}

/** Runs `operation`, turning its failure into `databaseError`. */
export async function attempt<T>(
  adapter: string,
  action: string,
  target: string,
  secrets: string[],
  operation: () => Promise<T>,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw databaseError(adapter, action, target, error, secrets);
  }
}

/** A fresh empty state (never the frozen EMPTY_APP_STATE). */
export const emptyAppState = (): AppState => ({ watermark: null, recent: {}, pending: {} });

/** Checks what a database returned is an AppState (a JSON string or an object). */
export function toAppState(adapter: string, target: string, stored: unknown): AppState {
  let value = stored;
  try {
    if (typeof value === 'string') value = JSON.parse(value) as unknown;
  } catch {
    value = undefined;
  }
  const state = value as Partial<AppState> | undefined;
  const isMap = (map: unknown) => typeof map === 'object' && map !== null && !Array.isArray(map);
  if (
    !state ||
    !isMap(state) ||
    !(state.watermark === null || typeof state.watermark === 'string') ||
    !isMap(state.recent) ||
    !isMap(state.pending)
  ) {
    throw new DifyStorageError(
      adapter,
      'storage_failed',
      `${target} does not hold a dify-logs app state; delete it to start that app over`,
      { key: target },
    );
  }
  return { watermark: state.watermark, recent: state.recent!, pending: state.pending! };
}

/** Parses a stored JSON document; an unreadable one is an error naming where it is. */
export function parseDocument(adapter: string, target: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DifyStorageError(
      adapter,
      'storage_failed',
      `${target} does not hold JSON (${(error as Error).message})`,
      { key: target },
    );
  }
}

/** An enrichment level as bits (details 1, nodes 2, node data 4), so a database can compare levels. */
export function levelBits(level: EnrichmentLevel): number {
  return (level.details ? 1 : 0) | (level.nodes ? 2 : 0) | (level.nodeData ? 4 : 0);
}

/** A name as a key segment: `:` and `/` and everything else unsafe percent-encoded, so segments never run together. */
export const keySegment = (name: string) => encodeURIComponent(name);

/** Quotes a name for a message. */
export const quoted = (name: string) => JSON.stringify(name);
