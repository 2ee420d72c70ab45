import { describe, expect, test } from "vitest";
import { QueueRunner, type TaskCompletionResult } from "../../src/index.js";
import { enqueueTasks } from "../../src/queue/index.js";
import { jsonLines } from "../cli/cli-helpers.js";
import { agentFile, startCli } from "../support/agent-process.js";
import { redisUrl, testQueue, waitUntil } from "../support/redis.js";
import { cliOk } from "../support/run-cli.js";
import { runnerStore } from "../support/runner-fixture.js";

type WorkerLine =
  ({ event: "task-done" } & TaskCompletionResult) | { event: "worker-finished"; tasks: number; failed: number; jobFailures: number; left: number };

/** Task UUIDs after `prefix` on the lines of `text` that start with it. */
function uuidsAfter(prefix: string, text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .flatMap((line) => line.slice(prefix.length).trim().split(" "))
    .filter((uuid) => uuid !== "");
}

describe("queue work: workers killed while they hold jobs", () => {
  test("their jobs go to another worker once the locks expire; every task moves exactly once, none is lost", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 8 });
    const { name, queue } = testQueue();
    const producer = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    producer.stage("Pre-label", () => "annotate");
    await enqueueTasks(producer, { redisUrl: redisUrl(), queueName: name });
    await producer.close();
    const agent = agentFile("queue-slow");
    const env = { PROJECT_HASH: store.projectHash, REDIS_URL: redisUrl(), TASK_AGENTS_STORE: store.backend.storePath, NO_COLOR: "1" };
    const workArgs = ["queue", "work", agent, "--queue", name, "--concurrency", "2", "--lock-duration", "1"];

    // Two workers that will be killed while each holds 2 jobs: one is stuck in slow handlers
    // (nothing committed), the other has committed its tasks and hangs before BullMQ hears of it.
    const slow = startCli(workArgs, { ...env, SLOW_MS: "600000" });
    const hung = startCli(workArgs, { ...env, SLOW_MS: "0", HANG_AFTER_COMMIT: "1" });
    await slow.waitFor("stderr", /^handling /m, 60_000);
    await hung.waitFor("stderr", (text) => uuidsAfter("committed ", text).length === 2, 60_000);
    await waitUntil(async () => (await queue.getActiveCount()) === 4, "4 active jobs");
    const held = (await queue.getJobs(["active"])).map((j) => (JSON.parse(j.data.spec) as { uuid: string }).uuid);
    for (const worker of [slow, hung]) worker.child.kill("SIGKILL");
    const [slowExit, hungExit] = await Promise.all([slow.exited, hung.exited]);
    expect([slowExit.signal, hungExit.signal]).toEqual(["SIGKILL", "SIGKILL"]);
    const committed = uuidsAfter("committed ", hungExit.stderr);
    expect(uuidsAfter("committed ", slowExit.stderr)).toEqual([]);
    expect(held).toHaveLength(4);
    expect(held).toEqual(expect.arrayContaining(committed));
    expect((await store.tasksIn("Annotate")).map((t) => t.uuid).sort()).toEqual([...committed].sort());
    expect(await queue.getActiveCount()).toBe(4);
    expect(await queue.getWaitingCount()).toBe(4);

    // Another worker drains the queue; BullMQ hands it the dead workers' jobs as stalled.
    const rescuer = await startCli(["--json", ...workArgs, "--exit-when-empty"], { ...env, SLOW_MS: "0" }).exited;
    const lines = jsonLines<WorkerLine>(rescuer.stdout);
    const results = lines.flatMap((l) => (l.event === "task-done" ? [l] : []));
    const finished = lines.find((l) => l.event === "worker-finished");

    const tasks = await store.tasksIn("Annotate");
    expect(tasks).toHaveLength(8);
    expect(await store.tasksIn("Pre-label")).toEqual([]);
    expect(results.map((r) => r.task_uuid).sort()).toEqual(tasks.map((t) => t.uuid).sort());
    const annotate = store.pathway("Pre-label", "annotate");
    for (const result of results) {
      if (committed.includes(result.task_uuid!)) {
        expect(result).toMatchObject({ success: false, pathway: null });
        expect(result.error).toMatch(/is not in stage "Pre-label" \([0-9a-f-]+\) any more/);
      } else {
        expect(result).toMatchObject({ success: true, pathway: annotate.uuid, error: null });
      }
    }
    expect(finished).toMatchObject({ tasks: 8, failed: 2, jobFailures: 0, left: 0 });
    // Exit 2: the two tasks a dead worker had committed count as failed results.
    expect(rescuer.code, rescuer.stderr).toBe(2);

    const moves = jsonLines<{ taskUuid: string; fromStage: string | null; toStage: string }>(
      await cliOk(store.backend.storePath, ["--json", "tasks", "history", store.projectHash]),
    );
    for (const task of tasks) {
      expect(moves.filter((m) => m.taskUuid === task.uuid && m.fromStage === "Pre-label").map((m) => m.toStage)).toEqual(["Annotate"]);
    }
    expect(await queue.getJobCounts("waiting", "active", "delayed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });
});
