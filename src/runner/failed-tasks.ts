/**
 * The tasks a Runner saw fail for good (every attempt used, no `onFailure` pathway to send them
 * along), so later passes of the same Runner leave them alone instead of failing them again on
 * every pass. It lives as long as the Runner, across `execute()` and `runStage()` calls; a new
 * process starts with an empty memory, so a restart retries every task once.
 */
export class FailedTasks {
  /** When each task last failed for good (ms since the epoch), by lower-cased task UUID. */
  readonly #failedAt = new Map<string, number>();

  /** How many tasks are remembered. */
  get size(): number {
    return this.#failedAt.size;
  }

  /** Records that the task failed for good at `at` (ms since the epoch). */
  remember(taskUuid: string, at: number): void {
    this.#failedAt.set(taskUuid.toLowerCase(), at);
  }

  /**
   * Whether a pass at `now` should leave the task alone: it failed for good and, with
   * `retryAfterMs`, less than that long ago. A task whose wait is over is forgotten, so it gets
   * its attempts again and is remembered anew if it fails again. Without `retryAfterMs` it is
   * skipped for the Runner's life.
   */
  shouldSkip(taskUuid: string, now: number, retryAfterMs?: number): boolean {
    const key = taskUuid.toLowerCase();
    const at = this.#failedAt.get(key);
    if (at === undefined) return false;
    if (retryAfterMs === undefined || now - at < retryAfterMs) return true;
    this.#failedAt.delete(key);
    return false;
  }
}
