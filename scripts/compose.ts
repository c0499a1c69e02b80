/** `npm run compose`: writes the supergraph the gateway runs and the client-facing API schema. */
import { writeFileSync } from 'node:fs';
import { API_SCHEMA_PATH, SUPERGRAPH_PATH, composeSupergraph } from '../gateway/composition.ts';

const { supergraphSdl, apiSchemaSdl } = composeSupergraph();
writeFileSync(SUPERGRAPH_PATH, supergraphSdl);
writeFileSync(API_SCHEMA_PATH, apiSchemaSdl);
process.stdout.write(`wrote ${SUPERGRAPH_PATH}\nwrote ${API_SCHEMA_PATH}\n`);
