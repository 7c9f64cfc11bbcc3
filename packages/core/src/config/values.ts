import { z } from 'zod';

/**
 * Building blocks of the configuration schema. Values that arrive as strings (environment variables,
 * `${env:…}` references, comma lists) are turned into their typed form before validation.
 */

/** `"csv, markdown"` → `['csv', 'markdown']`; arrays pass through. */
export function splitList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** An array of `item`, also given as one string or a comma-separated list. */
export function listOf<T extends z.ZodType>(item: T, minimum = 0) {
  return z.preprocess(splitList, z.array(item).min(minimum));
}

/** A whole number in `[minimum, maximum]`; numeric strings are accepted. */
export function wholeNumber(minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.number().int().min(minimum).max(maximum),
  );
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** `true`/`false`, also `1`/`0`, `yes`/`no`, `on`/`off` as strings (any case). */
export function parseBoolean(value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
}

export const flag = z.preprocess(parseBoolean, z.boolean());

/** One of `values`, compared case-insensitively. */
export function caseInsensitiveEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess((value) => (typeof value === 'string' ? value.trim().toLowerCase() : value), z.enum(values));
}

export const nonEmpty = z.string().trim().min(1);

/** A secret: any non-empty text, kept as given (passwords may start or end with spaces). */
export const secretText = z.string().min(1);

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z.string().superRefine((value, context) => {
  if (!isTimeZone(value)) {
    context.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not an IANA time zone (e.g. UTC, Europe/Berlin, Asia/Shanghai)`,
    });
  }
});

export const httpUrl = z.url({ protocol: /^https?$/ });

/** A number ≥ `minimum`; numeric strings are accepted. */
export function decimal(minimum = 0) {
  return z.preprocess(
    (value) =>
      typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value,
    z.number().min(minimum),
  );
}
