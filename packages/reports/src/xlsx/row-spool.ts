import { createSpool, type Spool } from '@dify-logs/core/adapter-kit';
import { randomUUID } from 'node:crypto';
import { truncate } from '../tabular/flatten.js';
import { lineBatches } from '../tabular/streams.js';
import type { Cell } from '../tabular/neutralise.js';

/** Rows per sheet in Excel, the header included. */
export const EXCEL_MAX_ROWS = 1_048_576;

/** Rows per spool write (JSON lines joined). */
const BATCH_ROWS = 256;

/**
 * The data rows of one sheet, spooled as JSON lines until the workbook is built in `finish` (a
 * streaming workbook writes one sheet at a time, and the Summary sheet comes first). Rows past the
 * sheet's capacity are only counted.
 */
export class RowSpool {
  readonly #dir: string;
  readonly #name: string;
  /** Data rows that fit below the header. */
  readonly #capacity: number;
  #spool: Spool | undefined;
  #batch: string[] = [];
  #spooled = 0;
  #dropped = 0;

  constructor(dir: string, name: string, maxRows: number) {
    this.#dir = dir;
    this.#name = name;
    this.#capacity = maxRows - 1;
  }

  /** Adds a row of neutralised cells; strings are cut to Excel's 32,767 characters. */
  add(cells: Cell[]): Promise<void> | void {
    if (this.#spooled >= this.#capacity) {
      this.#dropped += 1;
      return undefined;
    }
    this.#spooled += 1;
    for (let index = 0; index < cells.length; index += 1) {
      const cell = cells[index];
      if (typeof cell === 'string' && cell.length > 32_767) cells[index] = truncate(cell);
    }
    this.#batch.push(JSON.stringify(cells));
    return this.#batch.length >= BATCH_ROWS ? this.#flush() : undefined;
  }

  #flush(): Promise<void> | void {
    if (this.#batch.length === 0) return undefined;
    const text = `${this.#batch.join('\n')}\n`;
    this.#batch = [];
    this.#spool ??= createSpool(this.#dir, `${this.#name}-${randomUUID()}.jsonl`);
    return this.#spool.write(text);
  }

  /**
   * Closes the spool and reads the rows back, at most `capacity` in all: when rows were left out,
   * the last place goes to `note(leftOut)`, a one-cell row saying so.
   */
  async *rows(note: (leftOut: number) => string): AsyncGenerator<Cell[][]> {
    await this.#flush();
    await this.#spool?.close();
    const limit = this.#dropped > 0 ? this.#capacity - 1 : this.#capacity;
    let emitted = 0;
    if (this.#spool) {
      for await (const lines of lineBatches(this.#spool.read())) {
        const rows: Cell[][] = [];
        for (const line of lines) {
          if (emitted >= limit) break;
          rows.push(JSON.parse(line) as Cell[]);
          emitted += 1;
        }
        if (rows.length > 0) yield rows;
        if (emitted >= limit) break;
      }
    }
    if (this.#dropped > 0) yield [[note(this.#spooled + this.#dropped - emitted)]];
  }

  async dispose(): Promise<void> {
    this.#batch = [];
    await this.#spool?.dispose();
  }
}
