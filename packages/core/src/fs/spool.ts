import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

/** A temporary file written in pieces and read back as a stream: reports that cannot be held in memory. */
export interface Spool {
  readonly path: string;
  /** Appends text or bytes; resolves at once unless the disk is behind (backpressure). */
  write(chunk: string | Uint8Array): Promise<void> | void;
  /** Flushes and closes the file; after this `read()` may be called (any number of times). */
  close(): Promise<void>;
  read(): AsyncIterable<Uint8Array>;
  /** Closes (if needed) and deletes the file. */
  dispose(): Promise<void>;
}

/**
 * A spool file `dir/name`. Writes are buffered up to 1 MiB before the writer must wait for the disk; `write` returns a
 * promise only when the stream asks to wait, so the common path costs no promise per record.
 */
export function createSpool(dir: string, name: string): Spool {
  const path = join(dir, name);
  const stream = createWriteStream(path, { flags: 'wx', highWaterMark: 1 << 20 });
  let failure: Error | undefined;
  stream.on('error', (error) => (failure = error));
  let closed = false;
  return {
    path,
    write(chunk) {
      if (failure) throw failure;
      if (stream.write(chunk)) return undefined;
      return once(stream, 'drain').then(() => undefined);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (failure) throw failure;
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      });
    },
    read() {
      return createReadStream(path, { highWaterMark: 1 << 16 });
    },
    async dispose() {
      if (!closed) {
        closed = true;
        stream.destroy();
      }
      await rm(path, { force: true });
    },
  };
}
