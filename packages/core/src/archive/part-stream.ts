import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';

/**
 * One gzip NDJSON object being written: lines go in with backpressure, the compressed bytes come out
 * as the body the storage adapter pulls, counted and hashed on the way (SHA-256 of the stored bytes).
 */
export function createPartStream() {
  const gzip = createGzip({ level: 6 });
  const hash = createHash('sha256');
  let bytes = 0;
  const out = new PassThrough();
  gzip.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  gzip.pipe(out);
  // A failure reaches the writer through the upload's promise; the streams' own error events are expected.
  gzip.on('error', () => undefined);
  out.on('error', () => undefined);
  let failure: Error | undefined;
  return {
    body: out as AsyncIterable<Uint8Array>,
    /** Writes one line; waits while the compressor (and so the upload) is behind, or fails with the upload's error. */
    async write(line: string, stopped: Promise<unknown>): Promise<void> {
      if (failure) throw failure;
      if (!gzip.write(line)) await Promise.race([once(gzip, 'drain'), stopped.then(() => undefined)]);
    },
    /** No more lines; the upload finishes once it has pulled the rest. */
    end(): void {
      gzip.end();
    },
    /** Size and SHA-256 of the compressed bytes: call once the upload has finished. */
    digest(): { bytes: number; sha256: string } {
      return { bytes, sha256: hash.digest('hex') };
    },
    fail(error: Error): void {
      failure = error;
      gzip.destroy(error);
      out.destroy(error);
    },
  };
}
