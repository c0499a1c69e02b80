/**
 * Apollo's `createHash` (@apollo/utils.createhash) runs for every GraphQL request: Apollo Server
 * keys its document cache by the query's SHA-256, and the gateway hashes too. Each call does
 * `module.require("crypto")`. Under `node --import tsx` (how every process runs) a `require` of a
 * built-in is never cached: it goes through tsx's resolver hook, which makes an Error and reads
 * its (source-mapped) stack. That was 2–3 % of every process's CPU in the federated read.
 *
 * `preloadCryptoForApolloHashing` gives each copy of that module's `require` Node's crypto
 * directly; anything else it requires goes the usual way. The hash is the same.
 */
import crypto from 'node:crypto';
import { createRequire, Module } from 'node:module';

const PACKAGE = '@apollo/utils.createhash';
// Each of these depends on its own copy (the gateway on v2, the server on v3).
const DEPENDENTS = ['@apollo/server', '@apollo/gateway'];

let installed = false;

const require = createRequire(import.meta.url);

/** The files of the copies installed. */
export function apolloHashingCopies(): string[] {
  const files = new Set<string>();
  for (const dependent of DEPENDENTS) {
    try {
      files.add(createRequire(require.resolve(dependent)).resolve(PACKAGE));
    } catch {
      // Not installed here: nothing to speed up.
    }
  }
  return [...files];
}

/** Idempotent; returns the files of the copies it found. */
export function preloadCryptoForApolloHashing(): string[] {
  const files = apolloHashingCopies();
  if (installed) return files;
  installed = true;
  for (const file of files) {
    require(file);
    const loaded = require.cache[file];
    // Node's own loader only (a test runner's registry has modules of its own kind).
    if (!(loaded instanceof Module)) continue;
    const requireAsUsual = loaded.require.bind(loaded);
    loaded.require = ((id: string) => (id === 'crypto' ? crypto : requireAsUsual(id))) as NodeJS.Require;
  }
  return files;
}
