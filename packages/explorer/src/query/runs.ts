import type { RunSummary } from '../index/rows.js';
import type { RunReader } from '../index/records.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type RunFilter, Where } from './filters.js';
import { BadParameterError } from './params.js';

export type { RunSummary } from '../index/rows.js';

export interface RunPage {
  runs: RunSummary[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

type Position = [createdAt: string, appId: string, logId: string];
type Key = [...Position, seq: bigint];

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(position) && position.length === 3 && position.every((item) => typeof item === 'string'))
      return position as Position;
  } catch {
    // answered below
  }
  throw new BadParameterError('cursor', 'is not a cursor this API gave (pass nextCursor as it is)');
}

/**
 * A page of runs, newest first (by start time, then app and log id: a stable order), after `cursor`. The page's keys
 * are found first and only its records are read back.
 */
export async function listRuns(
  reader: DuckDBConnection,
  filter: RunFilter,
  options: { limit: number; cursor?: string },
): Promise<RunPage> {
  const where = new Where().filter(filter);
  if (options.cursor) {
    const [createdAt, appId, logId] = decodeCursor(options.cursor);
    const [c, a, l] = [where.value(createdAt), where.value(appId), where.value(logId)];
    where.add(`(created_at < ${c} OR (created_at = ${c} AND (app_id < ${a} OR (app_id = ${a} AND log_id < ${l}))))`);
  }
  const keys = await reader.runAndReadAll(
    `SELECT created_at, app_id, log_id, seq FROM runs ${where.sql}
     ORDER BY created_at DESC, app_id DESC, log_id DESC LIMIT ${options.limit + 1}`,
    where.values,
  );
  const found = keys.getRows() as unknown as Key[];
  const page = found.slice(0, options.limit);
  if (page.length === 0) return { runs: [], nextCursor: null };
  // Only the page's records are read, by row number (whole row groups are skipped by their min/max).
  const numbers = page.map((key) => key[3]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const records = await reader.runAndReadAll(
    `SELECT seq, summary FROM runs WHERE seq BETWEEN ${numbers[0]} AND ${numbers[numbers.length - 1]}
       AND seq IN (${numbers.join(', ')})`,
  );
  const bySeq = new Map<bigint, string>();
  for (const [seq, summary] of records.getRows()) bySeq.set(seq as bigint, String(summary));
  const runs = page.flatMap((key) => {
    const summary = bySeq.get(key[3]);
    return summary === undefined ? [] : [JSON.parse(summary) as RunSummary];
  });
  const [createdAt, appId, logId] = page[page.length - 1]!;
  return { runs, nextCursor: found.length > options.limit ? encodeCursor([createdAt, appId, logId]) : null };
}

/** The JSON of a run (by run id, or log id for a run Dify lost), read from its archive part, or undefined. */
export async function runJson(reader: DuckDBConnection, runs: RunReader, id: string): Promise<string | undefined> {
  const result = await reader.runAndReadAll(
    `SELECT part, format, line, log_id FROM runs WHERE run_id = $1 OR log_id = $1
     ORDER BY run_id = $1 DESC LIMIT 1`,
    [id],
  );
  const row = result.getRows()[0];
  if (!row) return undefined;
  const [part, format, number, logId] = row;
  return runs.read({
    part: String(part),
    format: format === null ? null : String(format),
    number: Number(number),
    logId: String(logId),
  });
}
