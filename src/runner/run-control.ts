import { setMaxListeners } from "node:events";
import type { ConfigurationError } from "../domain/errors.js";

/**
 * The runs each external stop signal controls, so whoever aborts it can reach them. Kept on
 * globalThis: the CLI and the agent file it loads may use two copies of this package.
 */
const runsBySignal = ((globalThis as Record<symbol, unknown>)[Symbol.for("task-agents.runs-by-stop-signal")] ??= new WeakMap()) as WeakMap<
  AbortSignal,
  Set<RunControl>
>;

/**
 * The runs going on now that `signal` stops: the command line's second Ctrl-C abandons their
 * in-flight handlers at once and reads their counts.
 */
export function runsStoppedBy(signal: AbortSignal): RunControl[] {
  return [...(runsBySignal.get(signal) ?? [])];
}

/** A run's tasks that are not settled yet: what a process ended now would drop. */
export interface UnsettledWork {
  /** Tasks whose handler is running (or waiting to retry). */
  readonly inFlight: number;
  /** Tasks decided, whose decisions wait for (or are in) their batch's commit. */
  readonly decidedUncommitted: number;
  /** Tasks whose handler the run gave up on (the grace period ran out or it was cut short). */
  readonly abandoned: number;
}

/**
 * Why a run stopped, as the first request said: a stop from outside (`signal`), the command
 * line's second signal (`abandonNow`), or a handler result that is a configuration error, which
 * the run (or a queue call) reports as its own error once what was decided is committed.
 */
export type StopCause = { readonly kind: "requested"; readonly reason: string } | { readonly kind: "configuration-error"; readonly error: ConfigurationError };

/**
 * Stopping is not aborting: a stop request means "take no new tasks"; in-flight handlers get
 * `gracePeriodMs` to finish before their signal is aborted and they are abandoned
 * ({@link abandonNow} ends the grace period early). Counts the run's unsettled tasks, and holds
 * why the run stopped: every layer (handling, batches, the stage, the pass, a queue call) reads it
 * here rather than passing it back up.
 */
export class RunControl {
  readonly #stop = new AbortController();
  readonly #abort = new AbortController();
  readonly #gracePeriodMs: number;
  readonly #onStop: (reason: string) => void;
  readonly #external: AbortSignal | undefined;
  readonly #onExternalAbort = () => this.requestStop("signal");
  #graceTimer: NodeJS.Timeout | undefined;
  #cause: StopCause | undefined;
  #configurationError: ConfigurationError | undefined;
  #inFlight = 0;
  #decidedUncommitted = 0;
  #abandoned = 0;

  constructor(options: { gracePeriodMs: number; external?: AbortSignal; onStop: (reason: string) => void }) {
    // Every in-flight task and retry wait listens to these: many listeners are expected.
    setMaxListeners(0, this.#stop.signal, this.#abort.signal);
    this.#gracePeriodMs = options.gracePeriodMs;
    this.#onStop = options.onStop;
    this.#external = options.external;
    if (this.#external?.aborted) this.requestStop("signal");
    else this.#external?.addEventListener("abort", this.#onExternalAbort, { once: true });
    if (this.#external) {
      const runs = runsBySignal.get(this.#external) ?? new Set<RunControl>();
      runsBySignal.set(this.#external, runs.add(this));
    }
  }

  /** The run's tasks that are not settled yet, as of now. */
  get unsettled(): UnsettledWork {
    return { inFlight: this.#inFlight, decidedUncommitted: this.#decidedUncommitted, abandoned: this.#abandoned };
  }

  /** A task's handling started. */
  taskStarted(): void {
    this.#inFlight++;
  }

  /**
   * A task's handling ended: decided (its decision now waits for the commit), or failed, which
   * once the handlers' signal has fired means the run gave up on it.
   */
  taskEnded(outcome: { readonly kind: string }): void {
    this.#inFlight--;
    if (outcome.kind === "decided") this.#decidedUncommitted++;
    else if (outcome.kind === "failed" && this.#abort.signal.aborted) this.#abandoned++;
  }

  /** A commit of `count` decided tasks ended (committed, or failed and reported as the run's error). */
  decisionsCommitted(count: number): void {
    this.#decidedUncommitted -= count;
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

  /** Why the run stopped: the first cause given; undefined while it runs on. */
  get stopCause(): StopCause | undefined {
    return this.#cause;
  }

  /**
   * The configuration error that stops the run (the first, when several tasks raised one), also
   * when it came while the run was already stopping for another cause: it is still the run's
   * error, and what the caller must fix.
   */
  get configurationError(): ConfigurationError | undefined {
    return this.#configurationError;
  }

  /** A handler result was a configuration error (an unknown pathway): stop, and keep the first one. */
  stopAtConfigurationError(error: ConfigurationError): void {
    this.#configurationError ??= error;
    this.#stopFor({ kind: "configuration-error", error }, "configuration error");
  }

  requestStop(reason: string): void {
    this.#stopFor({ kind: "requested", reason }, reason);
  }

  #stopFor(cause: StopCause, reason: string): void {
    if (this.stopping) return;
    this.#cause = cause;
    this.#stop.abort(new Error(`run stopping: ${reason}`));
    this.#onStop(reason);
    this.#graceTimer = setTimeout(
      () => this.#abort.abort(new Error(`the run stopped and the ${this.#gracePeriodMs / 1000} s grace period ran out`)),
      this.#gracePeriodMs,
    );
    this.#graceTimer.unref();
  }

  /**
   * Ends the grace period now: stops the run if it was not stopping, and aborts the handlers'
   * signal, so in-flight tasks are abandoned and what was decided is committed at once.
   */
  abandonNow(reason: string): void {
    this.requestStop(reason);
    clearTimeout(this.#graceTimer);
    if (!this.#abort.signal.aborted) this.#abort.abort(new Error(reason));
  }

  dispose(): void {
    clearTimeout(this.#graceTimer);
    this.#external?.removeEventListener("abort", this.#onExternalAbort);
    if (this.#external) runsBySignal.get(this.#external)?.delete(this);
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

/**
 * What waits on each signal in {@link untilAborted}: one abort listener per signal, whatever the
 * number of waits. A run waits on its signal once per task attempt, and adding and removing an
 * EventTarget listener each time was measurable on runs of thousands of tasks
 * (docs/benchmarks.md, "A fourth round").
 */
const abortWaiters = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

function waitersOf(signal: AbortSignal): Set<(reason: unknown) => void> {
  const known = abortWaiters.get(signal);
  if (known !== undefined) return known;
  const waiters = new Set<(reason: unknown) => void>();
  signal.addEventListener(
    "abort",
    () => {
      for (const reject of waiters) reject(signal.reason);
      waiters.clear();
    },
    { once: true },
  );
  abortWaiters.set(signal, waiters);
  return waiters;
}

/** Settles like `promise`, or rejects with the signal's reason when it fires first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  const waiters = waitersOf(signal);
  return new Promise<T>((resolve, reject) => {
    waiters.add(reject);
    promise.then(
      (value) => {
        waiters.delete(reject);
        resolve(value);
      },
      (error: unknown) => {
        waiters.delete(reject);
        // Passed on as thrown; the run report coerces non-errors when it describes the failure.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(error);
      },
    );
  });
}
