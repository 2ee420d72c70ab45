import { setMaxListeners } from "node:events";

/**
 * Stopping is not aborting: a stop request means "take no new tasks"; in-flight handlers get
 * `gracePeriodMs` to finish before their signal is aborted and they are abandoned.
 */
export class RunControl {
  readonly #stop = new AbortController();
  readonly #abort = new AbortController();
  readonly #gracePeriodMs: number;
  readonly #onStop: (reason: string) => void;
  readonly #external: AbortSignal | undefined;
  readonly #onExternalAbort = () => this.requestStop("signal");
  #graceTimer: NodeJS.Timeout | undefined;

  constructor(options: { gracePeriodMs: number; external?: AbortSignal; onStop: (reason: string) => void }) {
    // Every in-flight task and retry wait listens to these: many listeners are expected.
    setMaxListeners(0, this.#stop.signal, this.#abort.signal);
    this.#gracePeriodMs = options.gracePeriodMs;
    this.#onStop = options.onStop;
    this.#external = options.external;
    if (this.#external?.aborted) this.requestStop("signal");
    else this.#external?.addEventListener("abort", this.#onExternalAbort, { once: true });
  }

  /** True once a stop was requested: take no new tasks and no new attempts. */
  get stopping(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Fires when a stop is requested (waits between passes and retries listen to it). */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Fires when the grace period after a stop runs out; handlers get it as `context.signal`. */
  get abortSignal(): AbortSignal {
    return this.#abort.signal;
  }

  requestStop(reason: string): void {
    if (this.stopping) return;
    this.#stop.abort(new Error(`run stopping: ${reason}`));
    this.#onStop(reason);
    this.#graceTimer = setTimeout(() => this.#abort.abort(new Error(`the run stopped and the ${this.#gracePeriodMs / 1000} s grace period ran out`)), this.#gracePeriodMs);
    this.#graceTimer.unref();
  }

  dispose(): void {
    clearTimeout(this.#graceTimer);
    this.#external?.removeEventListener("abort", this.#onExternalAbort);
  }
}

/** Resolves after `ms`, or early (without error) when `signal` fires. */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Settles like `promise`, or rejects with the signal's reason when it fires first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        // Passed on as thrown; the run report coerces non-errors when it describes the failure.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(error);
      },
    );
  });
}
