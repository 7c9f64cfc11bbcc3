/**
 * Formula-injection defence for spreadsheet cells (OWASP "CSV Injection"): text that a spreadsheet
 * would read as a formula gets a leading single quote, so Excel, LibreOffice and Numbers show it as
 * text. Triggers are `=`, `+`, `-`, `@`, tab (0x09) and carriage return (0x0D) as OWASP lists them,
 * plus their full-width forms (`＝＋－＠`), which some spreadsheet apps normalise to the ASCII ones.
 *
 * Only strings are neutralised. Numbers stay numbers, so a negative duration or price is still
 * `-1.5` and sums in the sheet; a number cannot carry a formula. A string that merely looks like a
 * negative number (`"-5"` as a run input) is text and does get the quote.
 */
export function neutralise(text: string): string {
  switch (text.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // carriage return
    case 0xff1d: // ＝
    case 0xff0b: // ＋
    case 0xff0d: // －
    case 0xff20: // ＠
      return `'${text}`;
    default:
      return text;
  }
}

/** A spreadsheet cell: text, a number, or empty. */
export type Cell = string | number | null;

/** `neutralise` for a cell of any type: numbers and empty cells pass unchanged. */
export function neutraliseCell(value: Cell): Cell {
  return typeof value === 'string' ? neutralise(value) : value;
}
