import { createSpool, type RunRecord, type Spool } from '@dify-logs/core';
import { randomUUID } from 'node:crypto';
import { RUN_COLUMNS, runCells } from '../tabular/columns.js';
import type { Cell } from '../tabular/neutralise.js';
import { decodeUtf8, replayable } from '../tabular/streams.js';
import { CsvRecordSplitter, encodeRows } from './encode.js';
import { VariableColumns } from './variable-columns.js';

/** Runs per batch handed to csv-stringify (two spool records each). */
const BATCH_RUNS = 256;
/** Bytes of CSV gathered before a body chunk is yielded. */
const CHUNK_BYTES = 1 << 16;

export interface RunsCsvOptions {
  dir: string;
  bom: boolean;
  maxInputColumns: number;
}

export interface RunsCsv {
  add(run: RunRecord): Promise<void> | void;
  /** Closes the spool; the body streams the header and the spooled rows. */
  finish(): Promise<AsyncIterable<Uint8Array>>;
  dispose(): Promise<void>;
}

/**
 * The runs CSV. Its `inputs.*`/`outputs.*` columns are known only after the last run, so each run is
 * spooled as two CSV records, already quoted: `[inputCount, ...fixed, ...inputs]` and
 * `[outputCount, ...outputs]`. A column keeps the position it was first seen at, so each section is a
 * prefix of its final columns; `finish` strips the counts, pads each section with empty cells to the
 * final width and joins the two. Memory holds one batch and the column names, whatever the run count.
 */
export function createRunsCsv(options: RunsCsvOptions): RunsCsv {
  const inputs = new VariableColumns(options.maxInputColumns);
  const outputs = new VariableColumns(options.maxInputColumns);
  let batch: Cell[][] = [];
  let spool: Spool | undefined;

  const flush = (): Promise<void> | void => {
    if (batch.length === 0) return undefined;
    const text = encodeRows(batch, '\n');
    batch = [];
    spool ??= createSpool(options.dir, `runs-${randomUUID()}.csv.spool`);
    return spool.write(text);
  };

  return {
    add(run) {
      const inputCells = inputs.cells(run.inputs);
      const fixed = runCells(run);
      fixed.unshift(inputCells.length);
      for (const cell of inputCells) fixed.push(cell);
      const outputCells = outputs.cells(run.outputs);
      outputCells.unshift(outputCells.length);
      batch.push(fixed, outputCells);
      return batch.length >= BATCH_RUNS * 2 ? flush() : undefined;
    },
    async finish() {
      await flush();
      await spool?.close();
      const header = [...RUN_COLUMNS, ...inputs.headers('inputs'), ...outputs.headers('outputs')];
      const first = `${options.bom ? '\uFEFF' : ''}${encodeRows([header], '\r\n')}`;
      const widths = { inputs: inputs.width, outputs: outputs.width };
      const source = spool;
      return replayable(() => runsBody(first, source, widths));
    },
    async dispose() {
      batch = [];
      await spool?.dispose();
    },
  };
}

async function* runsBody(first: string, spool: Spool | undefined, widths: { inputs: number; outputs: number }): AsyncGenerator<Uint8Array> {
  let out = first;
  if (spool) {
    const splitter = new CsvRecordSplitter();
    let head: string | undefined;
    for await (const text of decodeUtf8(spool.read())) {
      for (const record of splitter.push(text)) {
        if (head === undefined) {
          head = record;
          continue;
        }
        out += `${padded(head, widths.inputs, true)}${padded(record, widths.outputs, false)}\r\n`;
        head = undefined;
      }
      if (out.length >= CHUNK_BYTES) {
        yield Buffer.from(out);
        out = '';
      }
    }
    if (head !== undefined || splitter.end().length > 0) throw new Error('The runs CSV spool ends inside a record');
  }
  if (out !== '') yield Buffer.from(out);
}

/**
 * One spooled section without its leading count, padded to `width` cells. The first section always
 * has the fixed cells; the second starts with the comma that separates it from the first.
 */
function padded(record: string, width: number, first: boolean): string {
  const comma = record.indexOf(',');
  const count = Number(comma < 0 ? record : record.slice(0, comma));
  const cells = comma < 0 ? '' : record.slice(comma + 1);
  if (first) return cells + ','.repeat(width - count);
  if (width === 0) return '';
  return count === 0 ? ','.repeat(width) : `,${cells}${','.repeat(width - count)}`;
}
