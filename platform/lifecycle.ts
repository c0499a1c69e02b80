/**
 * Runs a process's `start` and stops what it started on SIGINT/SIGTERM, within a bounded time.
 * A configuration error is reported as one clear line and exit code 78 (EX_CONFIG).
 */
import { ConfigError } from './config.ts';
import type { Logger } from './logging.ts';
import { stopTelemetry } from './telemetry.ts';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface RunProcessOptions {
  /**
   * How long a graceful stop may take before the process exits anyway, in ms (default 25 000):
   * under Kubernetes' default 30 s termination grace period, so the exit is ours, not a SIGKILL.
   */
  stopTimeoutMs?: number;
}

export async function runProcess(
  name: string,
  start: () => Promise<Stoppable & { logger?: Logger }>,
  logger?: Logger,
  options: RunProcessOptions = {},
): Promise<void> {
  let running: (Stoppable & { logger?: Logger }) | undefined;
  let stopping = false;
  const shutdown = async (signal: 'SIGINT' | 'SIGTERM') => {
    // A terminal's Ctrl-C and a launcher's SIGTERM often both arrive: one stop is enough.
    if (stopping) return;
    stopping = true;
    if (!running) {
      // Nothing serves yet, and a start can take minutes (a migration, a view rebuilt): leave now,
      // as an interrupted command (128 + the signal's number). Exiting runs the exit hooks, which
      // also ask an embedded store started so far to stop.
      process.stderr.write(`${name}: ${signal} while starting; exiting\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    await stopRunning(name, running, logger ?? running.logger, signal, options.stopTimeoutMs ?? 25_000);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

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
  const log = logger ?? running.logger;
  // Node still crashes on an uncaught exception (the state is unknown); this only logs it as JSON first.
  process.on('uncaughtExceptionMonitor', (error, origin) => log?.fatal({ err: error, origin }, `${name} crashed`));
}

async function stopRunning(
  name: string,
  running: Stoppable,
  log: Logger | undefined,
  signal: string,
  stopTimeoutMs: number,
): Promise<void> {
  log?.info({ signal }, `${name} stopping`);
  const deadline = setTimeout(() => {
    log?.error(`${name} did not stop within ${stopTimeoutMs} ms; exiting`);
    process.exit(1);
  }, stopTimeoutMs);
  deadline.unref();
  try {
    await running.stop();
    // The spans of the last requests and events leave before the process does.
    await stopTelemetry().catch((error: unknown) => log?.warn({ err: error }, 'could not export the last spans'));
    log?.info(`${name} stopped`);
    process.exit(0);
  } catch (error) {
    log?.error({ err: error }, `${name} failed to stop cleanly`);
    process.exit(1);
  }
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
