import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicFileWriter {
  /** Buffered; resolves once the chunk is accepted (awaiting it bounds memory). */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Flushes, fsyncs and renames the temporary file onto `path`. */
  commit(): Promise<void>;
  /** Deletes the temporary file; `path` is left as it was. Safe to call after a failed commit. */
  abort(): Promise<void>;
  readonly path: string;
  readonly tempPath: string;
  readonly bytesWritten: number;
}

export interface AtomicFileOptions {
  /** Refuse to replace an existing file at `path` (default false: replace it atomically). */
  noOverwrite?: boolean;
  /** Flush to disk once this many bytes are buffered (default 256 KiB). */
  bufferBytes?: number;
}

/**
 * Writes a file so that `path` either keeps its old content or holds the complete new content:
 * data goes to a hidden temporary file beside it, which is fsynced and renamed over `path` on commit.
 */
export async function createAtomicFileWriter(path: string, options: AtomicFileOptions = {}): Promise<AtomicFileWriter> {
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const limit = options.bufferBytes ?? 256 * 1024;
  const handle: FileHandle = await open(tempPath, 'wx');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let written = 0;
  let closed = false;

  const flush = async () => {
    if (pendingBytes === 0) return;
    const buffer = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await handle.write(buffer);
  };

  return {
    path,
    tempPath,
    get bytesWritten() {
      return written;
    },
    async write(chunk) {
      if (closed) throw new Error(`${path}: write after commit or abort`);
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      pending.push(bytes);
      pendingBytes += bytes.length;
      written += bytes.length;
      if (pendingBytes >= limit) await flush();
    },
    async commit() {
      if (closed) throw new Error(`${path}: already committed or aborted`);
      closed = true;
      try {
        await flush();
        await handle.sync();
        await handle.close();
        if (options.noOverwrite) {
          // link() fails if the target exists, unlike rename().
          await link(tempPath, path);
          await unlink(tempPath);
        } else {
          await rename(tempPath, path);
        }
        await syncDirectory(dirname(path));
      } catch (error) {
        await handle.close().catch(() => undefined);
        await unlink(tempPath).catch(() => undefined);
        throw error;
      }
    },
    async abort() {
      closed = true;
      pending = [];
      await handle.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
    },
  };
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
