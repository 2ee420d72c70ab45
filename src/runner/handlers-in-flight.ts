// Process-wide, like the list of abandoned handlers: a metrics endpoint reports the process, and
// a handler the run gave up on still holds a core until it returns.
let inFlight = 0;

/** Counts `work` (a handler attempt) as in flight until it settles. */
export function countHandlerInFlight(work: Promise<unknown>): void {
  inFlight++;
  const done = () => {
    inFlight--;
  };
  work.then(done, done);
}

/** Handler attempts running in this process now, abandoned ones included. */
export function handlersInFlight(): number {
  return inFlight;
}
