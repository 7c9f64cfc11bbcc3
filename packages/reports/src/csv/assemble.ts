import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { NODE_COLUMNS, RUN_COLUMNS } from '../tabular/columns.js';
import { CsvRecordSplitter, encodeRows, splitCsvFields } from './encode.js';
import type { NodesPart, RunsEpoch, RunsPart, VariableSet } from './parts.js';
import type { FileSink } from './sinks.js';
import { variableHeaders } from './variable-columns.js';

/** Bytes read from a part file at a time (fresh buffers this small are cheap; the consumer may keep them). */
const READ_BYTES = 256 * 1024;
/** Characters of rewritten rows gathered before they are passed on. */
const CHUNK_CHARS = 1 << 16;

/** The variable columns of the whole runs CSV. */
export interface RunsColumns {
  inputs: VariableSet;
  outputs: VariableSet;
}

/**
 * The variable columns of the runs CSV over `parts` written one after the other, as one writer over
 * all their runs would have found them: each part's new columns after the ones before, in the order
 * it met them. Undefined when that cannot be known from the parts: several parts, and more than
 * `maxColumns` columns in a section (one writer would have put the later ones into `__other`).
 */
export function unionRunsColumns(parts: readonly RunsPart[], maxColumns: number): RunsColumns | undefined {
  if (parts.length === 1) return { inputs: parts[0]!.inputs, outputs: parts[0]!.outputs };
  const union = (sets: VariableSet[]): VariableSet | undefined => {
    if (sets.some((set) => set.overflowed)) return undefined;
    const keys = new Set<string>();
    for (const set of sets) for (const key of set.keys) keys.add(key);
    return keys.size > maxColumns ? undefined : { keys: [...keys], overflowed: false };
  };
  const inputs = union(parts.map((part) => part.inputs));
  const outputs = union(parts.map((part) => part.outputs));
  return inputs && outputs ? { inputs, outputs } : undefined;
}

export const sameColumns = (a: RunsColumns, b: RunsColumns): boolean =>
  sameSet(a.inputs, b.inputs) && sameSet(a.outputs, b.outputs);
const sameSet = (a: VariableSet, b: VariableSet) =>
  a.overflowed === b.overflowed &&
  a.keys.length === b.keys.length &&
  a.keys.every((key, index) => key === b.keys[index]);

/** The first line of the runs CSV (with the byte-order mark when asked). */
export function runsCsvHeader(columns: RunsColumns, bom: boolean): string {
  const header = [
    ...RUN_COLUMNS,
    ...variableHeaders('inputs', columns.inputs.keys, columns.inputs.overflowed),
    ...variableHeaders('outputs', columns.outputs.keys, columns.outputs.overflowed),
  ];
  return `${bom ? '\uFEFF' : ''}${encodeRows([header], '\r\n')}`;
}

/** The first line of the nodes CSV. */
export function nodesCsvHeader(bom: boolean): string {
  return `${bom ? '\uFEFF' : ''}${encodeRows([[...NODE_COLUMNS]], '\r\n')}`;
}

/** A byte range of a runs part: copied as it is, or its rows rebuilt field by field (`arrange`). */
interface Segment {
  start: number;
  end: number;
  arrange?: (fields: string[]) => string[];
  /** Fields of a row of the range. */
  width: number;
}

const width = (set: VariableSet) => set.keys.length + (set.overflowed ? 1 : 0);

/** Where each of a part's columns goes in the whole file's section (its `__other` stays last). */
function placement(local: VariableSet, global: VariableSet): number[] {
  const positions = new Map(global.keys.map((key, index) => [key, index]));
  const places = local.keys.map((key) => positions.get(key)!);
  if (local.overflowed) places.push(width(global) - 1);
  return places;
}

const isIdentity = (places: number[]) => places.every((place, index) => place === index);

/**
 * How a part's rows become rows of the whole file: ranges already in the final layout (same widths,
 * columns at the same places: nearly all rows once the columns settle) are copied as bytes; in the
 * others each field moves to its column and empty fields pad the row.
 */
function segments(part: RunsPart, columns: RunsColumns): Segment[] {
  const inputs = width(columns.inputs);
  const outputs = width(columns.outputs);
  const inputPlaces = placement(part.inputs, columns.inputs);
  const outputPlaces = placement(part.outputs, columns.outputs);
  const settled = isIdentity(inputPlaces) && isIdentity(outputPlaces);
  return part.epochs.map((epoch, index) => {
    const range = {
      start: epoch.offset,
      end: part.epochs[index + 1]?.offset ?? part.bytes,
      width: RUN_COLUMNS.length + epoch.inputs + epoch.outputs,
    };
    if (settled && epoch.inputs === inputs && epoch.outputs === outputs) return range;
    return {
      ...range,
      arrange: (fields: string[]) => arrange(fields, epoch, inputPlaces, inputs, outputPlaces, outputs),
    };
  });
}

