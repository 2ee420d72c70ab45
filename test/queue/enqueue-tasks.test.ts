import { Queue } from "bullmq";
import { describe, expect, test } from "vitest";
import { QueueRunner, type WorkflowTask } from "../../src/index.js";
import { defaultJobOptions, enqueueTasks, jobIdFor, queueNameFor, type TaskJobData } from "../../src/queue/index.js";
import { redisUrl, testQueue } from "../support/redis.js";
import { rejectionOf, runnerStore, twoAgentSpec } from "../support/runner-fixture.js";

/** The spec a waiting task should travel with: the Python package's field names. */
function specOf(task: WorkflowTask): Record<string, unknown> {
  return {
    uuid: task.uuid,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
    status: task.status,
    data_hash: task.dataHash,
    data_title: task.dataTitle,
    label_branch_name: task.labelBranchName,
    assignee: task.assignee,
    last_actioned_by: task.lastActionedBy,
  };
}

describe("enqueueTasks", () => {
  test("adds one job per waiting task: job id from stage and task, data { stage, spec } with Python field names", async () => {
    await using store = await runnerStore({ items: 5 });
    const { name, queue } = testQueue();
    const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    queueRunner.stage("Pre-label", () => "annotate");
    const stage = store.stage("Pre-label");

    const result = await enqueueTasks(queueRunner, { redisUrl: redisUrl(), queueName: name });

    expect(result).toEqual({ queueName: name, stages: [{ uuid: stage.uuid, title: "Pre-label", enqueued: 5 }] });
    const tasks = await store.tasksIn("Pre-label");
    const jobs = await queue.getJobs(["waiting"]);
    expect(jobs).toHaveLength(5);
    expect(jobs.map((j) => j.id).sort()).toEqual(tasks.map((t) => jobIdFor(stage.uuid, t.uuid)).sort());
    for (const task of tasks) {
      const job = jobs.find((j) => j.id === jobIdFor(stage.uuid, task.uuid))!;
      expect(job.name).toBe("Pre-label");
      expect(Object.keys(job.data).sort()).toEqual(["spec", "stage"]);
      expect(job.data.stage).toBe(stage.uuid);
      expect(typeof job.data.spec).toBe("string");
      expect(JSON.parse(job.data.spec)).toEqual(specOf(task));
      expect(job.opts).toMatchObject({ attempts: defaultJobOptions.attempts, backoff: defaultJobOptions.backoff });
    }
    await queueRunner.close();
  });

  test("enqueueing again does not add a task that is still waiting", async () => {
    await using store = await runnerStore({ items: 6 });
    const { name, queue } = testQueue();
    const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    queueRunner.stage("Pre-label", () => "annotate");

    await enqueueTasks(queueRunner, { redisUrl: redisUrl(), queueName: name });
    await enqueueTasks(queueRunner, { redisUrl: redisUrl(), queueName: name });

    const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "completed", "failed");
    expect(counts).toEqual({ waiting: 6, active: 0, delayed: 0, prioritized: 0, completed: 0, failed: 0 });
    expect(new Set((await queue.getJobs(["waiting"])).map((j) => j.id)).size).toBe(6);

    // A task that arrives later is queued by the next round, next to the ones still waiting.
    store.backend.proceed(store.projectHash, { stage: "Pre-label", pathway: "skip", taskUuid: (await store.tasksIn("Pre-label"))[0]!.uuid, actor: "tester" });
    const thirdRound = await enqueueTasks(queueRunner, { redisUrl: redisUrl(), queueName: name });
    expect(thirdRound.stages[0]!.enqueued).toBe(5);
    expect(await queue.getWaitingCount()).toBe(6);
    await queueRunner.close();
  });

  test("adds the jobs in chunks: chunk size 7 on 20 tasks still gives 20 jobs", async () => {
    await using store = await runnerStore({ items: 20 });
    const { name, queue } = testQueue();
    const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    queueRunner.stage("Pre-label", () => "annotate");
    const chunks: number[] = [];

    const result = await enqueueTasks(queueRunner, { redisUrl: redisUrl(), queueName: name, chunkSize: 7, onChunk: (stage, soFar) => chunks.push(soFar) });

    expect(chunks).toEqual([7, 14, 20]);
    expect(result.stages[0]!.enqueued).toBe(20);
    expect(await queue.getWaitingCount()).toBe(20);
    const stage = store.stage("Pre-label");
    const expectedIds = (await store.tasksIn("Pre-label")).map((t) => jobIdFor(stage.uuid, t.uuid)).sort();
    expect((await queue.getJobs(["waiting"])).map((j) => j.id).sort()).toEqual(expectedIds);
    await queueRunner.close();
  });

  test("only stages with handlers are enqueued, each job naming its stage", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 6 });
    const firstTasks = await store.tasksIn("First");
    for (const task of firstTasks.slice(0, 2))
      store.backend.proceed(store.projectHash, { stage: "First", pathway: "next", taskUuid: task.uuid, actor: "tester" });
    const second = store.stage("Second");

    const onlySecond = testQueue();
    const secondOnly = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    secondOnly.stage("Second", () => "finish");
    const result = await enqueueTasks(secondOnly, { redisUrl: redisUrl(), queueName: onlySecond.name });
    expect(result.stages).toEqual([{ uuid: second.uuid, title: "Second", enqueued: 2 }]);
    const jobs = await onlySecond.queue.getJobs(["waiting"]);
    expect(jobs.map((j) => [j.name, j.data.stage])).toEqual([
      ["Second", second.uuid],
      ["Second", second.uuid],
    ]);
    expect(jobs.map((j) => (JSON.parse(j.data.spec) as { uuid: string }).uuid).sort()).toEqual(
      firstTasks
        .slice(0, 2)
        .map((t) => t.uuid)
        .sort(),
    );
    await secondOnly.close();

    const both = testQueue();
    const bothStages = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    bothStages.stage("First", () => "finish");
    bothStages.stage(second.uuid, () => "finish");
    const bothResult = await enqueueTasks(bothStages, { redisUrl: redisUrl(), queueName: both.name });
    expect(bothResult.stages.map((s) => [s.title, s.enqueued])).toEqual([
      ["First", 4],
      ["Second", 2],
    ]);
    const byStage = (await both.queue.getJobs(["waiting"])).reduce<Record<string, number>>((acc, j) => ({ ...acc, [j.name]: (acc[j.name] ?? 0) + 1 }), {});
    expect(byStage).toEqual({ First: 4, Second: 2 });
    await bothStages.close();
  });

  test("without a queue name, the project's queue task-agents-<project hash> is used", async () => {
    await using store = await runnerStore({ items: 2 });
    const queueRunner = new QueueRunner({ projectHash: store.projectHash.toUpperCase(), backend: store.backend });
    queueRunner.stage("Pre-label", () => "annotate");
    const queue = new Queue<TaskJobData>(queueNameFor(store.projectHash), { connection: { url: redisUrl(), maxRetriesPerRequest: null } });
    try {
      const result = await enqueueTasks(queueRunner, { redisUrl: redisUrl() });
      expect(result.queueName).toBe(`task-agents-${store.projectHash.toLowerCase()}`);
      expect(await queue.getWaitingCount()).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await queueRunner.close();
    }
  });

  test("a Redis URL that is not redis:// or rediss:// is a configuration error, before any connection", async () => {
    await using store = await runnerStore({ items: 1 });
    const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    queueRunner.stage("Pre-label", () => "annotate");
    const error = await rejectionOf(enqueueTasks(queueRunner, { redisUrl: "http://x", queueName: "test-unused" }));
    expect(error.name).toBe("ConfigurationError");
    expect(error.code).toBe("TA_INVALID_ARGUMENT");
    expect(error.message).toMatch(/REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    const notUrl = await rejectionOf(enqueueTasks(queueRunner, { redisUrl: "not a url", queueName: "test-unused" }));
    expect(notUrl.message).toMatch(/is not a URL; expected redis:\/\//);
    await queueRunner.close();
  });
});
