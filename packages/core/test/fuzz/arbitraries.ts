import fc from 'fast-check';

/**
 * Hostile values for the fuzz tests: wrong types, NaN and infinities, prototype keys, lone surrogates,
 * BOMs, control characters, huge strings and deep nesting.
 */

export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
] as const;

/** Keys the parsers read, mixed with prototype keys and noise, so random objects hit real fields. */
export const fieldKey = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.constantFrom(
    'id',
    'data',
    'page',
    'limit',
    'total',
    'has_more',
    'workflow_run',
    'created_at',
    'finished_at',
    'status',
    'inputs',
    'outputs',
    'error',
    'appId',
    'logId',
    'loggedAt',
    'nodes',
  ),
  fc.string({ maxLength: 8 }),
);

/** Odd strings: lone surrogates, BOM, NUL, CR/LF, formula and markup starters. */
export const oddString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\uFEFF',
    '\uFEFF{}',
    '\uD800',
    '\uDFFF',
    '\u0000',
    '\r\n',
    '=cmd|"/c calc"!A1',
    '<script>alert(1)</script>',
    'NaN',
    'Infinity',
    '1e999',
    '-0',
    '{"a":',
    '[]',
    'null',
    '0x10',
    '2026-13-45T99:99:99Z',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

export const oddNumber = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e300,
    -1e300,
    2 ** 53 + 1,
  ),
  fc.double(),
  fc.integer(),
);

/** Any hostile scalar or small structure. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  oddNumber,
  fc.constantFrom(null, undefined, true, false),
  fc.anything({ key: fieldKey, maxDepth: 3, withNullPrototype: true, withBoxedValues: true, withObjectString: true }),
);

/** A JSON value nested `depth` levels deep (arrays or objects). */
export function nested(depth: number, kind: 'array' | 'object' = 'array'): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** JSON text nested `depth` levels deep, without building the value. */
export function nestedText(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/**
 * `value` with the thing at `path` replaced (paths as arrays of keys; missing parents are created).
 * Own properties are defined, never assigned, so a `__proto__` key becomes data, as JSON.parse makes it.
 */
export function setPath(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const base = (
    Array.isArray(value) ? [...value] : typeof value === 'object' && value !== null ? { ...value } : {}
  ) as Record<string | number, unknown>;
  Object.defineProperty(base, head!, {
    value: setPath(base[head!], rest, replacement),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return base;
}

/** Every path to a leaf or a container of a JSON-like value. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): Array<(string | number)[]> {
  const paths: Array<(string | number)[]> = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  return paths;
}

/** Runs per property: enough to find the bugs fixed here, bounded so the suite stays fast. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
