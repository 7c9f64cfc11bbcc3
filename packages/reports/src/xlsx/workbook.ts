import type { ReportAnalysis } from '@dify-logs/core/pipeline';
import type { Worksheet } from 'exceljs';
import { truncate } from '../tabular/flatten.js';
import type { Cell } from '../tabular/neutralise.js';
import { EXCEL_MAX_ROWS, type RowSpool } from './row-spool.js';
import { summaryRows } from './summary.js';

export interface DataSheet {
  name: string;
  headers: readonly string[];
  rows: RowSpool;
}

/**
 * Writes the workbook to `path` with exceljs's streaming writer, one sheet after the other (each
 * sheet is a zip entry, and the zip takes them in turn): Summary first, then the data sheets read
 * back from their spools. Rows are committed as they are added, so memory holds one spool chunk.
 *
 * Without styles (`useStyles: false`): with them exceljs resolves a style for every cell, which
 * halves its throughput; so headings are plain text and rates are percentages as numbers.
 */
export async function writeWorkbook(
  path: string,
  analysis: ReportAnalysis,
  sheets: DataSheet[],
  maxRows: number,
): Promise<void> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useStyles: false,
    useSharedStrings: false,
  });
  workbook.creator = 'dify-logs';
  const generated = new Date(analysis.generatedAt);
  if (!Number.isNaN(generated.getTime())) workbook.created = generated;

  const summary = workbook.addWorksheet('Summary');
  summary.columns = [{ width: 34 }, { width: 44 }, ...Array.from({ length: 10 }, () => ({ width: 16 }))];
  for (const cells of summaryRows(analysis)) summary.addRow(cells.map(cut)).commit();
  summary.commit();

  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    worksheet.columns = sheet.headers.map(() => ({ width: 18 }));
    worksheet.addRow([...sheet.headers]).commit();
    for await (const rows of sheet.rows.rows((leftOut) => leftOutNote(leftOut, maxRows))) {
      for (const cells of rows) worksheet.addRow(cells).commit();
      await zipCaughtUp(worksheet);
    }
    worksheet.commit();
  }
  await workbook.commit();
}

function leftOutNote(leftOut: number, maxRows: number): string {
  const limit =
    maxRows === EXCEL_MAX_ROWS
      ? `Excel's limit of ${EXCEL_MAX_ROWS.toLocaleString('en-US')}`
      : `the limit of ${maxRows.toLocaleString('en-US')}`;
  return (
    `${leftOut.toLocaleString('en-US')} more rows were left out: a ` +
    `sheet holds at most ${limit} rows. The CSV report has them all.`
  );
}

const cut = (cell: Cell): Cell => (typeof cell === 'string' ? truncate(cell) : cell);

/** Uncompressed sheet bytes the zip may lag behind before rows wait. */
const ZIP_BACKLOG_BYTES = 4 << 20;

/** A Node or `readable-stream` (archiver's) stream: both keep their buffered byte counts here. */
interface Backlogged {
  _writableState?: { length?: number };
  _readableState?: { length?: number };
}

/**
 * Backpressure for the sheet stream, which has none: exceljs's sheet buffer writes into the zip's
 * input without waiting, so if rows come faster than deflate takes them (it works between our
 * batches), the uncompressed XML piles up in memory. This waits until the zip's input holds less
 * than 4 MiB. It reads exceljs 4.4 internals (the sheet's `stream.pipes`, whose first entry is
 * archiver's input PassThrough); if they change shape it degrades to yielding once per batch.
 */
async function zipCaughtUp(worksheet: Worksheet): Promise<void> {
  const pipes = (worksheet as unknown as { stream?: { pipes?: Backlogged[] } }).stream?.pipes;
  const input = pipes?.[0];
  const backlog = () => (input?._writableState?.length ?? 0) + (input?._readableState?.length ?? 0);
  await new Promise<void>((resolve) => setImmediate(resolve));
  while (backlog() > ZIP_BACKLOG_BYTES) await new Promise<void>((resolve) => setTimeout(resolve, 1));
}
