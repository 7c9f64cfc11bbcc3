import type { RunRecord } from '@dify-logs/core';
import { nodeCells, runCells } from '../tabular/columns.js';
import type { Cell } from '../tabular/neutralise.js';
import { csvField, encodeRow } from './encode.js';
import type { TextSink } from './sinks.js';
import { VariableColumns } from './variable-columns.js';

/** Characters of CSV gathered before they go to the sink: small strings stay out of V8's large-object space. */
const BATCH_CHARS = 16 * 1024;

/** From byte `offset` of a runs part on, rows have `inputs` input and `outputs` output columns. */
export interface RunsEpoch {
  offset: number;
  inputs: number;
  outputs: number;
}

/** Variable columns (`inputs.*` or `outputs.*`) as one writer found them, in column order. */
export interface VariableSet {
  keys: string[];
  overflowed: boolean;
}

/**
 * Runs CSV rows written by one writer, without header: each row is final CSV (CRLF), padded to the
 * variable columns known when it was written. Columns only ever get added at the end of their
 * section, so the rows form epochs of equal widths; rows of the last epoch usually need no change.
 */
export interface RunsPart {
  path: string;
  bytes: number;
  epochs: RunsEpoch[];
  inputs: VariableSet;
  outputs: VariableSet;
}

/** Node-execution CSV rows (final, CRLF) written by one writer, without header. */
export interface NodesPart {
  path: string;
  bytes: number;
}

/** Writes the rows of the runs CSV to a sink, noting where the widths of the variable columns change. */
export class RunsPartWriter {
  readonly #inputs: VariableColumns;
  readonly #outputs: VariableColumns;
  readonly #epochs: RunsEpoch[] = [];
  #pending = '';

  constructor(
    private readonly sink: TextSink,
    maxColumns: number,
  ) {
    this.#inputs = new VariableColumns(maxColumns);
    this.#outputs = new VariableColumns(maxColumns);
  }

  add(run: RunRecord): Promise<void> | void {
    const inputCells = this.#inputs.cells(run.inputs);
    const outputCells = this.#outputs.cells(run.outputs);
    const inputs = this.#inputs.width;
    const outputs = this.#outputs.width;
    const epoch = this.#epochs.at(-1);
    let waiting: Promise<void> | void = undefined;
    if (epoch === undefined || epoch.inputs !== inputs || epoch.outputs !== outputs) {
      waiting = this.flush();
      this.#epochs.push({ offset: this.sink.bytes, inputs, outputs });
    }
    this.#pending +=
      `${encodeRow(runCells(run))}${variableFields(inputCells, inputs)}` +
      `${variableFields(outputCells, outputs)}\r\n`;
    if (this.#pending.length < BATCH_CHARS) return waiting;
    const flushing = this.flush();
    return waiting && flushing ? Promise.all([waiting, flushing]).then(() => undefined) : (waiting ?? flushing);
  }

  flush(): Promise<void> | void {
    if (this.#pending === '') return undefined;
    const text = this.#pending;
    this.#pending = '';
    return this.sink.write(text);
  }

  /** What was written (call after the last `flush`, once the file is complete). */
  part(path: string): RunsPart {
    const variables = (columns: VariableColumns): VariableSet => ({
      keys: [...columns.keys],
      overflowed: columns.overflowed,
    });
    return {
      path,
      bytes: this.sink.bytes,
      epochs: this.#epochs.map((epoch) => ({ ...epoch })),
      inputs: variables(this.#inputs),
      outputs: variables(this.#outputs),
    };
  }
}

/** `,cell` for each cell, then empty cells up to `width`. */
function variableFields(cells: Cell[], width: number): string {
  let out = '';
  for (let index = 0; index < cells.length; index += 1) out += `,${csvField(cells[index]!)}`;
  return width > cells.length ? out + ','.repeat(width - cells.length) : out;
}

/** Writes the rows of the node-executions CSV (fixed columns, so already final) to a sink. */
export class NodesPartWriter {
  #pending = '';

  constructor(private readonly sink: TextSink) {}

  add(run: RunRecord): Promise<void> | void {
    if (!run.nodes) return undefined;
    for (const node of run.nodes) this.#pending += `${encodeRow(nodeCells(run, node))}\r\n`;
    return this.#pending.length >= BATCH_CHARS ? this.flush() : undefined;
  }

  flush(): Promise<void> | void {
    if (this.#pending === '') return undefined;
    const text = this.#pending;
    this.#pending = '';
    return this.sink.write(text);
  }

  part(path: string): NodesPart {
    return { path, bytes: this.sink.bytes };
  }
}
