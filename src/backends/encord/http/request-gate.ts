import { ConcurrencyLimiter } from "./concurrency-limiter.js";
import { TokenBucket } from "./token-bucket.js";

/**
 * What every attempt passes before it is sent: a slot among `maxInFlight` (FIFO), then a token of
 * the rate limit. The slot is taken first so that waiting callers keep their order.
 */
export class RequestGate {
  readonly #slots: ConcurrencyLimiter;
  readonly #tokens: TokenBucket;

  constructor(maxInFlight: number, requestsPerSecond: number, now: () => number, sleep: (ms: number) => Promise<void>) {
    this.#slots = new ConcurrencyLimiter(maxInFlight);
    this.#tokens = new TokenBucket(requestsPerSecond, now, sleep);
  }

  /** Attempts inside the gate now. */
  get inFlight(): number {
    return this.#slots.active;
  }

  /** Waits for a slot and a token; resolves to the function that gives the slot back. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    const release = await this.#slots.acquire(signal);
    try {
      await this.#tokens.take(signal);
      return release;
    } catch (error) {
      release();
      throw error;
    }
  }
}
