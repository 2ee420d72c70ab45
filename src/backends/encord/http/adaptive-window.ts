import { WaiterQueue } from "./waiter-queue.js";

/** What the window did when a response said "slow down". */
export interface WindowShrink {
  /** The window before and after halving. */
  readonly from: number;
  readonly to: number;
}

/**
 * A cap on requests in flight that adapts to the server (AIMD, as TCP does with its congestion
 * window): a throttling answer (429, 503) halves it, down to 1; every `size` successes in a row
 * grow it by one, up to `max`. Waiters get in FIFO order.
 */
export class AdaptiveWindow {
  readonly #max: number;
  #size: number;
  #active = 0;
  #successes = 0;
  readonly #queue = new WaiterQueue<() => void>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${max}`);
    this.#max = max;
    this.#size = max;
  }

  /** Requests allowed in flight now. */
  get size(): number {
    return this.#size;
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
    if (this.#active < this.#size && this.#queue.length === 0) {
      this.#active += 1;
      return Promise.resolve(this.#releaser());
    }
    return this.#queue.wait(signal);
  }

  /** A throttling answer: halve the window (floor 1). */
  shrink(): WindowShrink {
    const from = this.#size;
    this.#size = Math.max(1, Math.floor(this.#size / 2));
    this.#successes = 0;
    return { from, to: this.#size };
  }

  /** A successful answer: after a window's worth of them in a row, one more slot (up to the cap). */
  succeeded(): void {
    if (this.#size >= this.#max) return;
    this.#successes += 1;
    if (this.#successes < this.#size) return;
    this.#successes = 0;
    this.#size += 1;
    this.#admit();
  }

  #admit(): void {
    while (this.#active < this.#size && this.#queue.resolveNext(this.#releaser())) this.#active += 1;
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active -= 1;
      // Slots go to waiters first, so a newcomer cannot overtake the queue; after a shrink the
      // slot is kept back until fewer than `size` are in flight.
      this.#admit();
    };
  }
}