/** A row's fields in the final layout: fixed fields, then each variable field at its column, empty elsewhere. */
function arrange(
  fields: string[],
  epoch: RunsEpoch,
  inputPlaces: number[],
  inputs: number,
  outputPlaces: number[],
  outputs: number,
): string[] {
  const fixed = RUN_COLUMNS.length;
  const row = fields.slice(0, fixed);
  const section = (from: number, count: number, places: number[], size: number) => {
    const cells = new Array<string>(size).fill('');
    for (let index = 0; index < count; index += 1) cells[places[index]!] = fields[from + index]!;
    return cells;
  };
  row.push(
    ...section(fixed, epoch.inputs, inputPlaces, inputs),
    ...section(fixed + epoch.inputs, epoch.outputs, outputPlaces, outputs),
  );
  return row;
}

/** Rebuilds the CRLF rows of decoded text pieces, passing on the new text in pieces. */
class RowRewriter {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #splitter = new CsvRecordSplitter();
  #out = '';

  constructor(private readonly segment: Segment) {}

  /** The rewritten text so far, once there is enough of it (or `final`). */
  push(bytes: Uint8Array | undefined, final = false): string | undefined {
    const text = bytes ? this.#decoder.decode(bytes, { stream: true }) : this.#decoder.decode();
    this.#take(this.#splitter.push(text));
    if (final) this.#take(this.#splitter.end());
    if (!final && this.#out.length < CHUNK_CHARS) return undefined;
    const out = this.#out;
    this.#out = '';
    return out;
  }

  #take(records: string[]): void {
    const { arrange, width: expected } = this.segment;
    for (const record of records) {
      const fields = splitCsvFields(record.endsWith('\r') ? record.slice(0, -1) : record);
      if (fields.length !== expected)
        throw new Error(`a runs CSV row has ${fields.length} fields, expected ${expected}`);
      this.#out += `${arrange!(fields).join(',')}\r\n`;
    }
  }
}

/** The runs CSV: header, then the rows of each part in order (see `segments`). */
export async function* runsCsvBody(
  parts: readonly RunsPart[],
  columns: RunsColumns,
  bom: boolean,
): AsyncGenerator<Uint8Array> {
  yield Buffer.from(runsCsvHeader(columns, bom), 'utf8');
  for (const part of parts) {
    if (part.bytes === 0) continue;
    const handle = await open(part.path, 'r');
    try {
      for (const segment of segments(part, columns)) {
        if (!segment.arrange) {
          yield* readRange(handle, segment.start, segment.end);
          continue;
        }
        const rewriter = new RowRewriter(segment);
        for await (const bytes of readRange(handle, segment.start, segment.end)) {
          const text = rewriter.push(bytes);
          if (text) yield Buffer.from(text, 'utf8');
        }
        const rest = rewriter.push(undefined, true);
        if (rest) yield Buffer.from(rest, 'utf8');
      }
    } finally {
      await handle.close();
    }
  }
}

/** The nodes CSV: header, then the rows of each part as they are. */
export async function* nodesCsvBody(parts: readonly NodesPart[], bom: boolean): AsyncGenerator<Uint8Array> {
  yield Buffer.from(nodesCsvHeader(bom), 'utf8');
  for (const part of parts) {
    if (part.bytes === 0) continue;
    const handle = await open(part.path, 'r');
    try {
      yield* readRange(handle, 0, part.bytes);
    } finally {
      await handle.close();
    }
  }
}

/** Appends the rows of a runs part to `sink` in the layout of `columns`, synchronously. */
export function writeRunsPart(part: RunsPart, columns: RunsColumns, sink: FileSink): void {
  for (const segment of segments(part, columns)) {
    if (!segment.arrange) {
      sink.copyFrom(part.path, segment.start, segment.end);
      continue;
    }
    const rewriter = new RowRewriter(segment);
    for (const bytes of readRangeSync(part.path, segment.start, segment.end)) {
      const text = rewriter.push(bytes);
      if (text) sink.write(text);
    }
    const rest = rewriter.push(undefined, true);
    if (rest) sink.write(rest);
  }
}

async function* readRange(handle: FileHandle, start: number, end: number): AsyncGenerator<Buffer> {
  for (let at = start; at < end;) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, end - at));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
    if (bytesRead === 0) throw new Error(`CSV part ends at byte ${at}, expected ${end}`);
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    at += bytesRead;
  }
}

function* readRangeSync(path: string, start: number, end: number): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (let at = start; at < end;) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, end - at));
      const read = readSync(fd, buffer, 0, buffer.length, at);
      if (read === 0) throw new Error(`CSV part ends at byte ${at}, expected ${end}`);
      yield buffer.subarray(0, read);
      at += read;
    }
  } finally {
    closeSync(fd);
  }
}
