/** What a test of a process's configuration asks of the ConfigError it expects. */
import { expect } from '@jest/globals';
import { ConfigError } from '../../platform/config.ts';

export function configErrorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return String(error);
  }
  throw new Error('expected a ConfigError');
}

/** The problem lines of a ConfigError, one per invalid variable. */
export function namedVariables(message: string): string[] {
  return [...message.matchAll(/^ {2}([A-Z_]+)/gm)].map((match) => match[1] ?? '');
}
