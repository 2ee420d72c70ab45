import { constants } from "node:os";

/** Process exit codes of the `task-agents` command and of agent files run as programs. */
export const exitCodes = {
  ok: 0,
  /** Bad usage or configuration: a clear message says what to fix. */
  usageError: 1,
  /** A run finished, but some tasks failed permanently (the report lists them). */
  tasksFailed: 2,
} as const;

/** 128 + the signal's number, as shells report a process a signal ended: 130 for SIGINT, 143 for SIGTERM. */
export function forcedStopExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? constants.signals.SIGINT);
}

/** How a command that handles tasks (`run`, `queue work`, `serve`) ended, for its exit code. */
export interface TaskWorkEnd {
  /** Tasks that failed: after every attempt, abandoned (task timeout, grace period), or their job failed. */
  readonly failedTasks: number;
  /** The signal that cut the stop short (a second Ctrl-C), if one did. */
  readonly forcedBy?: NodeJS.Signals | undefined;
}

/**
 * The one exit-code rule of commands that handle tasks (`run`, `queue work`, `serve`), so they
 * agree: a stop forced by a second signal exits 128 + its number (130 for Ctrl-C, 143 for
 * SIGTERM) whatever else happened; otherwise 2 when any task failed, abandoned ones included;
 * else 0, also after a graceful stop (the first Ctrl-C) once every in-flight task finished.
 * A promise a handler left rejected without a handler is a warning, not a failure: it does not
 * change the code. Configuration errors exit 1 before this rule applies.
 */
export function taskWorkExitCode(end: TaskWorkEnd): number {
  if (end.forcedBy !== undefined) return forcedStopExitCode(end.forcedBy);
  return end.failedTasks > 0 ? exitCodes.tasksFailed : exitCodes.ok;
}
