import type { SaveRequest } from './storage.js';

/**
 * A save request's body (text, bytes or an async iterable) read chunk by chunk, remembering whether the
 * body itself failed: that error is the caller's, not the storage's. For adapters that upload in parts.
 */
export class BodySource {
  bytes = 0;
  failed = false;
  error: unknown;
  private readonly iterator: AsyncIterator<Uint8Array | string> | undefined;
  private whole: Buffer | undefined;

  constructor(body: SaveRequest['body']) {
    if (typeof body === 'string') this.whole = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array) this.whole = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else this.iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  }

  /** The next chunk, or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    if (!this.iterator) {
      const whole = this.whole;
      this.whole = undefined;
      this.bytes += whole?.byteLength ?? 0;
      return whole && whole.byteLength > 0 ? whole : undefined;
    }
    let result: IteratorResult<Uint8Array | string>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      this.failed = true;
      this.error = error;
      throw error;
    }
    if (result.done) return undefined;
    const chunk =
      typeof result.value === 'string'
        ? Buffer.from(result.value, 'utf8')
        : Buffer.from(result.value.buffer, result.value.byteOffset, result.value.byteLength);
    this.bytes += chunk.byteLength;
    return chunk;
  }

  /** Lets the body's generator run its `finally` blocks when the upload stops early. */
  async close(): Promise<void> {
    await this.iterator?.return?.().catch(() => undefined);
  }
}
