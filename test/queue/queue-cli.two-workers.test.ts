import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { jsonLines } from "../cli/cli-helpers.js";
import { agentFile, startCli } from "../support/agent-process.js";
import { redisUrl, testQueue } from "../support/redis.js";
import { cliOk } from "../support/run-cli.js";
import { runnerStore } from "../support/runner-fixture.js";
import { tempDir } from "../support/temp-dir.js";

const taskCount = 3000;

interface MoveLine {
  taskUuid: string;
  fromStage: string | null;
  toStage: string;
  pathway: string;
  actor: string;
}

/** The numbers of a worker's text summary line on stdout. */
function summaryOf(stdout: string): { tasks: number; annotate: number; skip: number; left: number; failed: number; jobFailures: number } {
  const match = /^Worker summary \(([^)]+)\): (\d+) tasks in [\d.]+ s; moved: (.*); left: (\d+); failed: (\d+); job failures: (\d+)$/m.exec(stdout);
  if (!match) throw new Error(`no worker summary on stdout:\n${stdout}`);
  const moved = match[3]!;
  const count = (pathway: string) => Number(new RegExp(`Pre-label → ${pathway}: (\\d+)`).exec(moved)?.[1] ?? 0);
  return {
    tasks: Number(match[2]),
    annotate: count("annotate"),
    skip: count("skip"),
    left: Number(match[4]),
    failed: Number(match[5]),
    jobFailures: Number(match[6]),
  };
}

describe("queue enqueue + two queue work processes", () => {
  test(`${taskCount} tasks are drained by two workers at once; each task moves exactly once`, { timeout: 240_000 }, async () => {
    await using store = await runnerStore({ items: taskCount });
    using dir = tempDir();
    const { name, queue } = testQueue();
    const gateFile = join(dir.path, "gate");
    const env = { PROJECT_HASH: store.projectHash, REDIS_URL: redisUrl(), NO_COLOR: "1" };
    const storePath = store.backend.storePath;
    const agent = agentFile("queue-route-by-title");

    const enqueue = await startCli(["--store", storePath, "queue", "enqueue", agent, "--queue", name], env).exited;
    expect(enqueue.code, enqueue.stderr).toBe(0);
    expect(enqueue.stdout).toBe(`Queued ${taskCount} tasks of stage "Pre-label" on ${name}.\n`);
    expect(await queue.getWaitingCount()).toBe(taskCount);

    // Every handler waits for the gate file, so neither worker can drain the queue before the
    // other has taken jobs too; once both hold some, the gate opens.
    const workArgs = ["--store", storePath, "queue", "work", agent, "--queue", name, "--concurrency", "8", "--exit-when-empty"];
    const workers = [startCli(workArgs, { ...env, GATE_FILE: gateFile }), startCli(workArgs, { ...env, GATE_FILE: gateFile })];
    await Promise.all(workers.map((w) => w.waitFor("stderr", /took a job: /, 60_000)));
    writeFileSync(gateFile, "");
    const exits = await Promise.all(workers.map((w) => w.exited));

    for (const exit of exits) expect(exit.code, exit.stderr).toBe(0);
    const summaries = exits.map((e) => summaryOf(e.stdout));
    for (const summary of summaries) {
      expect(summary.tasks).toBeGreaterThan(0);
      expect(summary).toMatchObject({ left: 0, failed: 0, jobFailures: 0 });
      expect(summary.annotate + summary.skip).toBe(summary.tasks);
    }
    expect(summaries[0]!.tasks + summaries[1]!.tasks).toBe(taskCount);
    expect(summaries[0]!.annotate + summaries[1]!.annotate).toBe(taskCount / 2);

    expect(await store.tasksIn("Pre-label")).toEqual([]);
    const annotate = await store.tasksIn("Annotate");
    const complete = await store.tasksIn("Complete");
    expect(annotate).toHaveLength(taskCount / 2);
    expect(complete).toHaveLength(taskCount / 2);
    for (const task of annotate) expect(Number(/\d+/.exec(task.dataTitle)![0]) % 2).toBe(1);
    for (const task of complete) expect(Number(/\d+/.exec(task.dataTitle)![0]) % 2).toBe(0);

    // The history records exactly one move out of Pre-label per task, to the right stage.
    const moves = jsonLines<MoveLine>(await cliOk(storePath, ["--json", "tasks", "history", store.projectHash]));
    const preLabelMoves = moves.filter((m) => m.fromStage === "Pre-label");
    expect(preLabelMoves).toHaveLength(taskCount);
    const movesByTask = new Map<string, MoveLine[]>();
    for (const move of preLabelMoves) movesByTask.set(move.taskUuid, [...(movesByTask.get(move.taskUuid) ?? []), move]);
    expect(movesByTask.size).toBe(taskCount);
    const destination = new Map([...annotate.map((t) => [t.uuid, "Annotate"] as const), ...complete.map((t) => [t.uuid, "Complete"] as const)]);
    for (const [taskUuid, taskMoves] of movesByTask) {
      expect(taskMoves).toHaveLength(1);
      expect(taskMoves[0]).toMatchObject({ toStage: destination.get(taskUuid), actor: "queue-agent" });
    }
    expect(await queue.getJobCounts("waiting", "active", "delayed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });
});
