import { setImmediate as nextMacrotask } from "node:timers/promises";

/**
 * Lets I/O callbacks run between pieces of synchronous work. Handlers that do not await anything
 * real (route on metadata, edit a label row) run back to back as microtasks, which starves the
 * event loop: the next page of a listing that arrived meanwhile, or a request waiting to be sent,
 * would wait for the whole batch. `breathe()` yields once `everyMs` of work has passed.
 */
export class IoBreather {
  #last = performance.now();

  constructor(private readonly everyMs: number) {}

  async breathe(): Promise<void> {
    if (performance.now() - this.#last < this.everyMs) return;
    await nextMacrotask();
    this.#last = performance.now();
  }
}
