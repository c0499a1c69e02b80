import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { SUBGRAPHS } from '../gateway/composition.ts';
import { generatedPath, generateResolverTypes } from './codegen.ts';

describe('generated resolver types', () => {
  it.each(SUBGRAPHS)('of the %s subgraph match its schema (else run npm run codegen)', async (subgraph) => {
    expect(readFileSync(generatedPath(subgraph), 'utf8')).toBe(await generateResolverTypes(subgraph));
  });
});
