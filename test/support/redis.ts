import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { inject, onTestFinished } from "vitest";
import type { TaskCompletionResult } from "../../src/index.js";
import type { TaskJobData } from "../../src/queue/index.js";

/** The Redis of this test run (REDIS_URL, or the private server the global setup started). */
export function redisUrl(): string {
  return inject("redisUrl");
}

/** A queue of its own for one test, seen through BullMQ to inspect jobs. */
export interface TestQueue {
  readonly name: string;
  readonly queue: Queue<TaskJobData, TaskCompletionResult>;
}

/**
 * A fresh queue name (`test-<uuid>`) with a BullMQ Queue on it. When the test ends the queue is
 * obliterated and closed, whatever the outcome.
 */
export function testQueue(): TestQueue {
  const name = `test-${randomUUID()}`;
  const queue = new Queue<TaskJobData, TaskCompletionResult>(name, { connection: { url: redisUrl(), maxRetriesPerRequest: null } });
  onTestFinished(async () => {
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  });
  return { name, queue };
}

/**
 * Waits until `condition` holds, checking every 50 ms; fails after `timeoutMs` with `what`.
 * For conditions that become true eventually (jobs finishing), not for measuring time.
 */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until `count` jobs of the queue have finished (completed or failed). */
export async function waitForFinishedJobs(queue: Queue, count: number, timeoutMs = 30_000): Promise<void> {
  let last = { completed: 0, failed: 0 };
  await waitUntil(
    async () => {
      const counts = await queue.getJobCounts("completed", "failed");
      last = { completed: counts.completed ?? 0, failed: counts.failed ?? 0 };
      return last.completed + last.failed >= count;
    },
    `${count} finished jobs (last seen: ${JSON.stringify(last)})`,
    timeoutMs,
  );
}
