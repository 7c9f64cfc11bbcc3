import { isUuid } from './ids.js';
import { createContainsMatcher, unicodeEscape } from './python-json.js';
import { runTexts, type RunSummary, type RunTraits } from './runs.js';
import { END_USER_SLOTS, endUser } from './world.js';
import { DEBUG_RUNS_PER_APP, type RunStore } from './store.js';

export interface LogFilters {
  keyword?: string;
  status?: string;
  afterMs?: number;
  beforeMs?: number;
  sessionId?: string;
  accountId?: string;
}

export interface LogPage {
  total: number;
  runs: RunSummary[];
}

type Range = [number, number];

/** Index ranges [from, to) of an app's log rows inside the time window, oldest range first. */
function logRanges(store: RunStore, appIndex: number, filters: LogFilters): Range[] {
  const from = filters.afterMs === undefined ? 0 : store.lowerBound(appIndex, filters.afterMs);
  const to = filters.beforeMs === undefined ? store.count(appIndex) : store.upperBound(appIndex, filters.beforeMs);
  if (from >= to) return [];
  const hidden = store.unloggedRange(appIndex);
  if (!hidden) return [[from, to]];
  const ranges: Range[] = [
    [from, Math.min(to, hidden[0])],
    [Math.max(from, hidden[1]), to],
  ];
  return ranges.filter(([low, high]) => low < high);
}

function* descending(ranges: Range[]): Generator<number> {
  for (let position = ranges.length - 1; position >= 0; position -= 1) {
    const [from, to] = ranges[position]!;
    for (let index = to - 1; index >= from; index -= 1) yield index;
  }
}

function keywordMatcher(store: RunStore, keyword: string): (run: RunSummary) => boolean {
  const short = keyword.slice(0, 30);
  const legacy = store.world.personality.keyword === 'unicode-escape';
  const inText = createContainsMatcher(legacy ? unicodeEscape(short) : short, legacy);
  const inSession = createContainsMatcher(short, legacy);
  const runId = keyword.length >= 32 && isUuid(keyword) ? keyword.toLowerCase() : undefined;
  return (run) => {
    if (runId !== undefined && run.id === runId) return true;
    if (run.creator.role === 'end_user' && inSession(run.creator.endUser.sessionId)) return true;
    const texts = runTexts(store.world, run);
    if (inText(texts.inputsText)) return true;
    const outputs = texts.outputsText();
    return outputs !== null && inText(outputs);
  };
}

interface Matcher {
  /** On the hash-only traits (fast). */
  traits?: (traits: RunTraits) => boolean;
  /** On the full summary (slow: keyword search). */
  summary?: (run: RunSummary) => boolean;
}

function matcher(store: RunStore, appIndex: number, filters: LogFilters): Matcher | undefined {
  const tests: Array<(traits: RunTraits) => boolean> = [];
  // Dify joins workflow_runs for keyword and status, so log rows whose run is gone drop out.
  if (filters.keyword || filters.status) tests.push((traits) => !traits.lost);
  if (filters.status) tests.push((traits) => traits.status === filters.status);
  if (filters.sessionId !== undefined) {
    const slots = new Set<number>();
    for (let slot = 0; slot < END_USER_SLOTS; slot += 1)
      if (endUser(store.world, appIndex, slot).sessionId === filters.sessionId) slots.add(slot);
    tests.push((traits) => traits.creator === 'end_user' && slots.has(traits.endUserSlot));
  }
  if (filters.accountId !== undefined) {
    const accountIndex = store.world.accounts.findIndex((account) => account.id === filters.accountId);
    tests.push((traits) => traits.creator === 'account' && traits.accountIndex === accountIndex);
  }
  const summary = filters.keyword ? keywordMatcher(store, filters.keyword) : undefined;
  if (tests.length === 0 && !summary) return undefined;
  return { traits: tests.length === 0 ? undefined : (traits) => tests.every((test) => test(traits)), summary };
}

const countCache = new WeakMap<RunStore, Map<string, number>>();

