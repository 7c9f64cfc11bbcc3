import type { RunRecord } from '../../records/schema.js';

/** A report window's bounds in epoch ms; null: every record. Plain data: it crosses threads. */
export type WindowBounds = { from: number; to: number } | null;

export function windowBounds(window: { from: string; to: string } | undefined): WindowBounds {
  return window ? { from: Date.parse(window.from), to: Date.parse(window.to) } : null;
}

/** Whether a time (epoch ms) is within `bounds`: always without bounds, and for a time that does not parse. */
export function inBounds(bounds: WindowBounds, at: number): boolean {
  return !bounds || !(at < bounds.from || at > bounds.to);
}

/**
 * The records a report takes, as every path that renders one reads them: those logged within `bounds` (every record
 * without bounds; one whose log time does not parse too), with the first and last log time taken.
 */
export function createRecordWindow(bounds: WindowBounds) {
  let first: string | null = null;
  let last: string | null = null;
  return {
    /** Whether the record is in the window (then it counts for `first` and `last`). */
    take(record: RunRecord): boolean {
      if (bounds && !inBounds(bounds, Date.parse(record.loggedAt))) return false;
      if (first === null || record.loggedAt < first) first = record.loggedAt;
      if (last === null || record.loggedAt > last) last = record.loggedAt;
      return true;
    },
    get first(): string | null {
      return first;
    },
    get last(): string | null {
      return last;
    },
  };
}
