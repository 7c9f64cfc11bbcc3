import type { Money } from '@dify-logs/core/pipeline';

/** Number and time formatting for the HTML report: fixed locale (`en-US`), so the same analysis gives the same page. */
const LOCALE = 'en-US';
const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const significantFormat = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 3 });
const moneyFormat = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const numberFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 3 });
const smallMoneyFormat = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 2 });

export const NOT_AVAILABLE = 'n/a';

/** `12,345`. */
export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

/** `12,345.678`: up to three decimals. */
export function formatNumber(value: number): string {
  return Number.isFinite(value) ? numberFormat.format(value) : NOT_AVAILABLE;
}

/** A fraction as a percentage with one decimal: `0.9512` → `95.1 %`. */
export function formatPercent(value: number | null): string {
  return value === null || !Number.isFinite(value) ? NOT_AVAILABLE : `${decimalFormat.format(value * 100)} %`;
}

/** Seconds with 2-3 significant digits: `0.0123 s`, `1.23 s`, `12.3 s`, `1,234 s`. */
export function formatSeconds(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_AVAILABLE;
  return `${Math.abs(value) >= 100 ? integerFormat.format(value) : significantFormat.format(value)} s`;
}

/** One amount: two to four decimals, or two significant digits below a cent. */
export function formatAmount(value: number): string {
  return value !== 0 && Math.abs(value) < 0.01 ? smallMoneyFormat.format(value) : moneyFormat.format(value);
}

/** Amounts per currency, in currency order: `RMB 3.00, USD 1.2345`; `0` when nothing was priced. */
export function formatMoney(value: Money): string {
  const parts = moneyEntries(value).filter(([, amount]) => amount !== 0);
  return parts.length === 0 ? '0' : parts.map(([currency, amount]) => `${currency} ${formatAmount(amount)}`).join(', ');
}

/** The entries of a money object, sorted by currency code (stable output whatever the key order). */
export function moneyEntries(value: Money): Array<[string, number]> {
  return Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The currency with the largest amount, or null. */
export function mainCurrency(value: Money): string | null {
  let best: [string, number] | null = null;
  for (const entry of moneyEntries(value)) if (best === null || entry[1] > best[1]) best = entry;
  return best?.[0] ?? null;
}

/** A relative change (`+12.3 %`) or, with `points`, a change of a rate in percentage points (`-1.5 pt`). */
export function formatChange(value: number | null, points = false): string {
  if (value === null || !Number.isFinite(value)) return NOT_AVAILABLE;
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${decimalFormat.format(Math.abs(value) * 100)} ${points ? 'pt' : '%'}`;
}

const zoneCache = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormat(timezone: string): Intl.DateTimeFormat | null {
  if (!zoneCache.has(timezone)) {
    let format: Intl.DateTimeFormat | null;
    try {
      format = new Intl.DateTimeFormat(LOCALE, {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      format = null;
    }
    zoneCache.set(timezone, format);
  }
  return zoneCache.get(timezone) ?? null;
}

/** Whether the time zone is one this runtime knows; unknown zones are shown in UTC. */
export function isKnownTimezone(timezone: string): boolean {
  return zoneFormat(timezone) !== null;
}

export type TimePrecision = 'minute' | 'hour' | 'day';

/**
 * An ISO time shown in the report's time zone: `2026-03-02 08:35` (minute), `03-02 08:00` (hour),
 * `2026-03-02` (day). Unknown zones fall back to UTC; a value that is not a time is returned as it is.
 */
export function formatTime(iso: string, timezone: string, precision: TimePrecision = 'minute'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const format = zoneFormat(timezone) ?? zoneFormat('UTC')!;
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(date)) parts[part.type] = part.value;
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  if (precision === 'day') return day;
  if (precision === 'hour') return `${parts.month}-${parts.day} ${parts.hour}:00`;
  return `${day} ${parts.hour}:${parts.minute}`;
}
