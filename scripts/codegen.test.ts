import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SUBGRAPHS } from '../gateway/composition.ts';
import { DOCUMENT_SETS, generatedPath, generateResolverTypes, generateTypedDocuments } from './codegen.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('generated resolver types', () => {
  it.each(SUBGRAPHS)('of the %s subgraph match its schema (else run npm run codegen)', async (subgraph) => {
    expect(readFileSync(generatedPath(subgraph), 'utf8')).toBe(await generateResolverTypes(subgraph));
  });
});

describe('generated typed documents', () => {
  it.each(DOCUMENT_SETS)('$output matches its documents and schema (else run npm run codegen)', async (set) => {
    expect(readFileSync(path.join(root, set.output), 'utf8')).toBe(await generateTypedDocuments(set));
  });

  it('refuses a document that does not fit its schema', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'codegen-'));
    try {
      const source = path.join(dir, 'misspelled.graphql');
      writeFileSync(source, 'query Misspelled { pricePolicies { discountPercentage } }');
      const set = { ...DOCUMENT_SETS[0]!, sources: [path.relative(root, source)] };
      await expect(generateTypedDocuments(set)).rejects.toThrow(/discountPercentage/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
