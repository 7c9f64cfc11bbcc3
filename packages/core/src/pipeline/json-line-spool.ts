import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createSpool, type Spool } from '../fs/spool.js';

/**
 * Values as NDJSON in a private temporary folder while a run goes on, read back (any number of times) once it is over.
 */
export interface JsonLineSpool {
  /** Values added so far. */
  readonly count: number;
  /**
   * Appends one value as a line; a promise when the disk is behind (backpressure), or for the first value (the folder
   * is made then).
   */
  add(value: unknown): void | Promise<void>;
  /** The lines written (nothing when no value came); the first read closes the file. */
  read(): AsyncIterable<Uint8Array>;
  /** The lines written, as text without their line feeds, one value each. */
  lines(): AsyncIterable<string>;
  /** The values written, parsed again, one line at a time. */
  values<T>(): AsyncIterable<T>;
  dispose(): Promise<void>;
}

/**
 * A JSON-line spool whose folder (named after `prefix`) is created on the first value, so a run that spools nothing
 * touches no disk.
 */
export function openJsonLineSpool(prefix: string): JsonLineSpool {
  let dir: Promise<string> | undefined;
  let spool: Spool | undefined;
  let closed: Promise<void> | undefined;
  let count = 0;
  const write = (value: unknown) => spool!.write(`${JSON.stringify(value)}\n`);
  return {
    get count() {
      return count;
    },
    add(value) {
      count += 1;
      if (spool) return write(value);
      return (dir ??= mkdtemp(join(tmpdir(), prefix))).then((folder) => {
        spool ??= createSpool(folder, 'values.ndjson');
        return write(value);
      });
    },
    read: () => ({
      async *[Symbol.asyncIterator]() {
        if (!spool) return;
        await (closed ??= spool.close());
        yield* spool.read();
      },
    }),
    async *lines() {
      const lines = createInterface({ input: Readable.from(this.read()), crlfDelay: Infinity });
      for await (const line of lines) if (line !== '') yield line;
    },
    async *values<T>() {
      for await (const line of this.lines()) yield JSON.parse(line) as T;
    },
    async dispose() {
      await spool?.dispose().catch(() => undefined);
      if (dir) await rm(await dir, { recursive: true, force: true });
    },
  };
}
