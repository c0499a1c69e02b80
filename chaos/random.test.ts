import { describe, expect, it } from '@jest/globals';
import { createRandom } from './random.ts';

describe('createRandom', () => {
  it('when given the same seed twice, it makes the same choices', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 50 }, () => random.int(0, 1000));
    };

    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('when asked for integers in a range, it stays inside it and reaches both ends', () => {
    const random = createRandom(7);
    const seen = new Set(Array.from({ length: 2000 }, () => random.int(3, 6)));

    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });
});
