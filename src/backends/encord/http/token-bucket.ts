import { WaiterQueue } from "./waiter-queue.js";

/**
 * A token bucket: `perSecond` tokens a second, holding at most `perSecond` (the burst). Callers
 * take one token each, in FIFO order; only the oldest waiter sleeps for the next token.
 */
export class TokenBucket {
  readonly #perMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #tokens: number;
  #last: number;
  #draining = false;
  readonly #queue = new WaiterQueue<void>();

  constructor(perSecond: number, now: () => number, sleep: (ms: number) => Promise<void>) {
    if (!(perSecond > 0)) throw new RangeError(`requestsPerSecond must be > 0, got ${perSecond}`);
    this.#perMs = perSecond / 1000;
    this.#capacity = Math.max(1, perSecond);
    this.#now = now;
    this.#sleep = sleep;
    this.#tokens = this.#capacity;
    this.#last = now();
  }

  /** Resolves once a token is taken; rejects with `signal.reason` if aborted while waiting. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (!Number.isFinite(this.#capacity)) return Promise.resolve();
    this.#refill();
    if (this.#queue.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    const taken = this.#queue.wait(signal);
    this.#drain();
    return taken;
  }

  #refill(): void {
    const now = this.#now();
    // A clock that went backwards adds nothing.
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#perMs);
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    void this.#drainLoop();
  }

  async #drainLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        this.#refill();
        // The epsilon absorbs float error: 50 ms × 0.02 tokens/ms must count as one token.
        if (this.#tokens >= 1 - 1e-9) {
          this.#tokens = Math.max(0, this.#tokens - 1);
          this.#queue.resolveNext();
          continue;
        }
        await this.#sleep(Math.ceil((1 - this.#tokens) / this.#perMs));
      }
    } catch (error) {
      this.#queue.rejectAll(error);
    } finally {
      // Reset in the same tick the loop ends, so a take() right after starts a new drain.
      this.#draining = false;
    }
  }
}
