import { WaiterQueue } from "./waiter-queue.js";

/** Lets at most `max` holders in at once; the rest wait in FIFO order. */
export class ConcurrencyLimiter {
  readonly #max: number;
  #active = 0;
  readonly #queue = new WaiterQueue<() => void>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${max}`);
    this.#max = max;
  }

  /** Holders now inside. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Waits for a slot; resolves to the function that gives it back (calling it twice is harmless). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#active < this.#max && this.#queue.length === 0) {
      this.#active += 1;
      return Promise.resolve(this.#releaser());
    }
    return this.#queue.wait(signal);
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake the queue.
      if (!this.#queue.resolveNext(this.#releaser())) this.#active -= 1;
    };
  }
}
