import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { DocumentNode } from 'graphql';
import { documentId, readManifest, TRUSTED_DOCUMENTS_PATH } from '../gateway/trusted-documents.ts';
import * as documents from '../operations/documents.generated.ts';
import { operationText } from '../operations/client.ts';
import { buildManifest, manifestText, operationSources } from './documents.ts';

describe('the trusted-documents manifest', () => {
  it('is current with operations/*.graphql (else run npm run documents)', async () => {
    expect(readFileSync(TRUSTED_DOCUMENTS_PATH, 'utf8')).toBe(await manifestText(buildManifest(operationSources())));
  });

  it('is a persisted-query manifest whose ids are the sha256 of their bodies', () => {
    const manifest = readManifest(TRUSTED_DOCUMENTS_PATH);
    expect(manifest).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1 });
    for (const operation of manifest.operations) expect(operation.id).toBe(documentId(operation.body));
  });

  it('has the id of exactly the text operations/client.ts sends for every typed document', () => {
    const ids = new Set(readManifest(TRUSTED_DOCUMENTS_PATH).operations.map((operation) => operation.id));
    const typed = Object.entries(documents).filter(([name]) => name.endsWith('Document'));
    expect(typed.length).toBe(ids.size);
    for (const [name, document] of typed) {
      expect([name, ids.has(documentId(operationText(document as DocumentNode)))]).toEqual([name, true]);
    }
  });
});
