import { DifyConfigError } from '@dify-logs/core';
import type { Reporter, ReportFile } from '@dify-logs/core/adapter-kit';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_COLUMNS, RUN_COLUMNS, nodeCells, runCells } from '../tabular/columns.js';
import { compactJson } from '../tabular/flatten.js';
import { neutralise } from '../tabular/neutralise.js';
import { replayable } from '../tabular/streams.js';
import { EXCEL_MAX_ROWS, RowSpool } from './row-spool.js';
import { writeWorkbook } from './workbook.js';

export interface XlsxReporterOptions {
  /**
   * Rows per sheet, the header included; at most (and by default) Excel's 1,048,576. Lower it to keep workbooks small.
   */
  maxRowsPerSheet?: number;
}

const CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const RUN_SHEET_COLUMNS = [...RUN_COLUMNS, 'inputs', 'outputs'];

const variablesJson = (variables: Record<string, unknown> | null): string | null =>
  variables === null ? null : neutralise(compactJson(variables) ?? '');

/**
 * Excel report: one workbook with the sheets Summary (the period's analysis), Runs (the runs CSV's
 * columns, with inputs and outputs as JSON text) and Nodes (one row per node execution). Rows are
 * spooled during the run and the workbook is streamed to a temp file in `finish`.
 */
export function xlsxReporter(options: XlsxReporterOptions = {}): Reporter {
  const maxRows = options.maxRowsPerSheet ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 2 || maxRows > EXCEL_MAX_ROWS) {
    throw new DifyConfigError('maxRowsPerSheet', `must be a whole number from 2 to ${EXCEL_MAX_ROWS}, got ${maxRows}`);
  }
  return {
    format: 'xlsx',
    start(context) {
      const runs = new RowSpool(context.tmpDir, 'xlsx-runs', maxRows);
      const nodes = new RowSpool(context.tmpDir, 'xlsx-nodes', maxRows);
      const path = join(context.tmpDir, `report-${randomUUID()}.xlsx`);
      return {
        add(record) {
          const cells = runCells(record);
          cells.push(variablesJson(record.inputs), variablesJson(record.outputs));
          const waits: Promise<void>[] = [];
          const wait = runs.add(cells);
          if (wait) waits.push(wait);
          for (const node of record.nodes ?? []) {
            const nodeWait = nodes.add(nodeCells(record, node));
            if (nodeWait) waits.push(nodeWait);
          }
          return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
        },
        async finish(analysis): Promise<ReportFile[]> {
          const sheets = [
            { name: 'Runs', headers: RUN_SHEET_COLUMNS, rows: runs },
            { name: 'Nodes', headers: NODE_COLUMNS, rows: nodes },
          ];
          await writeWorkbook(path, analysis, sheets, maxRows);
          await Promise.all([runs.dispose(), nodes.dispose()]);
          const body = replayable(() => createReadStream(path, { highWaterMark: 1 << 16 })[Symbol.asyncIterator]());
          return [{ extension: 'xlsx', contentType: CONTENT_TYPE, body }];
        },
        async dispose() {
          await Promise.all([runs.dispose(), nodes.dispose(), rm(path, { force: true })]);
        },
      };
    },
  };
}
