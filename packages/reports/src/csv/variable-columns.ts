import { compactJson, flattenVariables, variableCell } from '../tabular/flatten.js';
import { neutralise, type Cell } from '../tabular/neutralise.js';

/** The name of the column that collects variables beyond the cap, as JSON. */
export const OTHER_COLUMN = '__other';

/**
 * The flattened `inputs.*` or `outputs.*` columns of the runs CSV, discovered as records stream by.
 * A column keeps the position it was first seen at, so a record's cells are a prefix of the final
 * columns and can be written before the last record is known. Past `max` columns, further variables
 * go into one `__other` cell (a JSON object) placed after the last regular column.
 */
export class VariableColumns {
  readonly #positions = new Map<string, number>();
  readonly #keys: string[] = [];
  readonly #max: number;
  #overflowed = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** The cells of one run's variables: position i is column i; position `max` is `__other`. */
  cells(variables: Record<string, unknown> | null): Cell[] {
    const cells: Cell[] = [];
    if (!variables) return cells;
    let other: Record<string, unknown> | undefined;
    flattenVariables(variables, (key, value) => {
      let position = this.#positions.get(key);
      if (position === undefined) {
        if (this.#keys.length >= this.#max) {
          (other ??= {})[key] = value;
          return;
        }
        position = this.#keys.length;
        this.#keys.push(key);
        this.#positions.set(key, position);
      }
      while (cells.length < position) cells.push(null);
      cells[position] = variableCell(value);
    });
    if (other) {
      this.#overflowed = true;
      while (cells.length < this.#max) cells.push(null);
      cells.push(neutralise(compactJson(other) ?? ''));
    }
    return cells;
  }

  /** How many columns the section has now. */
  get width(): number {
    return this.#keys.length + (this.#overflowed ? 1 : 0);
  }

  /** The column names in column order (without `__other`). */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /** Whether some variable went into `__other`. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** The header names, e.g. `inputs.query`, `inputs.__other`. */
  headers(prefix: string): string[] {
    return variableHeaders(prefix, this.#keys, this.#overflowed);
  }
}

/** The header names of variable columns `keys` (then `__other` when some variable went there). */
export function variableHeaders(prefix: string, keys: readonly string[], overflowed: boolean): string[] {
  const headers = keys.map((key) => neutralise(`${prefix}.${key}`));
  if (overflowed) headers.push(`${prefix}.${OTHER_COLUMN}`);
  return headers;
}
