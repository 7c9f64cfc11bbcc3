import { neutralise, type Cell } from './neutralise.js';

/** Compact JSON text of a value; `null` for values JSON cannot hold. Never `[object Object]`. */
export function compactJson(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return String(value);
  }
}

/**
 * A variable value as one neutralised cell: strings and finite numbers as they are, booleans as
 * `true`/`false`, arrays and objects as compact JSON.
 */
export function variableCell(value: unknown): Cell {
  switch (typeof value) {
    case 'string':
      return neutralise(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? null : neutralise(compactJson(value) ?? '');
    default:
      return null;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Calls `emit` once per column of a run's inputs or outputs with the raw value (turn it into a cell
 * with `variableCell`): `name` for a scalar or an array, `name.key` for each key of an object (one
 * level deep; deeper values become compact JSON). An empty object gives `name` = `{}`, so no variable
 * disappears.
 */
export function flattenVariables(
  variables: Record<string, unknown>,
  emit: (key: string, value: unknown) => void,
): void {
  for (const name of Object.keys(variables)) {
    const value = variables[name];
    if (!isPlainObject(value)) {
      emit(name, value);
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length === 0) emit(name, value);
    for (const key of keys) emit(`${name}.${key}`, value[key]);
  }
}

/** Excel's limit on the characters of one cell. */
export const EXCEL_CELL_LIMIT = 32_767;

/** Cuts text to `limit` characters, ending in `…` when cut (never splitting a surrogate pair). */
export function truncate(text: string, limit = EXCEL_CELL_LIMIT): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
