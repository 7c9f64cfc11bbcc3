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

/**
 * Walks a time window of workflow logs, newest first, without the drift of offset paging:
 * after each page the upper bound moves down to the last item's second (+1 s, since Dify rounds
 * times down to the second) and paging restarts at page 1. Items seen at the boundary are dropped
 * by log id. Offset paging (page + 1) is used only while a single second holds more than a page.
 */
export async function* walkLogWindow(client: DifyClient, options: LogWindowOptions = {}): AsyncGenerator<DifyLogItem> {
  const { createdAfter, createdBefore, overlapSeconds = 0, maxPages = Number.POSITIVE_INFINITY, onPage, now = () => new Date(), ...query } = options;
  const after = createdAfter === undefined ? undefined : new Date(new Date(createdAfter).getTime() - overlapSeconds * SECOND);
  let before = ceilSecond(createdBefore === undefined ? now() : new Date(createdBefore));
  let page = 1;
  /** Log ids already yielded whose time may still come back at the current boundary, with their second. */
  let boundary = new Map<string, number>();

  for (let requests = 0; requests < maxPages; requests += 1) {
    const result = await client.logPage({ ...query, createdAfter: after, createdBefore: before, page });
    onPage?.({ page: requests + 1, items: result.data.length, total: result.total, dropped: droppedRows(result) });
    for (const item of result.data) {
      if (boundary.has(item.id)) continue;
      boundary.set(item.id, secondOf(item.created_at));
      yield item;
    }
    // The cursor follows what Dify returned, also when the client filtered the page itself.
    const last = result.scanned ? result.scanned.last : result.data.at(-1);
    if (!result.has_more || !last) return;
    const lastSecond = secondOf(last.created_at);
    const nextBefore = new Date((lastSecond + 1) * SECOND);
    if (Number.isFinite(lastSecond) && nextBefore.getTime() < before.getTime()) {
      before = nextBefore;
      page = 1;
      boundary = keepBoundary(boundary, lastSecond);
    } else {
      page += 1;
    }
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
