/**
 * Where the served store stands in the stream, for subscriptions that read it after an event:
 * the subscription feed and the projector read the same stream independently, so an event can
 * reach a subscriber before the projector has applied it; its read waits until it has.
 */
import type { AppliedPosition } from '../domain/ports.ts';

export function createAppliedPosition(current: () => number): AppliedPosition & { reached(position: number): void } {
  let highest = 0;
  const waiting = new Map<number, (() => void)[]>();
  return {
    reached(position) {
      highest = Math.max(highest, position);
      for (const [awaited, wakes] of waiting) {
        if (awaited > highest) continue;
        waiting.delete(awaited);
        wakes.forEach((wake) => wake());
      }
    },
    through(position) {
      highest = Math.max(highest, current());
      if (position <= highest) return Promise.resolve();
      return new Promise((resolve) => waiting.set(position, [...(waiting.get(position) ?? []), resolve]));
    },
  };
}
