import { DifyConfigError } from '../errors/config-error.js';

/** A job's window: fixed bounds (ISO strings or templates), or everything since the last watermark. */
export type WindowSpec =
  | { mode: 'explicit'; from: string; to: string }
  | { mode: 'incremental'; overlapMinutes?: number; initialFrom?: string };

export interface ResolvedWindow {
  /** Inclusive start (UTC). */
  from: Date;
  /** Inclusive end (UTC). */
  to: Date;
  /** The IANA time zone templates were resolved in. */
  timezone: string;
}

const TEMPLATE = /^\{\{\s*([a-z_]+)\s*\}\}$/i;

/**
 * Resolves a time expression: an ISO-8601 string, or a template resolved in `timezone` at `now`:
 * `{{now}}`, `{{today}}`, `{{yesterday}}`, `{{tomorrow}}`, `{{last_week}}` (7 days before today),
 * `{{this_week}}` (Monday), `{{this_month}}`, `{{last_month}}` — each the start of that day, in that zone.
 */
export function resolveTime(expression: string, options: { now: Date; timezone: string; key?: string }): Date {
  const key = options.key ?? 'window';
  const match = TEMPLATE.exec(expression.trim());
  if (!match) {
    const parsed = new Date(expression);
    if (Number.isNaN(parsed.getTime()))
      throw new DifyConfigError(
        key,
        `${JSON.stringify(expression)} is neither an ISO-8601 time nor a template like {{yesterday}}`,
      );
    return parsed;
  }
  const { now, timezone } = options;
  const local = partsIn(now, timezone);
  switch (match[1]!.toLowerCase()) {
    case 'now':
      return new Date(now);
    case 'today':
      return startOfLocalDay(local, 0, timezone);
    case 'yesterday':
      return startOfLocalDay(local, -1, timezone);
    case 'tomorrow':
      return startOfLocalDay(local, 1, timezone);
    case 'last_week':
      return startOfLocalDay(local, -7, timezone);
    case 'this_week':
      return startOfLocalDay(local, -((local.weekday + 6) % 7), timezone);
    case 'this_month':
      return startOfLocalDay({ ...local, day: 1 }, 0, timezone);
    case 'last_month':
      return startOfLocalDay({ ...local, month: local.month - 1, day: 1 }, 0, timezone);
    default:
      throw new DifyConfigError(
        key,
        `unknown template ${expression}; use {{now}}, {{today}}, {{yesterday}}, ` +
          `{{tomorrow}}, {{last_week}}, {{this_week}}, {{this_month}} or {{last_month}}`,
      );
  }
}

/**
 * The window of one run. Explicit: both bounds resolved. Incremental: from the watermark minus the
 * overlap (or `initialFrom` on the first run) to now.
 */
export function resolveWindow(
  spec: WindowSpec,
  options: { now: Date; timezone: string; watermark: string | null },
): ResolvedWindow {
  assertTimezone(options.timezone);
  if (spec.mode === 'explicit') {
    const from = resolveTime(spec.from, { ...options, key: 'window.from' });
    const to = resolveTime(spec.to, { ...options, key: 'window.to' });
    if (from.getTime() > to.getTime())
      throw new DifyConfigError('window.from', `${from.toISOString()} is after window.to ${to.toISOString()}`);
    return { from, to, timezone: options.timezone };
  }
  const overlapMs = (spec.overlapMinutes ?? 10) * 60_000;
  const from = options.watermark
    ? new Date(new Date(options.watermark).getTime() - overlapMs)
    : resolveTime(spec.initialFrom ?? '{{yesterday}}', { ...options, key: 'window.initialFrom' });
  return { from, to: new Date(options.now), timezone: options.timezone };
}

export function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new DifyConfigError(
      'timezone',
      `${JSON.stringify(timezone)} is not an IANA time zone (e.g. Asia/Shanghai, UTC)`,
    );
  }
}

/** Local midnight in `timezone` of the day `addDays` after the local day holding `instant` (DST-safe). */
export function startOfDayIn(instant: Date, timezone: string, addDays = 0): Date {
  return startOfLocalDay(partsIn(instant, timezone), addDays, timezone);
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const formats = new Map<string, Intl.DateTimeFormat>();

/** Intl formats are costly to build (tens of µs): one per zone and kind, kept. */
function formatIn(timezone: string, kind: 'day' | 'time'): Intl.DateTimeFormat {
  const key = `${kind}\u0000${timezone}`;
  let format = formats.get(key);
  if (!format) {
    format =
      kind === 'day'
        ? new Intl.DateTimeFormat('en-US', {
            timeZone: timezone,
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            weekday: 'short',
          })
        : new Intl.DateTimeFormat('en-US', {
            timeZone: timezone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
    formats.set(key, format);
  }
  return format;
}

function partsIn(date: Date, timezone: string): LocalParts {
  const parts = formatIn(timezone, 'day').formatToParts(date);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    weekday: WEEKDAYS.indexOf(get('weekday')),
  };
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetAt(instant: number, timezone: string): number {
  const parts = formatIn(timezone, 'time').formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return (
    Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) -
    Math.floor(instant / 1000) * 1000
  );
}

/** The UTC instant of local midnight, `addDays` after the given local date, in `timezone` (DST-safe). */
function startOfLocalDay(local: Pick<LocalParts, 'year' | 'month' | 'day'>, addDays: number, timezone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day + addDays);
  let instant = wall - offsetAt(wall, timezone);
  instant = wall - offsetAt(instant, timezone);
  return new Date(instant);
}
