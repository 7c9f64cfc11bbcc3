import type { Spool } from '@dify-logs/core/adapter-kit';
import { closeSync, fdatasync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

/** Where CSV text goes. Counts the UTF-8 bytes taken so far, so a writer knows positions in the file. */
export interface TextSink {
  readonly bytes: number;
  /** Takes `text` at once (`bytes` grows before this returns); a promise asks the caller to wait (backpressure). */
  write(text: string): Promise<void> | void;
}

/** A sink on a spool file (asynchronous, with backpressure): for reporters on the main thread. */
export class SpoolSink implements TextSink {
  bytes = 0;

  constructor(readonly spool: Spool) {}

  write(text: string): Promise<void> | void {
    const bytes = Buffer.from(text, 'utf8');
    this.bytes += bytes.length;
    return this.spool.write(bytes);
  }
}

/**
 * Buffers of 1 MiB for synchronous reads and writes, reused (per thread): a fresh megabyte costs a page fault per 4
 * KiB.
 */
const spare: Buffer[] = [];
const takeBuffer = (): Buffer => spare.pop() ?? Buffer.allocUnsafe(1 << 20);
const giveBuffer = (buffer: Buffer): void => void spare.push(buffer);

export interface FileSinkOptions {
  /**
   * Start flushing the file to disk (fdatasync, in the background) each time this many more bytes
   * were written, so that the final fsync has little left to do. Default: never.
   */
  syncEveryBytes?: number;
}

/**
 * A sink writing a new file synchronously through a 1 MiB buffer: for worker threads, and for the main
 * thread while it has nothing else to wait for.
 */
export class FileSink implements TextSink {
  readonly #fd: number;
  readonly #buffer = takeBuffer();
  readonly #syncEvery: number;
  #used = 0;
  #flushed = 0;
  #syncedAt = 0;
  #syncing: Promise<void> | undefined;
  #closed = false;

  constructor(
    readonly path: string,
    options: FileSinkOptions = {},
  ) {
    this.#fd = openSync(path, 'wx');
    this.#syncEvery = options.syncEveryBytes ?? Number.POSITIVE_INFINITY;
  }

  get bytes(): number {
    return this.#flushed + this.#used;
  }

  write(text: string): void {
    // At most 3 bytes per UTF-16 unit.
    if (text.length * 3 > this.#buffer.length - this.#used) {
      this.#flush();
      if (text.length * 3 > this.#buffer.length) {
        this.#writeAll(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.#used += this.#buffer.write(text, this.#used, 'utf8');
  }

  /** Appends bytes `[start, end)` of the file at `path`. */
  copyFrom(path: string, start: number, end: number): void {
    this.#flush();
    const fd = openSync(path, 'r');
    try {
      for (let at = start; at < end;) {
        const read = readSync(fd, this.#buffer, 0, Math.min(this.#buffer.length, end - at), at);
        if (read === 0) throw new Error(`${path} ends at byte ${at}, expected ${end}`);
        this.#writeAll(this.#buffer.subarray(0, read));
        at += read;
      }
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
      giveBuffer(this.#buffer);
    }
  }

  /** Flushes, waits for a background flush to disk, fsyncs and closes: the file is on disk. */
  async closeDurably(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    await this.#syncing;
    fsyncSync(this.#fd);
    this.close();
  }

  #flush(): void {
    if (this.#used === 0) return;
    const used = this.#used;
    this.#used = 0;
    this.#writeAll(this.#buffer.subarray(0, used));
  }

  #writeAll(bytes: Buffer): void {
    for (let at = 0; at < bytes.length;) at += writeSync(this.#fd, bytes, at, bytes.length - at);
    this.#flushed += bytes.length;
    if (this.#flushed - this.#syncedAt >= this.#syncEvery && !this.#syncing) {
      this.#syncedAt = this.#flushed;
      this.#syncing = new Promise<void>((resolve) => fdatasync(this.#fd, () => resolve())).finally(
        () => (this.#syncing = undefined),
      );
    }
  }
}
