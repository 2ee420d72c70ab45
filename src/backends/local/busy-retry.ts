import { setTimeout as sleep } from "node:timers/promises";
import { BackendError } from "../../domain/errors.js";
import type { StoreBusyWait } from "../backend.js";
import { defaultBusyTimeoutMs, type Db } from "./database.js";

/** How {@link retryWhileBusy} waits. */
export interface BusyRetryOptions {
  readonly storePath: string;
  readonly operation: string;
  /** Give up when this fires. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Give up after this long (ms); `Infinity` waits as long as the process lives.
   * @defaultValue no limit with a signal, else {@link defaultPatienceMs}
   */
  readonly patienceMs?: number;
  readonly onWait: (wait: StoreBusyWait) => void;
}

/**
 * What SQLite may wait for the lock inside one attempt (ms). Most writes of another process take
 * a few milliseconds, so a short wait here spares a log line; a longer one would stall the event
 * loop, which keeps the run's handlers and listings going while this waits.
 */
const attemptTimeoutMs = 20;
const firstWaitMs = 25;
const longestWaitMs = 1000;
/** How long an operation without a signal waits for a busy store (ms). */
export const defaultPatienceMs = 60_000;

/** True for SQLite's "database is locked" (and its extended codes). */
export function isBusyError(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_"));
}

/**
 * Runs `work` (one whole transaction or read: a failed attempt leaves nothing behind) and, while
 * another process holds the store's write lock, tries again after growing waits (25 ms doubling
 * up to 1 s, with jitter so two waiting processes do not collide again), without blocking the
 * event loop. Stops when `signal` fires or `patienceMs` have passed, with an error saying that
 * nothing of the operation was written.
 */
export async function retryWhileBusy<T>(db: Db, work: () => T, options: BusyRetryOptions): Promise<T> {
  const started = performance.now();
  const patienceMs = options.patienceMs ?? (options.signal === undefined ? defaultPatienceMs : Infinity);
  for (let attempt = 1; ; attempt++) {
    try {
      return withBusyTimeout(db, attemptTimeoutMs, work);
    } catch (error) {
      if (!isBusyError(error)) throw error;
      const waitedMs = performance.now() - started;
      const signal = options.signal;
      if (signal?.aborted === true || waitedMs >= patienceMs) throw busyError(options, waitedMs, error);
      const ceiling = Math.min(longestWaitMs, firstWaitMs * 2 ** Math.min(attempt - 1, 10));
      const waitMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      options.onWait({ storePath: options.storePath, operation: options.operation, attempt, waitMs, waitedMs: Math.round(waitedMs) });
      try {
        await sleep(waitMs, undefined, signal === undefined ? undefined : { signal });
      } catch {
        // The signal fired while waiting: the next turn reports it.
      }
    }
  }
}

function withBusyTimeout<T>(db: Db, timeoutMs: number, work: () => T): T {
  db.pragma(`busy_timeout = ${timeoutMs}`);
  try {
    return work();
  } finally {
    db.pragma(`busy_timeout = ${defaultBusyTimeoutMs}`);
  }
}

function busyError(options: BusyRetryOptions, waitedMs: number, cause: unknown): BackendError {
  const seconds = (waitedMs / 1000).toFixed(1);
  const why = options.signal?.aborted === true ? `for ${seconds} s, until the operation was cancelled` : `for ${seconds} s`;
  return new BackendError(
    "TA_STORE_BUSY",
    `The store at ${JSON.stringify(options.storePath)} stayed busy ${why}: ` +
      `another process held its write lock, so the ${options.operation} was not ` +
      `done and nothing of it was written. Try again when that process has finished.`,
    { cause },
  );
}
