import { runsStoppedBy, type RunControl } from "../runner/run-control.js";
import { endProcess } from "./process-end.js";
import { forcedStopExitCode } from "../shared/exit-codes.js";

/** How long the commit after a second signal may take before the process ends without it. */
export const forcedCommitDeadlineMs = 5000;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * How a run on the command line answers SIGINT and SIGTERM. The first stops it gracefully: no
 * new tasks, in-flight ones get the grace period. The second ends the grace period at once:
 * in-flight handlers are abandoned and what was decided is committed (milliseconds), then the
 * run ends as usual with 128 + the signal's number; should that commit not finish within
 * {@link forcedCommitDeadlineMs}, the process ends without it. A third ends the process at
 * once. Whenever work is dropped, a notice says how many decided and in-flight tasks.
 */
export class RunInterrupts {
  readonly #stop = new AbortController();
  readonly #stream: { write(text: string): unknown };
  readonly #json: boolean;
  readonly #onSignal = (signal: NodeJS.Signals) => this.#received(signal);
  #signals = 0;
  #forcedBy: NodeJS.Signals | undefined;
  /** The runs the second signal cut short, counted when it came and at the end. */
  #forced: RunControl[] = [];
  #deadline: NodeJS.Timeout | undefined;
  #installed = false;

  constructor(stream: { write(text: string): unknown }, json: boolean) {
    this.#stream = stream;
    this.#json = json;
  }

  /** Aborted by the first signal: the run's stop signal. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** The signal that forced the stop (the second one), if any came. */
  get forcedBy(): NodeJS.Signals | undefined {
    return this.#forcedBy;
  }

  install(): void {
    this.#installed = true;
    process.on("SIGINT", this.#onSignal);
    process.on("SIGTERM", this.#onSignal);
  }

  /**
   * After the run returned: says what a forced stop dropped (every decided task was committed
   * by then, so only in-flight ones), and stops watching.
   */
  finish(): void {
    clearTimeout(this.#deadline);
    if (this.#forcedBy !== undefined) {
      const { abandoned } = this.#counts();
      this.#notice(
        `${this.#name()}: every decided task was committed; dropped: 0 decided, ` +
          `${plural(abandoned, "in-flight task")} (abandoned, left ` +
          `in ${abandoned === 1 ? "its stage" : "their stages"}).`,
        { droppedDecided: 0, droppedInFlight: abandoned },
      );
    }
    this.dispose();
  }

  dispose(): void {
    clearTimeout(this.#deadline);
    if (!this.#installed) return;
    this.#installed = false;
    process.off("SIGINT", this.#onSignal);
    process.off("SIGTERM", this.#onSignal);
  }

  #received(signal: NodeJS.Signals): void {
    this.#signals++;
    if (this.#signals === 1) {
      this.#stop.abort(new Error(`received ${signal}`));
      return;
    }
    if (this.#signals === 2) {
      this.#forcedBy = signal;
      this.#forced = runsStoppedBy(this.#stop.signal);
      const { inFlight, decidedUncommitted } = this.#counts();
      this.#notice(
        `${this.#name()}: abandoning ${plural(inFlight, "in-flight task")} now and ` +
          `committing ${plural(decidedUncommitted, "decided task")}; the process ends ` +
          `within ${forcedCommitDeadlineMs / 1000} s (another signal ends it at once).`,
      );
      for (const run of this.#forced) run.abandonNow(`a second ${signal} stopped the run at once`);
      this.#deadline = setTimeout(
        () => this.#endNow(`the commit did not finish within ${forcedCommitDeadlineMs / 1000} s of the ${this.#name().toLowerCase()}`),
        forcedCommitDeadlineMs,
      );
      return;
    }
    this.#endNow(`${signal} again`);
  }

  /** Ends the process without waiting for the run, saying what it drops. */
  #endNow(why: string): void {
    const { inFlight, decidedUncommitted, abandoned } = this.#counts();
    const droppedInFlight = inFlight + abandoned;
    this.#notice(
      `${why}: ending the process; dropped: ${plural(decidedUncommitted, "decided task")}` +
        ` (not committed, unless the commit in progress lands), ` +
        `${plural(droppedInFlight, "in-flight task")}. Dropped tasks stay in their stages.`,
      { droppedDecided: decidedUncommitted, droppedInFlight },
    );
    void endProcess(forcedStopExitCode(this.#forcedBy ?? "SIGINT"));
  }

  #name(): string {
    return `Second ${this.#forcedBy ?? "signal"}`;
  }

  #counts(): { inFlight: number; decidedUncommitted: number; abandoned: number } {
    const sum = { inFlight: 0, decidedUncommitted: 0, abandoned: 0 };
    for (const run of this.#forced) {
      const work = run.unsettled;
      sum.inFlight += work.inFlight;
      sum.decidedUncommitted += work.decidedUncommitted;
      sum.abandoned += work.abandoned;
    }
    return sum;
  }

  #notice(message: string, counts?: { droppedDecided: number; droppedInFlight: number }): void {
    this.#stream.write(this.#json ? `${JSON.stringify({ warning: { message, ...counts } })}\n` : `\n${message}\n`);
  }
}
