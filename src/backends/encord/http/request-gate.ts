import { AdaptiveWindow, type WindowShrink } from "./adaptive-window.js";
import { TokenBucket } from "./token-bucket.js";

/**
 * What every attempt passes before it is sent: a slot of the adaptive in-flight window (FIFO),
 * then, only when a fixed rate was asked for, a token of that rate. The slot is taken first so
 * that waiting callers keep their order.
 */
export class RequestGate {
  readonly #window: AdaptiveWindow;
  readonly #tokens: TokenBucket | undefined;

  constructor(maxInFlight: number, requestsPerSecond: number | undefined, now: () => number, sleep: (ms: number) => Promise<void>) {
    this.#window = new AdaptiveWindow(maxInFlight);
    this.#tokens = requestsPerSecond === undefined || !Number.isFinite(requestsPerSecond) ? undefined : new TokenBucket(requestsPerSecond, now, sleep);
  }

  /** Attempts inside the gate now. */
  get inFlight(): number {
    return this.#window.active;
  }

  /** Attempts allowed in flight now (the adaptive window). */
  get window(): number {
    return this.#window.size;
  }

  /** Waits for a slot and, with a fixed rate, a token; resolves to the function that gives the slot back. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    const release = await this.#window.acquire(signal);
    if (this.#tokens === undefined) return release;
    try {
      await this.#tokens.take(signal);
      return release;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** The server said "slow down" (429, 503): halve the window. */
  throttled(): WindowShrink {
    return this.#window.shrink();
  }

  /** An answer that was not a throttle: the window may grow back. */
  answered(): void {
    this.#window.succeeded();
  }
}
