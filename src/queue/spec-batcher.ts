import type { QueueHandler } from "../runner/queue-runner.js";
import type { TaskCompletionResult } from "../runner/task-spec.js";

interface Pending {
  readonly spec: string;
  resolve(result: TaskCompletionResult): void;
  reject(error: unknown): void;
}

/**
 * Gathers the specs of jobs that become active together (a worker with concurrency N has up to
 * N) into one call of the wrapped handler per stage: one bulk fetch and one commit for all of
 * them instead of one per job. Each job still gets its own result. A thrown error (a
 * configuration error) fails every job of that call; the others' decisions were committed.
 */
export class SpecBatcher {
  readonly #maxBatch: number;
  readonly #pending = new Map<QueueHandler, Pending[]>();

  constructor(maxBatch: number) {
    this.#maxBatch = Math.max(1, maxBatch);
  }

  /** Resolves to the spec's result once its batch has run. */
  submit(handle: QueueHandler, spec: string): Promise<TaskCompletionResult> {
    return new Promise((resolve, reject) => {
      let queue = this.#pending.get(handle);
      if (!queue) {
        queue = [];
        this.#pending.set(handle, queue);
        // Flushed once the current turn of the event loop has handed over every ready job.
        setImmediate(() => this.#flush(handle));
      }
      queue.push({ spec, resolve, reject });
      if (queue.length >= this.#maxBatch) this.#flush(handle);
    });
  }

  #flush(handle: QueueHandler): void {
    const batch = this.#pending.get(handle);
    if (!batch || batch.length === 0) return;
    this.#pending.delete(handle);
    handle(batch.map((p) => p.spec)).then(
      (json) => {
        const results = JSON.parse(json) as TaskCompletionResult[];
        batch.forEach((p, i) => p.resolve(results[i]!));
      },
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }
}
