import { UnrecoverableError } from "bullmq";
import type { WorkerBatchResult } from "../runner/queue-runner.js";
import type { TaskCompletionResult } from "../runner/task-spec.js";

interface Pending {
  readonly spec: string;
  resolve(result: TaskCompletionResult): void;
  reject(error: unknown): void;
}

/** Runs the specs of one stage in one call and tells per entry what happened. */
export type BatchHandler = (stage: string, specs: readonly string[]) => Promise<WorkerBatchResult>;

/**
 * Gathers the specs of jobs that become active together (a worker with concurrency N has up to
 * N) into one call per stage: one bulk fetch and one commit for all of them instead of one per
 * job. Each job still gets its own result. When one task's result is a configuration error (an
 * unknown pathway), only its job fails for good; jobs not started because of it fail with a
 * retryable error, and the others keep their results.
 */
export class SpecBatcher {
  readonly #maxBatch: number;
  readonly #handle: BatchHandler;
  readonly #pending = new Map<string, Pending[]>();

  constructor(handle: BatchHandler, maxBatch: number) {
    this.#handle = handle;
    this.#maxBatch = Math.max(1, maxBatch);
  }

  /** Resolves to the spec's result once its batch has run. */
  submit(stage: string, spec: string): Promise<TaskCompletionResult> {
    return new Promise((resolve, reject) => {
      let queue = this.#pending.get(stage);
      if (!queue) {
        queue = [];
        this.#pending.set(stage, queue);
        // Flushed once the current turn of the event loop has handed over every ready job.
        setImmediate(() => this.#flush(stage));
      }
      queue.push({ spec, resolve, reject });
      if (queue.length >= this.#maxBatch) this.#flush(stage);
    });
  }

  #flush(stage: string): void {
    const batch = this.#pending.get(stage);
    if (!batch || batch.length === 0) return;
    this.#pending.delete(stage);
    this.#handle(
      stage,
      batch.map((p) => p.spec),
    ).then(
      ({ results, stopError, stopped, notStarted }) =>
        batch.forEach((p, i) => {
          if (stopped.has(i)) p.reject(new UnrecoverableError(stopError?.message ?? "configuration error"));
          else if (notStarted.has(i))
            p.reject(new Error(`Not handled: another task of the same call stopped it (${stopError?.message ?? "configuration error"}); the job is retried.`));
          else p.resolve(results[i]!);
        }),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }
}
