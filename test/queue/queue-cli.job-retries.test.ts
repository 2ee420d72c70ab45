import { describe, expect, test } from "vitest";
import { QueueRunner } from "../../src/index.js";
import { enqueueTasks, jobIdFor } from "../../src/queue/index.js";
import { jsonLines } from "../cli/cli-helpers.js";
import { agentFile } from "../support/agent-process.js";
import { redisUrl, testQueue, type TestQueue } from "../support/redis.js";
import { cliProcess, type CliResult } from "../support/run-cli.js";
import { runnerStore, type RunnerStore } from "../support/runner-fixture.js";

interface Finished {
  event: "worker-finished";
  tasks: number;
  failed: number;
  jobFailures: number;
}

/** Enqueues every waiting task (failed jobs kept), then runs one `queue work --exit-when-empty` of queue-flaky-store. */
async function workFlaky(store: RunnerStore, queue: TestQueue, failedReads: number): Promise<{ result: CliResult; finished: Finished | undefined }> {
  const producer = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
  producer.stage("Pre-label", () => "annotate");
  await enqueueTasks(producer, { redisUrl: redisUrl(), queueName: queue.name, jobOptions: { removeOnFail: false, backoff: { type: "fixed", delay: 100 } } });
  await producer.close();
  const result = await cliProcess(["--json", "queue", "work", agentFile("queue-flaky-store"), "--queue", queue.name, "--exit-when-empty"], {
    PROJECT_HASH: store.projectHash,
    REDIS_URL: redisUrl(),
    TASK_AGENTS_STORE: store.backend.storePath,
    FAILED_READS: String(failedReads),
  });
  const finished = jsonLines<{ event: string }>(result.stdout).find((l): l is Finished => l.event === "worker-finished");
  return { result, finished };
}

describe("queue work: jobs that throw are retried", () => {
  test("a job that fails once and then succeeds is no job failure: exit 0", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 1 });
    const queue = testQueue();
    const { result, finished } = await workFlaky(store, queue, 1);

    expect(await store.tasksIn("Annotate")).toHaveLength(1);
    expect(finished).toMatchObject({ tasks: 1, failed: 0, jobFailures: 0 });
    expect(result.stderr).toMatch(/store briefly unavailable/);
    expect(result.code, result.stderr).toBe(0);
  });

  test("a job that fails on every attempt counts once and gives exit 2", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 1 });
    const queue = testQueue();
    const [task] = await store.tasksIn("Pre-label");
    const { result, finished } = await workFlaky(store, queue, 99);

    const job = (await queue.queue.getJob(jobIdFor(store.stage("Pre-label").uuid, task!.uuid)))!;
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe("store briefly unavailable");
    expect(finished).toMatchObject({ tasks: 0, failed: 0, jobFailures: 1 });
    expect(result.code, result.stderr).toBe(2);
    expect(await store.tasksIn("Pre-label")).toHaveLength(1);
  });
});
