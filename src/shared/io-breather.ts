/**
 * Lets I/O callbacks run between pieces of synchronous work. Handlers that do not await anything
 * real (route on metadata, edit a label row) run back to back as microtasks, which starves the
 * event loop: the next page of a listing that arrived meanwhile, or a request waiting to be sent,
 * would wait for the whole batch. `breathe()` yields once `everyMs` of work has passed.
 *
 * One breather is shared by all the workers of a batch, and they all wait for the same turn of
 * the event loop: were each worker to keep its own clock, eight workers resuming one after another
 * would each run for `everyMs` before the loop got a turn.
 */
export class IoBreather {
  #last = performance.now();
  #turn: Promise<void> | undefined;

  constructor(private readonly everyMs: number) {}

  /** Resolves at once, or after the event loop had a turn; undefined when no turn is due. */
  breathe(): Promise<void> | undefined {
    if (this.#turn !== undefined) return this.#turn;
    if (performance.now() - this.#last < this.everyMs) return undefined;
    this.#turn = new Promise<void>((resolve) => {
      setImmediate(() => {
        this.#turn = undefined;
        this.#last = performance.now();
        resolve();
      });
    });
    return this.#turn;
  }
}
