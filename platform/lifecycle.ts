/**
 * Runs a process's `start` and stops what it started on SIGINT/SIGTERM, within a bounded time.
 * A configuration error is reported as one clear line and exit code 78 (EX_CONFIG).
 */
import { ConfigError } from './config.ts';
import type { Logger } from './logging.ts';

export interface Stoppable {
  stop(): Promise<void>;
}

export async function runProcess(name: string, start: () => Promise<Stoppable>, logger?: Logger): Promise<void> {
  let running: Stoppable;
  try {
    running = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78);
    }
    if (logger) logger.fatal({ err: error }, `${name} failed to start`);
    else process.stderr.write(`${name} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger?.info({ signal }, `${name} stopping`);
    const deadline = setTimeout(() => {
      logger?.error(`${name} did not stop within 25 s; exiting`);
      process.exit(1);
    }, 25_000);
    deadline.unref();
    try {
      await running.stop();
      logger?.info(`${name} stopped`);
      process.exit(0);
    } catch (error) {
      logger?.error({ err: error }, `${name} failed to stop cleanly`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Stops in reverse order of start, continuing past failures, then reports the first one. */
export async function stopAll(parts: (Stoppable | undefined)[]): Promise<void> {
  let firstError: unknown;
  for (const part of [...parts].reverse()) {
    try {
      await part?.stop();
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError) throw firstError;
}
