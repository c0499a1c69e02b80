import { describe, expect, it } from '@jest/globals';
import { createBoundedQueue, QueueOverflow } from './bounded-queue.ts';
import { filterMap } from './filter-map.ts';

describe('a bounded queue', () => {
  it('hands items to its reader in order, then ends', async () => {
    const queue = createBoundedQueue<number>(10);
    const reader = queue.reader();
    [1, 2, 3].forEach((n) => queue.push(n));
    queue.end();
    const read: number[] = [];
    for await (const n of reader) read.push(n);
    expect(read).toEqual([1, 2, 3]);
  });

  it('fails a reader that fell more than its capacity behind, at once', async () => {
    const queue = createBoundedQueue<number>(2);
    const reader = queue.reader();
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    await expect(reader.next()).rejects.toBeInstanceOf(QueueOverflow);
  });

  it('runs onClose once when its reader is returned while waiting, even through filterMap', async () => {
    let closed = 0;
    const queue = createBoundedQueue<number>(2, () => closed++);
    const evens = filterMap(queue.reader(), (n) => (n % 2 === 0 ? n : undefined));
    const waiting = evens.next();
    await evens.return();
    await evens.return();
    expect(closed).toBe(1);
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(queue.push(2)).toBe(false);
  });
});
