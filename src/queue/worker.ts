import { UnrecoverableError, Worker, type Job } from "bullmq";
import { isConfigurationError } from "../domain/errors.js";
import type { QueueRunner } from "../runner/queue-runner.js";
import type { TaskCompletionResult } from "../runner/task-spec.js";
import { chooseQueueName, type TaskJobData } from "./queue-name.js";
import { SpecBatcher } from "./spec-batcher.js";
import { redisOptions, resolveRedisUrl } from "./redis-connection.js";

/** Options of {@link createWorker}. */
export interface QueueWorkerOptions {
  /** @defaultValue `REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redisUrl?: string;
  /** @defaultValue `task-agents-<project hash>` */
  readonly queueName?: string;
  /** Jobs (tasks) handled at once by this worker. @defaultValue 1 */
  readonly concurrency?: number;
  /** Seconds a job's lock lasts; a worker that dies loses its jobs to others after this. @defaultValue 30 */
  readonly lockDuration?: number;
  /** Seconds between checks for jobs whose worker died. @defaultValue 30 */
  readonly stalledInterval?: number;
  /**
   * How many times a job may lose its worker (killed, crashed) and still run again. Running it
   * again is safe: the task is looked up afresh and never moves twice. @defaultValue 10
   */
  readonly maxStalledCount?: number;
  /** Start taking jobs at once. @defaultValue true */
  readonly autorun?: boolean;
}

/** Dead workers a job may outlive; see {@link QueueWorkerOptions.maxStalledCount}. */
export const defaultMaxStalledCount = 10;

/**
 * A BullMQ worker running a QueueRunner's handlers: each job is one task spec of one stage; the
 * job's return value is its TaskCompletionResult. Jobs that are active at the same moment are
 * handled in one call (one bulk fetch, one commit), so concurrency also batches. A
 * configuration error (an unknown pathway) fails its own job without retries; any other thrown
 * error (the store down…) lets BullMQ retry the job with the producer's attempts and backoff. Close it with `await worker.close()`,
 * which lets active jobs finish. The URL's form is checked here, but not the server (this is
 * synchronous): `await assertRedisReachable(url)` first, as `queue work` does, or a database the
 * server lacks is only logged by ioredis and the worker reads database 0.
 */
export function createWorker(queueRunner: QueueRunner, options: QueueWorkerOptions = {}): Worker<TaskJobData, TaskCompletionResult> {
  const batcher = new SpecBatcher(
    (stage, specs) => queueRunner.handleForWorker(stage, specs, { concurrency: options.concurrency ?? 1 }),
    options.concurrency ?? 1,
  );
  const processor = async (job: Job<TaskJobData, TaskCompletionResult>): Promise<TaskCompletionResult> => {
    try {
      return await batcher.submit(job.data.stage, job.data.spec);
    } catch (error) {
      if (isConfigurationError(error)) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
  return new Worker<TaskJobData, TaskCompletionResult>(chooseQueueName(options.queueName, queueRunner.projectHash), processor, {
    connection: redisOptions(resolveRedisUrl(options.redisUrl)),
    concurrency: options.concurrency ?? 1,
    autorun: options.autorun ?? true,
    // BullMQ's default (1) drops a job whose worker died twice, leaving its task without a job.
    maxStalledCount: options.maxStalledCount ?? defaultMaxStalledCount,
    // BullMQ counts milliseconds; users set seconds, as every other duration of task-agents.
    ...(options.lockDuration === undefined ? {} : { lockDuration: Math.round(options.lockDuration * 1000) }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: Math.round(options.stalledInterval * 1000) }),
  });
}
