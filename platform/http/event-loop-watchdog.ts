/**
 * Tells a wedged process from a slow one for the liveness probe: the event loop counts as
 * wedged when it was held for longer than `maxDelayMs` within the last window. A busy process
 * that still turns its loop (many requests, slow queries awaiting I/O) stays live: a restart
 * would not help it and would only move its load elsewhere.
 */
import { performance } from 'node:perf_hooks';

export interface EventLoopWatchdogOptions {
  /** Longest acceptable hold of the event loop, in ms. */
  maxDelayMs: number;
  /** How long a hold keeps counting against liveness after it ended, in ms (default 5000). */
  windowMs?: number;
  /** Tick interval of the watchdog timer, in ms (default 100). */
  tickMs?: number;
}

export interface EventLoopWatchdog {
  /** The longest hold of the event loop within the window, including one still under way, in ms. */
  delayMs(): number;
  wedged(): boolean;
  stop(): void;
}

export function watchEventLoop(options: EventLoopWatchdogOptions): EventLoopWatchdog {
  const tickMs = options.tickMs ?? 100;
  const windowMs = options.windowMs ?? 5000;
  let lastTick = performance.now();
  let worst = { delayMs: 0, at: lastTick };
  const timer = setInterval(() => {
    const now = performance.now();
    const delayMs = now - lastTick - tickMs;
    lastTick = now;
    if (delayMs >= worst.delayMs || now - worst.at > windowMs) worst = { delayMs: Math.max(0, delayMs), at: now };
  }, tickMs);
  timer.unref();

  function delayMs(): number {
    const now = performance.now();
    // A probe answered right after a long hold may run before the timer's next tick has seen it.
    const current = now - lastTick - tickMs;
    const recent = now - worst.at <= windowMs ? worst.delayMs : 0;
    return Math.max(0, current, recent);
  }

  return {
    delayMs,
    wedged: () => delayMs() > options.maxDelayMs,
    stop: () => clearInterval(timer),
  };
}
