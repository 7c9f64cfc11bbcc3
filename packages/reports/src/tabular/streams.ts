/** An async iterable that starts over on each iteration, so a storage adapter may read a body twice (retries). */
export function replayable(start: () => AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: start };
}

/** Splits a UTF-8 byte stream into text pieces, never inside a character. */
export async function* decodeUtf8(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const tail = decoder.decode();
  if (tail !== '') yield tail;
}

/**
 * The lines of an NDJSON byte stream, a batch per chunk read (no promise per line). Line feeds
 * inside JSON strings are escaped, so every `\n` ends a line.
 */
export async function* lineBatches(source: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  let rest = '';
  for await (const text of decodeUtf8(source)) {
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      rest += text;
      continue;
    }
    const lines = (rest + text.slice(0, last)).split('\n');
    rest = text.slice(last + 1);
    yield lines;
  }
  if (rest !== '') yield [rest];
}
