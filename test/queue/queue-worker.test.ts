import type { Worker } from "bullmq";
import { pino } from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { QueueRunner, type AgentTask, type TaskCompletionResult } from "../../src/index.js";
import { createWorker, enqueueTasks, jobIdFor, type TaskJobData } from "../../src/queue/index.js";
import { redisUrl, testQueue, waitForFinishedJobs, type TestQueue } from "../support/redis.js";
import { runnerStore, twoAgentSpec, type RunnerStore } from "../support/runner-fixture.js";

const workers: Worker[] = [];

/** A QueueRunner on the test's store whose handler logs go nowhere. */
function queueRunnerOn(store: RunnerStore): QueueRunner {
  return new QueueRunner({ projectHash: store.projectHash, backend: store.backend, logger: pino({ level: "silent" }) });
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

/** i-1.png, i-3.png… go to "annotate", i-2.png, i-4.png… to "skip" (by name). */
function routeByNumber({ task }: { task: AgentTask }): string {
  return Number(/\d+/.exec(task.dataTitle)![0]) % 2 === 1 ? "annotate" : "skip";
}

/** Enqueues every waiting task, keeping finished jobs so the test can read their results. */
async function enqueueKeepingJobs(queueRunner: QueueRunner, queue: TestQueue): Promise<number> {
  const result = await enqueueTasks(queueRunner, { redisUrl: redisUrl(), queueName: queue.name, jobOptions: { removeOnComplete: false, removeOnFail: false } });
  return result.stages.reduce((sum, s) => sum + s.enqueued, 0);
}

function startWorker(queueRunner: QueueRunner, queue: TestQueue, concurrency = 4): Worker<TaskJobData, TaskCompletionResult> {
  const worker = createWorker(queueRunner, { redisUrl: redisUrl(), queueName: queue.name, concurrency });
  worker.on("error", () => undefined);
  workers.push(worker);
  return worker;
}

/** The return value of each completed job, by task title. */
async function resultsByTitle(store: RunnerStore, queue: TestQueue, tasks: readonly AgentTask[]): Promise<Map<string, TaskCompletionResult>> {
  const stage = store.stage("Pre-label");
  const results = new Map<string, TaskCompletionResult>();
  for (const task of tasks) {
    const job = await queue.queue.getJob(jobIdFor(stage.uuid, task.uuid));
    expect(job, task.dataTitle).toBeDefined();
    expect(await job!.getState(), task.dataTitle).toBe("completed");
    results.set(task.dataTitle, job!.returnvalue);
  }
  return results;
}

function titles(tasks: readonly AgentTask[]): string[] {
  return tasks.map((t) => t.dataTitle).sort();
}

describe("createWorker", () => {
  test("runs each job's task through the handler: the job returns its TaskCompletionResult and the task moves", async () => {
    await using store = await runnerStore({ items: 10 });
    const queue = testQueue();
    const queueRunner = queueRunnerOn(store);
    queueRunner.stage("Pre-label", routeByNumber);
    const tasks = await store.tasksIn("Pre-label");
    expect(await enqueueKeepingJobs(queueRunner, queue)).toBe(10);

    startWorker(queueRunner, queue, 3);
    await waitForFinishedJobs(queue.queue, 10);

    const stage = store.stage("Pre-label");
    const annotate = store.pathway("Pre-label", "annotate");
    const skip = store.pathway("Pre-label", "skip");
    const results = await resultsByTitle(store, queue, tasks);
    for (const task of tasks) {
      const odd = Number(/\d+/.exec(task.dataTitle)![0]) % 2 === 1;
      expect(results.get(task.dataTitle)).toEqual({
        task_uuid: task.uuid,
        stage_uuid: stage.uuid,
        success: true,
        pathway: (odd ? annotate : skip).uuid,
        error: null,
      });
    }
    expect(await queue.queue.getJobCounts("completed", "failed", "waiting", "active")).toEqual({ completed: 10, failed: 0, waiting: 0, active: 0 });
    expect(await store.tasksIn("Pre-label")).toEqual([]);
    expect(titles(await store.tasksIn("Annotate"))).toEqual(["i-1.png", "i-3.png", "i-5.png", "i-7.png", "i-9.png"]);
    expect(titles(await store.tasksIn("Complete"))).toEqual(["i-10.png", "i-2.png", "i-4.png", "i-6.png", "i-8.png"]);
    await queueRunner.close();
  });

  test("a handler that fails for one task gives success: false in that job's result; the job itself completes", async () => {
    await using store = await runnerStore({ items: 4 });
    const queue = testQueue();
    const queueRunner = queueRunnerOn(store);
    queueRunner.stage("Pre-label", ({ task }) => {
      if (task.dataTitle === "i-3.png") throw new Error("cannot pre-label i-3.png");
      return "annotate";
    });
    const tasks = await store.tasksIn("Pre-label");
    await enqueueKeepingJobs(queueRunner, queue);

    startWorker(queueRunner, queue);
    await waitForFinishedJobs(queue.queue, 4);

    const results = await resultsByTitle(store, queue, tasks);
    const failed = results.get("i-3.png")!;
    expect(failed).toMatchObject({ task_uuid: tasks.find((t) => t.dataTitle === "i-3.png")!.uuid, success: false, pathway: null });
    expect(failed.error).toMatch(/cannot pre-label i-3\.png/);
    for (const title of ["i-1.png", "i-2.png", "i-4.png"]) expect(results.get(title)).toMatchObject({ success: true, error: null });
    expect(await queue.queue.getFailedCount()).toBe(0);
    expect(titles(await store.tasksIn("Pre-label"))).toEqual(["i-3.png"]);
    expect(titles(await store.tasksIn("Annotate"))).toEqual(["i-1.png", "i-2.png", "i-4.png"]);
    await queueRunner.close();
  });

  test("a task that left the stage after it was queued gives success: false (not in stage any more) and is not moved again", async () => {
    await using store = await runnerStore({ items: 3 });
    const queue = testQueue();
    const queueRunner = queueRunnerOn(store);
    queueRunner.stage("Pre-label", () => "annotate");
    const tasks = await store.tasksIn("Pre-label");
    await enqueueKeepingJobs(queueRunner, queue);
    const gone = tasks.find((t) => t.dataTitle === "i-2.png")!;
    store.backend.proceed(store.projectHash, { stage: "Pre-label", pathway: "skip", taskUuid: gone.uuid, actor: "someone-else" });

    startWorker(queueRunner, queue);
    await waitForFinishedJobs(queue.queue, 3);

    const results = await resultsByTitle(store, queue, tasks);
    expect(results.get("i-2.png")).toMatchObject({ task_uuid: gone.uuid, success: false, pathway: null });
    expect(results.get("i-2.png")!.error).toMatch(/not in stage "Pre-label" .* any more/);
    expect(titles(await store.tasksIn("Complete"))).toEqual(["i-2.png"]);
    expect(titles(await store.tasksIn("Annotate"))).toEqual(["i-1.png", "i-3.png"]);
    await queueRunner.close();
  });

  test("an unknown pathway fails the job at once, without retries (UnrecoverableError); the other jobs complete", async () => {
    await using store = await runnerStore({ items: 3 });
    const queue = testQueue();
    const queueRunner = queueRunnerOn(store);
    queueRunner.stage("Pre-label", ({ task }) => (task.dataTitle === "i-2.png" ? "nowhere" : "annotate"));
    const tasks = await store.tasksIn("Pre-label");
    await enqueueKeepingJobs(queueRunner, queue);

    startWorker(queueRunner, queue, 1);
    await waitForFinishedJobs(queue.queue, 3);

    const stage = store.stage("Pre-label");
    const bad = tasks.find((t) => t.dataTitle === "i-2.png")!;
    const job = (await queue.queue.getJob(jobIdFor(stage.uuid, bad.uuid)))!;
    expect(await job.getState()).toBe("failed");
    expect(job.opts.attempts).toBe(3);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/has no pathway "nowhere"/);
    expect(job.failedReason).toMatch(/Accepted: .*annotate.*skip/);
    expect(await queue.queue.getJobCounts("completed", "failed", "delayed", "waiting")).toEqual({ completed: 2, failed: 1, delayed: 0, waiting: 0 });
    expect(titles(await store.tasksIn("Pre-label"))).toEqual(["i-2.png"]);
    expect(titles(await store.tasksIn("Annotate"))).toEqual(["i-1.png", "i-3.png"]);
    await queueRunner.close();
  });

  test("with concurrency, an unknown pathway fails only its own job; jobs of the same call complete, now or on a retry", async () => {
    await using store = await runnerStore({ items: 6 });
    const queue = testQueue();
    const queueRunner = queueRunnerOn(store);
    queueRunner.stage("Pre-label", ({ task }) => (task.dataTitle === "i-3.png" ? "nowhere" : "annotate"));
    const tasks = await store.tasksIn("Pre-label");
    // Jobs the stop left unstarted are retried after BullMQ's backoff (1 s).
    await enqueueKeepingJobs(queueRunner, queue);

    startWorker(queueRunner, queue, 6);
    await waitForFinishedJobs(queue.queue, 6);

    const bad = tasks.find((t) => t.dataTitle === "i-3.png")!;
    const job = (await queue.queue.getJob(jobIdFor(store.stage("Pre-label").uuid, bad.uuid)))!;
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/has no pathway "nowhere"/);
    expect((await queue.queue.getJobCounts("completed", "failed")).completed).toBe(5);
    expect(titles(await store.tasksIn("Pre-label"))).toEqual(["i-3.png"]);
    expect(titles(await store.tasksIn("Annotate"))).toEqual(["i-1.png", "i-2.png", "i-4.png", "i-5.png", "i-6.png"]);
    await queueRunner.close();
  });

  test("jobs of several stages go to their own handlers", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 4 });
    const queue = testQueue();
    const first = await store.tasksIn("First");
    store.backend.proceed(store.projectHash, { stage: "First", pathway: "next", taskUuid: first[0]!.uuid, actor: "tester" });
    const seen: string[] = [];
    const queueRunner = queueRunnerOn(store);
    queueRunner.stage("First", ({ task }) => {
      seen.push(`First:${task.dataTitle}`);
      return "next";
    });
    queueRunner.stage("Second", ({ task }) => {
      seen.push(`Second:${task.dataTitle}`);
      return "finish";
    });
    expect(await enqueueKeepingJobs(queueRunner, queue)).toBe(4);

    startWorker(queueRunner, queue, 2);
    await waitForFinishedJobs(queue.queue, 4);

    expect(seen.filter((s) => s.startsWith("Second:"))).toEqual([`Second:${first[0]!.dataTitle}`]);
    expect(seen.filter((s) => s.startsWith("First:")).sort()).toEqual(
      first
        .slice(1)
        .map((t) => `First:${t.dataTitle}`)
        .sort(),
    );
    expect(titles(await store.tasksIn("Second"))).toEqual(titles(first.slice(1)));
    expect(titles(await store.tasksIn("Done"))).toEqual([first[0]!.dataTitle]);
    await queueRunner.close();
  });
});
