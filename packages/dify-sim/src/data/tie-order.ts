import { queryLogRange, type LogFilters, type LogPage } from './queries.js';
import { createRandom, hash32 } from './prng.js';
import type { RunStore } from './store.js';

const CHUNK = 100;
/** Rows looked at around a page, at most, to find the whole of the seconds at its edges. */
const MAX_EXTENT = 20_000;

/**
 * A page as Dify serves it: rows are ordered by `created_at`, which Dify shows (and compares) at whole seconds, and
 * PostgreSQL returns the rows of one second in no fixed order. Here each request gets its own order of every second
 * it touches, so offset paging across a page boundary that falls inside a second can skip or repeat rows.
 */
export function shuffledLogPage(
  store: RunStore,
  appIndex: number,
  filters: LogFilters,
  page: number,
  limit: number,
  seed: number,
  request: number,
): LogPage {
  const offset = (page - 1) * limit;
  const core = queryLogRange(store, appIndex, filters, offset, limit);
  if (core.runs.length === 0) return core;
  const second = (ms: number) => Math.floor(ms / 1000);
  // The rows before the page that share its first second, and after it that share its last one.
  const before: LogPage['runs'] = [];
  const first = second(core.runs[0]!.timeMs);
  for (let start = offset; start > 0 && before.length < MAX_EXTENT;) {
    const from = Math.max(0, start - CHUNK);
    const chunk = queryLogRange(store, appIndex, filters, from, start - from).runs;
    const same = chunk.filter((run) => second(run.timeMs) === first);
    before.unshift(...same);
    if (same.length < chunk.length) break;
    start = from;
  }
  const after: LogPage['runs'] = [];
  const last = second(core.runs.at(-1)!.timeMs);
  for (let start = offset + core.runs.length; start < core.total && after.length < MAX_EXTENT; start += CHUNK) {
    const chunk = queryLogRange(store, appIndex, filters, start, CHUNK).runs;
    const same = chunk.filter((run) => second(run.timeMs) === last);
    after.push(...same);
    if (same.length < chunk.length || chunk.length === 0) break;
  }
  const rows = [...before, ...core.runs, ...after];
  const random = createRandom(hash32(seed, 0x7135, request));
  for (let start = 0; start < rows.length;) {
    let end = start + 1;
    while (end < rows.length && second(rows[end]!.timeMs) === second(rows[start]!.timeMs)) end += 1;
    for (let index = end - 1; index > start; index -= 1) {
      const other = start + Math.floor(random.next() * (index - start + 1));
      [rows[index], rows[other]] = [rows[other]!, rows[index]!];
    }
    start = end;
  }
  return { total: core.total, runs: rows.slice(before.length, before.length + core.runs.length) };
}
