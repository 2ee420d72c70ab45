import { describe, expect, test } from "vitest";
import { agentFile, startCli } from "../support/agent-process.js";
import { redisUrl, testQueue } from "../support/redis.js";
import { runnerStore } from "../support/runner-fixture.js";
import { cli } from "../support/run-cli.js";
import { jsonLines } from "../cli/cli-helpers.js";

const taskCount = 20;

describe("queue work --metrics-port", () => {
  test("serves Prometheus metrics of the worker's tasks while it works", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: taskCount });
    const { name } = testQueue();
    const env = { PROJECT_HASH: store.projectHash, REDIS_URL: redisUrl(), NO_COLOR: "1" };
    const storePath = store.backend.storePath;
    const agent = agentFile("queue-route-by-title");
    const enqueue = await startCli(["--store", storePath, "queue", "enqueue", agent, "--queue", name], env).exited;
    expect(enqueue.code, enqueue.stderr).toBe(0);

    const worker = startCli(["--store", storePath, "queue", "work", agent, "--queue", name, "--concurrency", "4", "--metrics-port", "0"], env);
    let url = "";
    await worker.waitFor(
      "stderr",
      (text) => {
        const match = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(text);
        if (match) url = match[1]!;
        return match !== null;
      },
      60_000,
    );
    await expect
      .poll(async () => /task_agents_tasks_handled_total\{stage="Pre-label"\} (\d+)/.exec(await (await fetch(url)).text())?.[1], {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(String(taskCount));
    const metrics = await (await fetch(url)).text();
    expect(metrics).toContain(`task_agents_tasks_moved_total{stage="Pre-label",pathway="annotate"} ${taskCount / 2}`);
    expect(metrics).toContain(`task_agents_tasks_moved_total{stage="Pre-label",pathway="skip"} ${taskCount / 2}`);
    expect(metrics).toContain(`task_agents_tasks_failed_total{stage="Pre-label"} 0`);
    expect(metrics).toMatch(/# TYPE task_agents_handlers_in_flight gauge/);
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code, exit.stderr).toBe(0);
    await expect(fetch(url)).rejects.toThrow();

    // The session is recorded as a run, like a Runner's (runs list, the dashboard).
    const listed = await cli(["--store", storePath, "runs", "list", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const runs = jsonLines<{
      kind: string;
      outcome: string | null;
      options: Record<string, unknown>;
      report: { stages: { title: string; seen: number; moved: Record<string, number> }[] };
    }>(listed.stdout);
    const session = runs.find((r) => r.kind === "queue-worker");
    expect(session).toMatchObject({ outcome: "stopped", options: { queue: name, concurrency: 4 } });
    expect(session!.report.stages[0]).toMatchObject({ title: "Pre-label", seen: taskCount, moved: { annotate: taskCount / 2, skip: taskCount / 2 } });
  });
});
