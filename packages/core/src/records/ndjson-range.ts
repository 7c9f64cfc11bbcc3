import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { READ_CHUNK_BYTES, RunRecordLines } from './ndjson.js';
import type { RunRecord } from './schema.js';

let scratch: Buffer | undefined;

/**
 * The read buffer of this thread's synchronous reads, reused across calls: a fresh megabyte costs a
 * page fault per 4 KiB, more than reading it. (The functions here never run inside one another.)
 */
function readBuffer(): Buffer {
  return (scratch ??= Buffer.allocUnsafe(READ_CHUNK_BYTES));
}

/** Bytes `[start, end)` of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Cuts an NDJSON file into at most `parts` byte ranges of about equal size, each starting at the
 * beginning of a line (just after a line feed), together covering the whole file in order. Fewer
 * ranges come back when lines are longer than a part. An empty file gives no range.
 */
export function splitNdjsonFile(path: string, parts: number): ByteRange[] {
  const size = statSync(path).size;
  const cuts = [0];
  for (let part = 1; part < parts; part += 1) {
    const at = lineStartFrom(path, Math.max(Math.floor((size * part) / parts), cuts.at(-1)!));
    if (at > cuts.at(-1)! && at < size) cuts.push(at);
  }
  return size === 0 ? [] : cuts.map((start, index) => ({ start, end: cuts[index + 1] ?? size }));
}

/** The first offset at or after `offset` where a line starts (just after a line feed); the file size when none does. */
export function lineStartFrom(path: string, offset: number): number {
  if (offset === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const probe = readBuffer().subarray(0, 64 * 1024);
    // A line starts at `offset` when the byte before it is a line feed.
    for (let at = offset - 1; at < size;) {
      const read = readSync(fd, probe, 0, probe.length, at);
      if (read === 0) break;
      const newline = probe.subarray(0, read).indexOf(10);
      if (newline !== -1) return at + newline + 1;
      at += read;
    }
    return size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses the RunRecords of `range` of an NDJSON file synchronously (for worker threads), calling
 * `onRecord` for each. `range` must start at the beginning of a line (see splitNdjsonFile). Errors are
 * RecordFileErrors whose line counts from the range's start (line 1 is its first line): add
 * `linesBefore(path, range.start)` for the line in the file.
 */
export function readRunRecordRange(
  path: string,
  range: ByteRange,
  name: string,
  onRecord: (record: RunRecord) => void,
): void {
  const fd = openSync(path, 'r');
  try {
    const lines = new RunRecordLines(name);
    const buffer = readBuffer();
    for (let at = range.start; at < range.end;) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, range.end - at), at);
      if (read === 0) break;
      lines.push(buffer.subarray(0, read), onRecord);
      at += read;
    }
    lines.end(onRecord);
  } finally {
    closeSync(fd);
  }
}

/** The number of lines before byte `offset` of a file (line feeds in `[0, offset)`). */
export function linesBefore(path: string, offset: number): number {
  const fd = openSync(path, 'r');
  try {
    const buffer = readBuffer();
    let lines = 0;
    for (let at = 0; at < offset;) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, offset - at), at);
      if (read === 0) break;
      const bytes = buffer.subarray(0, read);
      for (let index = bytes.indexOf(10); index !== -1; index = bytes.indexOf(10, index + 1)) lines += 1;
      at += read;
    }
    return lines;
  } finally {
    closeSync(fd);
  }
}
