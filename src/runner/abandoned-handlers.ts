/** A handler attempt the run gave up on, whose promise has not settled yet. */
export interface AbandonedHandler {
  readonly taskUuid: string;
  readonly dataTitle: string;
  readonly stage: string;
  /** Why it was abandoned: the task timeout, the grace period, a second signal. */
  readonly reason: string;
}

// Process-wide on purpose: an abandoned handler outlives its run, and what it holds (a timer, a
// socket) keeps the process alive, which is the process's business, not one run's. On
// globalThis, because the CLI and the agent file it loads may use two copies of this package.
const stillRunning = ((globalThis as Record<symbol, unknown>)[Symbol.for("task-agents.abandoned-handlers")] ??= new Set()) as Set<AbandonedHandler>;

/** Remembers `handler` until `work` (the attempt's handler or dependency resolution) settles. */
export function trackAbandonedHandler(handler: AbandonedHandler, work: Promise<unknown>): void {
  stillRunning.add(handler);
  const forget = () => stillRunning.delete(handler);
  work.then(forget, forget);
}

/** Handlers abandoned by any run in this process that have not returned yet, oldest first. */
export function abandonedHandlersStillRunning(): AbandonedHandler[] {
  return [...stillRunning];
}
