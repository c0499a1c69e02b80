import { describe, expect, it } from '@jest/globals';
import { createTakenTicketMemory, type Turn } from './taken-tickets.ts';

function aMemory(options: { lifetimeMs?: number; maxEntries?: number } = {}) {
  let clock = 0;
  const memory = createTakenTicketMemory({
    lifetimeMs: options.lifetimeMs ?? 1000,
    maxEntries: options.maxEntries ?? 10,
    now: () => clock,
  });
  /** Takes a turn that must be granted, and ends it with `answer`. */
  const answer = async (ticketId: string, result: 'taken' | 'other') => {
    const turn = await memory.takeTurn(ticketId);
    if (turn === 'taken') throw new Error(`${ticketId} was refused a turn`);
    turn.end(result);
  };
  const isTaken = async (ticketId: string) => {
    const turn = await memory.takeTurn(ticketId);
    if (turn === 'taken') return true;
    turn.end('other');
    return false;
  };
  return { memory, answer, isTaken, advance: (ms: number) => (clock += ms) };
}

describe('createTakenTicketMemory', () => {
  it('when a turn ends with the ticket taken, it is known taken until its lifetime has passed, and not after', async () => {
    const { answer, isTaken, advance } = aMemory({ lifetimeMs: 1000 });

    await answer('t-1', 'taken');

    expect(await isTaken('t-1')).toBe(true);
    advance(999);
    expect(await isTaken('t-1')).toBe(true);
    advance(1);
    expect(await isTaken('t-1')).toBe(false);
    expect(await isTaken('t-2')).toBe(false);
  });

  it('when a turn ends with any other answer, nothing is learnt', async () => {
    const { answer, isTaken } = aMemory();

    await answer('t-1', 'other');

    expect(await isTaken('t-1')).toBe(false);
  });

  it('while a turn is in progress, the next caller waits for its answer: refused when taken', async () => {
    const { memory } = aMemory();
    const first = (await memory.takeTurn('t-1')) as Turn;
    let settled = false;
    const second = memory.takeTurn('t-1').finally(() => (settled = true));

    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    first.end('taken');

    expect(await second).toBe('taken');
  });

  it('while a turn is in progress, the callers waiting for it all get a turn of their own when it learns nothing', async () => {
    const { memory } = aMemory();
    const first = (await memory.takeTurn('t-1')) as Turn;
    const waiting = [memory.takeTurn('t-1'), memory.takeTurn('t-1')];

    first.end('other');

    expect((await Promise.all(waiting)).filter((turn) => turn === 'taken')).toHaveLength(0);
  });

  it('when this replica frees a ticket, it is forgotten at once', async () => {
    const { memory, answer, isTaken } = aMemory();
    await answer('t-1', 'taken');

    memory.forget('t-1');

    expect(await isTaken('t-1')).toBe(false);
  });

  it('when a ticket is seen taken again, its lifetime starts again', async () => {
    const { answer, isTaken, advance } = aMemory({ lifetimeMs: 1000 });
    await answer('t-1', 'taken');
    advance(1000);

    await answer('t-1', 'taken');
    advance(800);

    expect(await isTaken('t-1')).toBe(true);
  });

  it('when the memory is full, the ticket remembered longest ago goes first', async () => {
    const { answer, isTaken } = aMemory({ maxEntries: 2 });
    await answer('t-1', 'taken');
    await answer('t-2', 'taken');

    await answer('t-3', 'taken');

    expect([await isTaken('t-1'), await isTaken('t-2'), await isTaken('t-3')]).toEqual([false, true, true]);
  });

  it('when its lifetime is 0, nothing is remembered and nobody waits', async () => {
    const { memory, answer, isTaken } = aMemory({ lifetimeMs: 0 });
    await answer('t-1', 'taken');
    const first = await memory.takeTurn('t-2');

    const second = await memory.takeTurn('t-2');

    expect(await isTaken('t-1')).toBe(false);
    expect([first, second]).not.toContain('taken');
  });
});
