/**
 * Maps an async source through an async function with up to `readAhead` items in flight,
 * yielding results in source order. The source is pulled in the background, so a slow page fetch
 * does not stall work already queued. `mapper` must not reject (it should capture its own errors);
 * an error from the source is rethrown after the items before it are yielded.
 */
export async function* orderedMap<T, R>(
  source: AsyncIterable<T>,
  mapper: (item: T) => Promise<R>,
  readAhead: number,
): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const queue: Array<Promise<R>> = [];
  let exhausted = false;
  let sourceError: { error: unknown } | undefined;
  let filling: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const fill = async () => {
    try {
      while (!exhausted && queue.length < readAhead) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
        } else {
          const result = mapper(next.value);
          result.catch(() => undefined);
          queue.push(result);
        }
        wake?.();
      }
    } catch (error) {
      sourceError = { error };
      exhausted = true;
      wake?.();
    } finally {
      filling = undefined;
    }
  };

  try {
    for (;;) {
      if (!filling && !exhausted && queue.length < readAhead) filling = fill();
      const head = queue[0];
      if (head) {
        // Shifted only once settled, so the item being awaited still counts against the read-ahead.
        const value = await head;
        queue.shift();
        yield value;
        continue;
      }
      if (exhausted) {
        if (sourceError) throw sourceError.error;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
