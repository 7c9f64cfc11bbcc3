import { DifyConfigError, DifyLogsError, DifyStorageError, type AppState, type EnrichmentLevel } from '@dify-logs/core';
import {
  connectionSecrets,
  redactConnectionString as coreRedactConnectionString,
  scrub,
} from '@dify-logs/core/adapter-kit';

/** A connection string with its password hidden (`postgres://user:***@host/db`), for messages and logs; a password holding spaces, `/` or `@` is hidden whole. */
export const redactConnectionString = coreRedactConnectionString;

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

/** A database failure as a retryable DifyStorageError naming what was done to which table or key; passwords scrubbed. */
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
