import { Queue, type JobsOptions } from "bullmq";
import type { QueueRunner } from "../runner/queue-runner.js";
import { chooseQueueName, defaultJobOptions, jobIdFor, type TaskJobData } from "./queue-name.js";
import { assertRedisReachable } from "./redis-check.js";
import { redisOptions, resolveRedisUrl } from "./redis-connection.js";

/** Options of {@link enqueueTasks}. */
export interface EnqueueOptions {
  /** @defaultValue `REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redisUrl?: string;
  /** @defaultValue `task-agents-<project hash>` */
  readonly queueName?: string;
  /** Jobs added per round trip. @defaultValue 1000 */
  readonly chunkSize?: number;
  /** BullMQ job options (attempts, backoff…), merged over the defaults. */
  readonly jobOptions?: JobsOptions;
  /** Called after each chunk, for progress displays. */
  readonly onChunk?: (stage: { uuid: string; title: string }, enqueuedSoFar: number) => void;
}

/** How many task specs were offered to the queue, per stage. */
export interface EnqueueResult {
  readonly queueName: string;
  readonly stages: readonly { readonly uuid: string; readonly title: string; readonly enqueued: number }[];
}

/**
 * Pages through the tasks waiting in each stage of a QueueRunner and adds one job per task, in
 * chunks. Job ids come from the stage and task UUIDs, so a task already waiting or being
 * worked on is not queued a second time.
 */
export async function enqueueTasks(queueRunner: QueueRunner, options: EnqueueOptions = {}): Promise<EnqueueResult> {
  const queueName = chooseQueueName(options.queueName, queueRunner.projectHash);
  const redisUrl = resolveRedisUrl(options.redisUrl);
  await assertRedisReachable(redisUrl);
  const queue = new Queue<TaskJobData>(queueName, { connection: redisOptions(redisUrl) });
  const chunkSize = options.chunkSize ?? 1000;
  const jobOptions = { ...defaultJobOptions, ...options.jobOptions };
  const stages: { uuid: string; title: string; enqueued: number }[] = [];
  try {
    for (const stage of await queueRunner.getAgentStages()) {
      const counted = { uuid: stage.uuid, title: stage.title, enqueued: 0 };
      stages.push(counted);
      let chunk: Parameters<typeof queue.addBulk>[0][number][] = [];
      const flush = async () => {
        if (chunk.length === 0) return;
        await queue.addBulk(chunk);
        counted.enqueued += chunk.length;
        chunk = [];
        options.onChunk?.(counted, counted.enqueued);
      };
      for await (const task of stage.getTasks()) {
        chunk.push({
          name: stage.title,
          data: { stage: stage.uuid, spec: JSON.stringify(task.toJSON()) },
          opts: { ...jobOptions, jobId: jobIdFor(stage.uuid, task.uuid) },
        });
        if (chunk.length >= chunkSize) await flush();
      }
      await flush();
    }
  } finally {
    await queue.close();
  }
  return { queueName, stages };
}
