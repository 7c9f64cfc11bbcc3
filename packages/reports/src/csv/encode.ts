import { stringify } from 'csv-stringify/sync';
import type { Cell } from '../tabular/neutralise.js';

/**
 * RFC 4180 text of `rows` (csv-stringify): fields with a comma, quote, CR or LF are quoted, quotes
 * doubled; every row ends with `delimiter`. Cells must be neutralised already.
 *
 * `quote_record_delimiter` must be set: csv-stringify turns it off as soon as `record_delimiter` is
 * given, and would then leave a field with a bare CR (or, with CRLF rows, a bare LF) unquoted.
 */
export function encodeRows(rows: Cell[][], delimiter: '\n' | '\r\n'): string {
  let out = '';
  for (const row of rows) out += (plainRow(row) ?? stringify([row], { record_delimiter: delimiter, quote_record_delimiter: true, eof: false })) + delimiter;
  return out;
}

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * A row none of whose cells csv-stringify would quote or convert (strings without a comma, quote, CR or
 * LF; finite numbers; empty cells), joined as csv-stringify would join it; undefined otherwise. Most
 * rows take this path, which is several times faster than the library's per-field work; every row
 * that needs quoting still goes through csv-stringify.
 */
function plainRow(row: Cell[]): string | undefined {
  let line = '';
  for (let index = 0; index < row.length; index += 1) {
    const cell = row[index];
    let text: string;
    if (typeof cell === 'string') {
      if (NEEDS_QUOTES.test(cell)) return undefined;
      text = cell;
    } else if (typeof cell === 'number') {
      if (!Number.isFinite(cell)) return undefined;
      text = String(cell);
    } else if (cell === null || cell === undefined) {
      text = '';
    } else {
      return undefined;
    }
    line += index === 0 ? text : `,${text}`;
  }
  return line;
}

/**
 * Splits CSV text written with `\n` record delimiters back into records, chunk by chunk: a line feed
 * ends a record only outside quotes (an even number of `"` before it, since quotes inside quoted
 * fields are doubled). Records come back without their delimiter and still CSV-encoded.
 */
export class CsvRecordSplitter {
  #rest = '';
  #inQuotes = false;

  /** The records completed by `text` (the next piece of the stream). */
  push(text: string): string[] {
    const records: string[] = [];
    let inQuotes = this.#inQuotes;
    let quote = text.indexOf('"');
    let start = 0;
    let scan = 0;
    for (;;) {
      const newline = text.indexOf('\n', scan);
      if (newline < 0) break;
      while (quote !== -1 && quote < newline) {
        inQuotes = !inQuotes;
        quote = text.indexOf('"', quote + 1);
      }
      if (!inQuotes) {
        if (start === 0) {
          records.push(this.#rest + text.slice(0, newline));
          this.#rest = '';
        } else {
          records.push(text.slice(start, newline));
        }
        start = newline + 1;
      }
      scan = newline + 1;
    }
    while (quote !== -1) {
      inQuotes = !inQuotes;
      quote = text.indexOf('"', quote + 1);
    }
    this.#inQuotes = inQuotes;
    this.#rest += start === 0 ? text : text.slice(start);
    return records;
  }

  /** The last record when the text did not end with a delimiter. */
  end(): string[] {
    const rest = this.#rest;
    this.#rest = '';
    return rest === '' ? [] : [rest];
  }
}
