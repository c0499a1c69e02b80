import { describe, expect, it, jest } from '@jest/globals';
import type { FormattedExecutionResult } from 'graphql';
import { createBoundedQueue } from '../../platform/streams/bounded-queue.ts';
import { withEndings } from './subscription-stream.ts';
import { UpstreamRefused } from './upstream.ts';

function results(capacity = 10) {
  const queue = createBoundedQueue<FormattedExecutionResult>(capacity);
  return { queue, reader: queue.reader() };
}

describe("how a client's subscription ends", () => {
  it('with UNAUTHENTICATED when its token expires, then done', async () => {
    const { reader } = results();
    const onEnd = jest.fn();
    const stream = withEndings(reader, { expiresAt: Date.now() + 50, onSlowConsumer: () => {}, onEnd });
    const last = await stream.next();
    expect(last.value?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('with SLOW_CONSUMER, and the transport told to cut the connection, when its buffer overflows', async () => {
    const { queue, reader } = results(1);
    const onSlowConsumer = jest.fn();
    const stream = withEndings(reader, { onSlowConsumer, onEnd: () => {} });
    queue.push({ data: {} });
    queue.push({ data: {} });
    const last = await stream.next();
    expect(last.value?.errors?.[0]?.extensions?.code).toBe('SLOW_CONSUMER');
    expect(onSlowConsumer).toHaveBeenCalledTimes(1);
  });

  it("with the owning subgraph's errors when it refuses the subscription", async () => {
    const { queue, reader } = results();
    const stream = withEndings(reader, { onSlowConsumer: () => {}, onEnd: () => {} });
    queue.fail(new UpstreamRefused([{ message: 'no', extensions: { code: 'BAD_USER_INPUT' } }]));
    expect((await stream.next()).value?.errors).toEqual([{ message: 'no', extensions: { code: 'BAD_USER_INPUT' } }]);
    expect((await stream.next()).done).toBe(true);
  });

  it('once, whichever way, when the client completes it', async () => {
    const { reader } = results();
    const onEnd = jest.fn();
    const stream = withEndings(reader, { onSlowConsumer: () => {}, onEnd });
    const pending = stream.next();
    await stream.return();
    await stream.return();
    expect(onEnd).toHaveBeenCalledTimes(1);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });
});
