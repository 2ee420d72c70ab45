import { describe, expect, test } from "vitest";
import { agentFile, startAgentScript, startCli, type ChildExit } from "../support/agent-process.js";
import { cliOk, createDemoProject, freshStore, jsonLines, listTasks, paths, stageCounts } from "../cli/cli-helpers.js";

// Local store only: the agents are child processes given --store, and the checks read that store through the CLI.
// Each test runs an agent as its own process on a store holding the demo project with its 36
// images, stops it with a signal while a batch is in progress, and checks the store afterwards.

/** The demo project with the 36 images of the demo manifest, all waiting in "Pre-label". */
async function demoProjectWith36Tasks(store: string): Promise<string> {
  const hash = await createDemoProject(store);
  await cliOk(store, ["data", "add", hash, "--manifest", paths.demoManifest, "--actor", "tester"]);
  return hash;
}

interface MoveLine {
  taskUuid: string;
  fromStage: string | null;
  toStage: string;
  pathway: string | null;
  actor: string;
}

/**
 * Checks the store is consistent after a stop: 36 tasks in all, only in "Pre-label" or
 * "Annotate"; every task in "Annotate" moved there exactly once, and no task left "Pre-label" twice.
 * Returns the UUIDs of the tasks in "Annotate".
 */
async function expectConsistentStore(store: string, hash: string): Promise<Set<string>> {
  const counts = await stageCounts(store, hash);
  expect(counts["Pre-label"]! + counts.Annotate!).toBe(36);
  expect(counts).toMatchObject({ Review: 0, Complete: 0 });
  const annotated = new Set((await listTasks(store, hash, "Annotate")).map((t) => t.uuid));
  const history = jsonLines<MoveLine>(await cliOk(store, ["--json", "tasks", "history", hash]));
  const agentMoves = history.filter((m) => m.fromStage === "Pre-label");
  const movesPerTask = new Map<string, number>();
  for (const move of agentMoves) movesPerTask.set(move.taskUuid, (movesPerTask.get(move.taskUuid) ?? 0) + 1);
  expect([...movesPerTask.values()].every((n) => n === 1)).toBe(true);
  expect(new Set(movesPerTask.keys())).toEqual(annotated);
  expect(agentMoves.every((m) => m.toStage === "Annotate" && m.pathway === "annotate" && m.actor === "agent")).toBe(true);
  return annotated;
}

/** Task UUIDs after `prefix ` at the start of lines. */
function uuidsAfter(prefix: string, text: string): string[] {
  return [...text.matchAll(new RegExp(`^${prefix} ([0-9a-f-]{36})$`, "gm"))].map((m) => m[1]!);
}

function expectNoStack(result: ChildExit): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/unexpected failure/);
}

