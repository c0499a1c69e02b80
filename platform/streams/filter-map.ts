/**
 * Filters and maps an async stream without an async generator in between: returning the result
 * returns the source at once, even while a read is waiting for the next item. (An async
 * generator would queue the return behind that read, and a quiet feed would keep its subscriber
 * registered until the next event.)
 */
export function filterMap<T, U>(
  source: AsyncIterator<T>,
  map: (item: T) => U | undefined | Promise<U | undefined>,
): AsyncIterableIterator<U> & { return(): Promise<IteratorResult<U>> } {
  const stream = {
    async next(): Promise<IteratorResult<U>> {
      for (;;) {
        const read = await source.next();
        if (read.done) return { done: true, value: undefined };
        const mapped = await map(read.value);
        if (mapped !== undefined) return { done: false, value: mapped };
      }
    },
    async return(): Promise<IteratorResult<U>> {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown): Promise<IteratorResult<U>> {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
