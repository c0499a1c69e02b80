/** For apollo-hashing.test.ts: hashes once with each copy of Apollo's createHash, counting module resolutions. */
import { createHash as nodeCreateHash } from 'node:crypto';
import { createRequire, Module } from 'node:module';
import { apolloHashingCopies, preloadCryptoForApolloHashing } from './apollo-hashing.ts';

type ResolveFilename = (request: string, ...rest: unknown[]) => string;

const files = process.argv[2] === 'install' ? preloadCryptoForApolloHashing() : apolloHashingCopies();
const require = createRequire(import.meta.url);
const hashers = files.map((file) => (require(file) as { createHash: typeof nodeCreateHash }).createHash);
const modules = Module as unknown as { _resolveFilename: ResolveFilename };
const resolve = modules._resolveFilename;
const resolved: string[] = [];
modules._resolveFilename = (request, ...rest) => {
  resolved.push(request);
  return resolve.call(Module, request, ...rest);
};
const query = '{ tickets(first: 20) { edges { node { id } } } }';
const digests = hashers.map((createHash) => createHash('sha256').update(query).digest('hex'));
modules._resolveFilename = resolve;
const expected = nodeCreateHash('sha256').update(query).digest('hex');
process.stdout.write(JSON.stringify({ files, digests, expected, resolved }));
