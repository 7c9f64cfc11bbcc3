import { stringify } from 'csv-stringify/sync';
import type { Cell } from '../tabular/neutralise.js';

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 field, exactly as csv-stringify writes it with our options (`,` between fields,
 * `quote_record_delimiter`): text with a comma, quote, CR or LF is quoted with quotes doubled; numbers
 * as `String(n)`; empty cells as nothing. Cells must be neutralised already.
 */
export function csvField(cell: Cell): string {
  if (typeof cell === 'string') return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  if (typeof cell === 'number') return String(cell);
  if (cell === null || cell === undefined) return '';
  return stringify([[cell]], { record_delimiter: '\n', quote_record_delimiter: true, eof: false });
}

/** The fields of `cells` joined by commas (no record delimiter). */
export function encodeRow(cells: readonly Cell[]): string {
  let line = cells.length > 0 ? csvField(cells[0]!) : '';
  for (let index = 1; index < cells.length; index += 1) line += `,${csvField(cells[index]!)}`;
  return line;
}

/**
 * RFC 4180 text of `rows`: fields with a comma, quote, CR or LF are quoted, quotes doubled; every row
 * ends with `delimiter`. The same text csv-stringify writes (its per-field work is several times
 * slower); anything but text, numbers and empty cells still goes through csv-stringify.
 *
 * `quote_record_delimiter` must be set there: csv-stringify turns it off as soon as `record_delimiter`
 * is given, and would then leave a field with a bare CR (or, with CRLF rows, a bare LF) unquoted.
 */
export function encodeRows(rows: Cell[][], delimiter: '\n' | '\r\n'): string {
  let out = '';
  for (const row of rows) out += encodeRow(row) + delimiter;
  return out;
}

/**
 * The fields of one CSV record as they are written (quoted fields keep their quotes), so a record
 * can be rearranged without decoding and encoding its fields again.
 */
export function splitCsvFields(record: string): string[] {
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    let end: number;
    if (record.charCodeAt(start) === 0x22) {
      // A quoted field ends at a quote that is not doubled.
      let quote = record.indexOf('"', start + 1);
      while (quote !== -1 && record.charCodeAt(quote + 1) === 0x22) quote = record.indexOf('"', quote + 2);
      if (quote === -1) throw new Error('unterminated quoted CSV field');
      end = quote + 1;
    } else {
      end = record.indexOf(',', start);
      if (end === -1) end = record.length;
    }
    fields.push(record.slice(start, end));
    if (end >= record.length) return fields;
    start = end + 1;
  }
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
