import { z } from 'zod';

/** An optional field whose value did not have the expected type: it was set to empty, the row kept. */
export interface SalvagedField {
  /** Path inside the response body, e.g. `data.3.workflow_run.total_tokens`. */
  field: string;
  /** The type of the value Dify sent (never the value itself): `string`, `object`, `array`, … */
  type: string;
}

/** A list row that could not be kept: what identifies it (or another required field) is missing or malformed. */
export interface DroppedRow {
  /** The list the row was in, e.g. `data`. */
  list: string;
  /** Its position in that list (0-based). */
  position: number;
  field: string;
  problem: string;
}

export interface SalvageResult<T> {
  data: T;
  salvaged: SalvagedField[];
  dropped: DroppedRow[];
}

const SALVAGE = Symbol.for('dify-logs.salvaged');
const DROPPED = Symbol.for('dify-logs.dropped-rows');
/** Rounds of re-validation after emptying fields: each round fixes every salvageable issue zod reported. */
const MAX_ROUNDS = 64;

/**
 * Validates a body and keeps what can be kept: an optional field with a value of the wrong type becomes empty
 * (`undefined`, read as null) and is reported; a list row with a malformed required field is dropped and reported
 * with its position. Returns null when the envelope itself (outside any list row) is malformed.
 */
export function salvageParse<S extends z.ZodType>(
  schema: S,
  body: unknown,
): SalvageResult<z.infer<S>> | { error: z.core.$ZodIssue } {
  const salvaged: SalvagedField[] = [];
  const dropped: DroppedRow[] = [];
  let current = body;
  // Rows are dropped in the first round only (zod reports every issue at once), so the positions reported are
  // Dify's and the paths of fields emptied later stay valid for the rows that are left.
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const result = schema.safeParse(current);
    if (result.success) return { data: markRows(result.data, salvaged), salvaged, dropped };
    const removals = new Map<string, { list: PropertyKey[]; positions: Set<number> }>();
    const empty: PropertyKey[][] = [];
    for (const issue of result.error.issues) {
      const optionalAt = deepestOptional(schema, issue.path);
      if (optionalAt !== undefined) {
        empty.push(issue.path.slice(0, optionalAt + 1));
        continue;
      }
      const row = lastListIndex(current, issue.path);
      if (row === undefined || round > 0) return { error: issue };
      const list = issue.path.slice(0, row);
      const key = list.map(String).join('.');
      const entry = removals.get(key) ?? { list, positions: new Set<number>() };
      const position = issue.path[row] as number;
      if (!entry.positions.has(position))
        dropped.push({ list: key, position, field: issue.path.map(String).join('.'), problem: issue.message });
      entry.positions.add(position);
      removals.set(key, entry);
    }
    if (removals.size > 0) {
      for (const { list, positions } of removals.values()) {
        const items = valueAt(current, list) as unknown[];
        current = withValue(
          current,
          list,
          items.filter((_, index) => !positions.has(index)),
        );
      }
      continue;
    }
    for (const at of empty) {
      const value = valueAt(current, at);
      if (value === undefined) continue;
      current = withValue(current, at, undefined);
      salvaged.push({ field: at.map(String).join('.'), type: typeName(value) });
    }
  }
  return {
    error:
      schema.safeParse(current).error?.issues[0] ??
      ({ code: 'custom', path: [], message: 'could not be salvaged', input: undefined } as z.core.$ZodIssue),
  };
}

/** Marks the whole value and each list row with the fields emptied in it (paths relative to the row). */
function markRows<T>(data: T, salvaged: SalvagedField[]): T {
  if (salvaged.length === 0 || typeof data !== 'object' || data === null) return data;
  markSalvaged(data, salvaged);
  for (const entry of salvaged) {
    const path = entry.field.split('.');
    const at = path.findIndex((segment) => /^\d+$/.test(segment));
    if (at < 0) continue;
    const row = valueAt(
      data,
      path.slice(0, at + 1).map((segment, index) => (index === at ? Number(segment) : segment)),
    );
    if (typeof row === 'object' && row !== null)
      markSalvaged(row, [...salvagedFields(row), { field: path.slice(at + 1).join('.'), type: entry.type }]);
  }
  return data;
}

/** Marks a parsed value with the fields salvaged in it (kept off its enumerable keys). */
export function markSalvaged<T extends object>(value: T, fields: SalvagedField[]): T {
  if (fields.length > 0)
    Object.defineProperty(value, SALVAGE, { value: fields, enumerable: false, configurable: true });
  return value;
}

/** Marks a parsed list body with the rows that were dropped from it. */
export function markDropped<T extends object>(value: T, rows: DroppedRow[]): T {
  if (rows.length > 0) Object.defineProperty(value, DROPPED, { value: rows, enumerable: false, configurable: true });
  return value;
}

/** The rows dropped from a list body parsed by the client (empty when none). */
export function droppedRows(value: unknown): DroppedRow[] {
  if (typeof value !== 'object' || value === null) return [];
  return ((value as Record<symbol, unknown>)[DROPPED] as DroppedRow[] | undefined) ?? [];
}

/** The fields salvaged in a value parsed by the client (empty when none). */
export function salvagedFields(value: unknown): SalvagedField[] {
  if (typeof value !== 'object' || value === null) return [];
  return ((value as Record<symbol, unknown>)[SALVAGE] as SalvagedField[] | undefined) ?? [];
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Index in `path` of the deepest segment inside the innermost list row whose schema accepts `undefined` (an optional
 * field): emptying it keeps the row. Undefined when nothing inside the row is optional.
 */
function deepestOptional(schema: z.ZodType, path: PropertyKey[]): number | undefined {
  let found: number | undefined;
  let node: z.ZodType | undefined = schema;
  for (let index = 0; index < path.length && node; index += 1) {
    const isRow = unwrap(node) instanceof z.ZodArray;
    node = child(node, path[index]!);
    if (isRow) found = undefined;
    else if (node && accepts(node, undefined)) found = index;
  }
  return found;
}

function child(schema: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && typeof key === 'string') return (inner.shape as Record<string, z.ZodType>)[key];
  if (inner instanceof z.ZodArray && typeof key === 'number') return inner.element as z.ZodType;
  return undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else return current;
  }
}

function accepts(schema: z.ZodType, value: unknown): boolean {
  return schema.safeParse(value).success;
}

/** The index in `path` of the last list position that exists in `body`. */
function lastListIndex(body: unknown, path: PropertyKey[]): number | undefined {
  let found: number | undefined;
  let node = body;
  for (let index = 0; index < path.length; index += 1) {
    if (Array.isArray(node) && typeof path[index] === 'number') found = index;
    if (typeof node !== 'object' || node === null) break;
    node = (node as Record<PropertyKey, unknown>)[path[index]!];
  }
  return found;
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let node = body;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A copy of `body` with the value at `path` replaced (`undefined` removes an object key); only the path is copied. */
function withValue(body: unknown, path: PropertyKey[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(body)) {
    const copy = body.slice();
    copy[head as number] = withValue(body[head as number], rest, value);
    return copy;
  }
  const copy = { ...(body as Record<PropertyKey, unknown>) };
  const next = withValue(copy[head!], rest, value);
  if (next === undefined) delete copy[head!];
  else copy[head!] = next;
  return copy;
}
