import type { DifyClient } from '../client/create-client.js';
import type { LogQuery } from '../client/endpoints/logs.js';
import type { DifyLogItem } from '../client/schemas/dify.js';
import { droppedRows, type DroppedRow } from '../client/schemas/salvage.js';

export interface LogWindowOptions extends Omit<LogQuery, 'page' | 'createdBefore' | 'createdAfter'> {
  /** Inclusive start (log time). */
  createdAfter?: Date | string;
  /** Inclusive end (log time); default: the moment the walk starts, frozen so live inserts cannot shift pages. */
  createdBefore?: Date | string;
  /** Widens the start by this many seconds, for incremental pulls (duplicates are dropped by log id). */
  overlapSeconds?: number;
  /** Stop after this many list requests. */
  maxPages?: number;
  /** Called after each list request; `dropped`: rows of that page that could not be kept (see droppedRows). */
  onPage?: (info: { page: number; items: number; total: number; dropped: DroppedRow[] }) => void;
  now?: () => Date;
}

const SECOND = 1000;
/** Complete passes over one crowded second before giving up on rows Dify's shuffled order keeps hiding. */
const MAX_PASSES = 50;

/**
 * Walks a time window of workflow logs, newest first, without the drift of offset paging:
 * after each page the upper bound moves down to the last item's second (+1 s, since Dify rounds
 * times down to the second) and paging restarts at page 1.
 *
 * Dify orders rows by `created_at` only, at whole seconds, so the rows of one second come back in a different order
 * from one request to the next, and an offset page boundary inside a second can skip or repeat rows. So the rows of
 * a second are only yielded once the page holds all of them (an older row follows them), and a second that fills a
 * whole page is read as a window of its own, all its pages, again until every one of its `total` rows was seen.
 * Rows are yielded by second, newest first, and by log id within a second (the same order for any page size).
 */
export async function* walkLogWindow(client: DifyClient, options: LogWindowOptions = {}): AsyncGenerator<DifyLogItem> {
  const {
    createdAfter,
    createdBefore,
    overlapSeconds = 0,
    maxPages = Number.POSITIVE_INFINITY,
    onPage,
    now = () => new Date(),
    ...query
  } = options;
  const after =
    createdAfter === undefined ? undefined : new Date(new Date(createdAfter).getTime() - overlapSeconds * SECOND);
  let before = ceilSecond(createdBefore === undefined ? now() : new Date(createdBefore));
  /** Log ids already yielded whose time may still come back at the current boundary, with their second. */
  let seen = new Map<string, number>();
  let requests = 0;

  const list = async (from: Date | undefined, to: Date, page: number) => {
    requests += 1;
    const result = await client.logPage({ ...query, createdAfter: from, createdBefore: to, page });
    onPage?.({ page: requests, items: result.data.length, total: result.total, dropped: droppedRows(result) });
    return result;
  };
  /** The rows not yielded yet, in yield order: by second (newest first), then by log id. */
  function* fresh(rows: DifyLogItem[]): Generator<DifyLogItem> {
    const sorted = rows
      .filter((row) => !seen.has(row.id))
      .sort((a, b) => secondOf(b.created_at) - secondOf(a.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const row of sorted) {
      if (seen.has(row.id)) continue;
      seen.set(row.id, secondOf(row.created_at));
      yield row;
    }
  }

  let page = 1;
  while (requests < maxPages) {
    const result = await list(after, before, page);
    const rows = result.data;
    // The cursor follows what Dify returned, also when the client filtered the page itself.
    const last = result.scanned ? result.scanned.last : rows.at(-1);
    if (!result.has_more || !last) {
      yield* fresh(rows);
      return;
    }

    const lastSecond = secondOf(last.created_at);
    if (!Number.isFinite(lastSecond)) {
      // A time that does not parse: nothing to narrow by, so plain offset pages for this window.
      yield* fresh(rows);
      page += 1;
      continue;
    }
    page = 1;
    if (requests >= maxPages) {
      // Told to stop here: the page's last second may be incomplete, but what was read is given.
      yield* fresh(rows);
      return;
    }
    // Rows the client's own filters left out count as read too (Dify returned them).
    const newer = (result.scanned?.rows ?? rows).filter(
      (row) => secondOf(row.created_at) > lastSecond && !seen.has(row.id),
    );
    if (newer.length > 0) {
      // Every second newer than the page's last one is whole here; the last one is read again from the next page.
      const kept = new Set(rows.map((row) => row.id));
      yield* fresh(newer.filter((row) => kept.has(row.id)));
      for (const row of newer) seen.set(row.id, secondOf(row.created_at));
      before = new Date((lastSecond + 1) * SECOND);
    } else {
      // The page is one second (more rows than a page share it): read that second alone, completely.
      yield* fresh(await readSecond(lastSecond));
      before = new Date(lastSecond * SECOND);
    }
    seen = keepBoundary(seen, Math.floor(before.getTime() / SECOND));
  }

  /** Every row of one second (and of the instant after it, which the inclusive bound also matches). */
  async function readSecond(second: number): Promise<DifyLogItem[]> {
    const from = after && after.getTime() > second * SECOND ? after : new Date(second * SECOND);
    const to = new Date((second + 1) * SECOND);
    const rows = new Map<string, DifyLogItem>();
    /** Every id Dify returned for the second, kept by the client's own filters or not: what `total` counts. */
    const scanned = new Set<string>();
    for (let pass = 0; pass < MAX_PASSES; pass += 1) {
      let total = 0;
      for (let page = 1; ; page += 1) {
        if (requests >= maxPages) return [...rows.values()];
        const result = await list(from, to, page);
        total = result.total;
        for (const row of result.data) rows.set(row.id, row);
        for (const row of result.scanned?.rows ?? result.data) scanned.add(row.id);
        if (!result.has_more || (result.scanned?.items ?? result.data.length) === 0) break;
      }
      if (scanned.size >= total) break;
    }
    return [...rows.values()];
  }
}

/**
 * The ids that the next query (`created_at <= lastSecond + 1 s`) can return again: those logged in
 * the last second or the one after. Everything newer is behind the cursor for good.
 */
export function keepBoundary(seen: ReadonlyMap<string, number>, lastSecond: number): Map<string, number> {
  const kept = new Map<string, number>();
  for (const [id, second] of seen) if (second <= lastSecond + 1) kept.set(id, second);
  return kept;
}

function ceilSecond(date: Date): Date {
  return new Date(Math.ceil(date.getTime() / SECOND) * SECOND);
}

function secondOf(value: number | string): number {
  if (typeof value === 'number') return Math.floor(value);
  return Math.floor(Date.parse(value) / SECOND);
}