function cachedCount(store: RunStore, key: string): { get(): number | undefined; set(total: number): void } {
  let cache = countCache.get(store);
  if (!cache) countCache.set(store, (cache = new Map()));
  const fullKey = `${store.revision()}|${key}`;
  return {
    get: () => cache.get(fullKey),
    set(total) {
      if (cache.size >= 64) cache.delete(cache.keys().next().value as string);
      cache.set(fullKey, total);
    },
  };
}

/**
 * One page of an app's workflow logs, newest first. The time window is found by binary search;
 * other filters scan the window (as Dify's SQL would), and totals are cached per data revision.
 */
export function queryLogs(
  store: RunStore,
  appIndex: number,
  filters: LogFilters,
  page: number,
  limit: number,
): LogPage {
  return queryLogRange(store, appIndex, filters, (page - 1) * limit, limit);
}

/** `limit` log rows from position `offset` (0-based, newest first), and the total. */
export function queryLogRange(
  store: RunStore,
  appIndex: number,
  filters: LogFilters,
  offset: number,
  limit: number,
): LogPage {
  const ranges = logRanges(store, appIndex, filters);
  const test = matcher(store, appIndex, filters);
  if (!test) {
    const total = ranges.reduce((sum, [from, to]) => sum + (to - from), 0);
    const runs: RunSummary[] = [];
    let skip = offset;
    for (let position = ranges.length - 1; position >= 0 && runs.length < limit; position -= 1) {
      const [from, to] = ranges[position]!;
      const size = to - from;
      if (skip >= size) {
        skip -= size;
        continue;
      }
      for (let index = to - 1 - skip; index >= from && runs.length < limit; index -= 1)
        runs.push(store.summary(appIndex, index));
      skip = 0;
    }
    return { total, runs };
  }
  const cache = cachedCount(store, `${appIndex}|${JSON.stringify(filters)}`);
  const known = cache.get();
  const runs: RunSummary[] = [];
  let matched = 0;
  for (const index of descending(ranges)) {
    const traits = store.traits(appIndex, index);
    if (test.traits && !test.traits(traits)) continue;
    const wanted = matched >= offset && runs.length < limit;
    let run: RunSummary | undefined;
    if (test.summary) {
      run = store.summary(appIndex, index, traits);
      if (!test.summary(run)) continue;
    }
    if (wanted) runs.push(run ?? store.summary(appIndex, index, traits));
    matched += 1;
    if (known !== undefined && runs.length >= limit) break;
  }
  if (known === undefined) cache.set(matched);
  return { total: known ?? matched, runs };
}

export interface RunListQuery {
  triggeredFrom: 'debugging' | 'app-run';
  status?: string;
  /** Runs older than this run (cursor). */
  before?: RunSummary;
  limit: number;
}

/** The console's `/workflow-runs` cursor list, newest first. */
export function queryRuns(
  store: RunStore,
  appIndex: number,
  query: RunListQuery,
): { runs: RunSummary[]; hasMore: boolean } {
  const wanted = query.limit + 1;
  const runs: RunSummary[] = [];
  const accept = (run: RunSummary) => query.status === undefined || run.status === query.status;
  if (query.triggeredFrom === 'debugging') {
    const start =
      query.before?.triggeredFrom === 'debugging' ? query.before.ref.index + 1 : query.before ? DEBUG_RUNS_PER_APP : 0;
    for (let index = start; index < DEBUG_RUNS_PER_APP && runs.length < wanted; index += 1) {
      const run = store.debugSummary(appIndex, index);
      if (accept(run)) runs.push(run);
    }
  } else {
    const before = query.before;
    const top =
      before === undefined
        ? store.count(appIndex)
        : before.triggeredFrom === 'debugging'
          ? store.upperBound(appIndex, before.timeMs)
          : before.ref.index;
    for (let index = top - 1; index >= 0 && runs.length < wanted; index -= 1) {
      const traits = store.traits(appIndex, index);
      const appRun = traits.creator === 'account' || traits.creator === 'end_user';
      if (!traits.lost && appRun && (query.status === undefined || traits.status === query.status))
        runs.push(store.summary(appIndex, index, traits));
    }
  }
  return { runs: runs.slice(0, query.limit), hasMore: runs.length > query.limit };
}
