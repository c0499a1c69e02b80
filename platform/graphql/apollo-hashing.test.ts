/**
 * Run in a Node process of its own, as the services run (`node --import tsx`): the test runner's
 * module registry is not Node's, and the function leaves it alone.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const probe = fileURLToPath(new URL('./apollo-hashing.probe.ts', import.meta.url));

function runProbe(install: boolean): { files: string[]; digests: string[]; expected: string; resolved: string[] } {
  const output = execFileSync(process.execPath, ['--import', 'tsx', probe, install ? 'install' : 'leave'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(output) as { files: string[]; digests: string[]; expected: string; resolved: string[] };
}

describe("Apollo's createHash, with crypto given to it once", () => {
  it("hashes as Node does in the server's and the gateway's copies, resolving no module per call", () => {
    const { files, digests, expected, resolved } = runProbe(true);
    expect(files).toHaveLength(2);
    expect(digests).toEqual([expected, expected]);
    expect(resolved).toEqual([]);
  });

  it('resolves crypto on every call without it (what it saves)', () => {
    const { resolved } = runProbe(false);
    expect(resolved).toEqual(['crypto', 'crypto']);
  });
});