describe("stopping a run with a signal", () => {
  test("SIGINT on a script: in-flight tasks finish, every decision is committed, the report is printed, exit 0", async () => {
    using s = freshStore();
    const hash = await demoProjectWith36Tasks(s.store);
    const run = startAgentScript(agentFile("slow"), [
      "--project-hash",
      hash,
      "--store",
      s.store,
      "--task-batch-size",
      "4",
      "--concurrency",
      "1",
      "--grace-period",
      "5",
    ]);
    // Six tasks started: batch 1 is committed, batch 2 is in progress.
    await run.waitFor("stderr", (text) => uuidsAfter("handling", text).length >= 6);
    run.child.kill("SIGINT");
    const result = await run.exited;

    expect(result.code, result.stderr).toBe(0);
    expectNoStack(result);
    expect(result.stderr).toMatch(/stopping \(signal\): no new tasks/);
    expect(result.stdout).toMatch(/ended: stopped/);
    const handled = uuidsAfter("handling", result.stderr);
    expect(handled.length).toBeGreaterThanOrEqual(6);
    expect(handled.length).toBeLessThan(36);
    expect(result.stdout).toMatch(new RegExp(`Pre-label\\s+${handled.length}\\s+${handled.length}\\s+0\\s+0\\s+0\\s+annotate: ${handled.length}\\s`));

    // Every task the handler started was decided and committed; none was taken after the stop.
    const annotated = await expectConsistentStore(s.store, hash);
    expect(annotated).toEqual(new Set(handled));
  });

  test("SIGTERM on `task-agents run`: stops the same way", async () => {
    using s = freshStore();
    const hash = await demoProjectWith36Tasks(s.store);
    const run = startCli(["--store", s.store, "run", agentFile("slow"), "--project-hash", hash, "--grace-period", "5"]);
    await run.waitFor("stderr", /^handling /m);
    run.child.kill("SIGTERM");
    const result = await run.exited;

    expect(result.code, result.stderr).toBe(0);
    expectNoStack(result);
    expect(result.stdout).toMatch(/ended: stopped/);
    const handled = uuidsAfter("handling", result.stderr);
    expect(handled.length).toBeGreaterThanOrEqual(1);
    expect(handled.length).toBeLessThan(36);
    expect(await expectConsistentStore(s.store, hash)).toEqual(new Set(handled));
  });

  test("SIGINT while a polling run waits for its next pass ends the run at once, exit 0", async () => {
    using s = freshStore();
    const hash = await demoProjectWith36Tasks(s.store);
    const run = startAgentScript(agentFile("route-by-type"), ["--project-hash", hash, "--store", s.store, "--refresh-every", "3600"]);
    await run.waitFor("stderr", /pass 1 done; next pass in 3600\.0 s/);
    run.child.kill("SIGINT");
    const result = await run.exited;

    expect(result.code, result.stderr).toBe(0);
    expectNoStack(result);
    expect(result.stdout).toMatch(/1 pass in .*; ended: stopped/);
    expect(result.stdout).toMatch(/Pre-label\s+36\s+36\s+0\s+0\s+0\s+annotate: 36/);
    expect(await expectConsistentStore(s.store, hash)).toHaveProperty("size", 36);
  });

  test("a task still running when the grace period ends is abandoned: it stays in its stage and the run exits 2", async () => {
    using s = freshStore();
    const hash = await demoProjectWith36Tasks(s.store);
    const run = startAgentScript(agentFile("stuck"), ["--project-hash", hash, "--store", s.store, "--grace-period", "1"]);
    await run.waitFor("stderr", /^stuck on /m);
    run.child.kill("SIGINT");
    const result = await run.exited;

    expect(result.code, result.stderr).toBe(2);
    expectNoStack(result);
    expect(result.stdout).toMatch(/ended: stopped/);
    const [stuck] = uuidsAfter("stuck on", result.stderr);
    expect(result.stdout).toMatch(
      new RegExp(`Failed tasks \\(1\\):\\n {2}${stuck} .*after 1 attempt: TaskAgentsError: Task ${stuck} was abandoned: .*grace period ran out`),
    );
    const handled = uuidsAfter("handling", result.stderr);
    expect(handled).toHaveLength(2);
    expect(await expectConsistentStore(s.store, hash)).toEqual(new Set(handled));
    expect((await listTasks(s.store, hash, "Pre-label")).map((t) => t.uuid)).toContain(stuck);
  });

  test("a second SIGINT abandons the in-flight task at once and exits 130; batches committed before stay, the store is consistent", async () => {
    using s = freshStore();
    const hash = await demoProjectWith36Tasks(s.store);
    // Batch 1 (tasks 1 and 2) is committed; batch 2 holds the stuck third task.
    const run = startAgentScript(agentFile("stuck"), ["--project-hash", hash, "--store", s.store, "--task-batch-size", "2", "--grace-period", "30"]);
    await run.waitFor("stderr", /^stuck on /m);
    run.child.kill("SIGINT");
    await run.waitFor("stderr", /stopping \(signal\)/);
    run.child.kill("SIGINT");
    const result = await run.exited;

    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/^Second SIGINT: abandoning 1 in-flight task now and committing 0 decided tasks/m);
    expect(result.stderr).toMatch(/dropped: 0 decided, 1 in-flight task/);
    expect(result.stdout).toMatch(/ended: stopped/);
    const handled = uuidsAfter("handling", result.stderr);
    expect(handled).toHaveLength(2);
    expect(await expectConsistentStore(s.store, hash)).toEqual(new Set(handled));
  });
});
