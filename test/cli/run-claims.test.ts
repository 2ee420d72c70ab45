/**
 * `task-agents run` processes on one stage of a local store share its tasks through claims: each
 * task is handled by one process and moved once; a killed process's tasks are taken at once by
 * the next run on the machine, a frozen one's once its claims' lease (--claim-lease) has passed,
 * and a slow batch's claims are renewed so it is not taken over. Runs the built program (node
 * dist/cli/main.js): `npm run build` first.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { localBackend, Runner, type RunReport } from "../../src/index.js";
import { agentFile, type ChildExit } from "../support/agent-process.js";
import { startBuiltCli } from "../support/built-cli.js";
import { runnerStore, type RunnerStore } from "../support/runner-fixture.js";

const agent = agentFile("claim-worker");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runArgs(store: RunnerStore, ...flags: string[]): string[] {
  return ["run", agent, "--project-hash", store.projectHash, "--store", store.backend.storePath, "--json", ...flags];
}

/** The task UUIDs a claim-worker process printed as handled. */
function handledIn(stderr: string): string[] {
  return [...stderr.matchAll(/^handling (\S+)$/gm)].map((m) => m[1]!);
}

function reportOf(exit: ChildExit): RunReport {
  const finished = exit.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { event: string; report?: RunReport })
    .find((event) => event.event === "run-finished");
  if (finished?.report === undefined) throw new Error(`no run-finished event:\n${exit.stdout}\n${exit.stderr}`);
  return finished.report;
}

/** How many times the history records each task leaving "Pre-label". */
function movesOutOfPreLabel(store: RunnerStore): Map<string, number> {
  const counts = new Map<string, number>();
  for (const page of store.backend.history(store.projectHash)) {
    for (const move of page) if (move.fromStage === "Pre-label") counts.set(move.taskUuid, (counts.get(move.taskUuid) ?? 0) + 1);
  }
  return counts;
}

/** One pass of a Runner of this process (a second connection to the store) that moves every task it gets. */
async function runHere(store: RunnerStore): Promise<RunReport> {
  await using backend = localBackend({ storePath: store.backend.storePath });
  const runner = new Runner({ projectHash: store.projectHash, backend });
  runner.stage("Pre-label", () => "annotate");
  return await runner.execute({ output: "silent" });
}

describe("run processes on one stage of a local store", () => {
  test("two processes share the stage's tasks: each handled once and moved once, no move refused", { timeout: 120_000 }, async () => {
    const taskCount = 300;
    await using store = await runnerStore({ items: taskCount });
    const flags = ["--concurrency", "4", "--task-batch-size", "10"];
    // Both claim their first batch before either goes on, however long each takes to start.
    const gate = join(dirname(store.backend.storePath), "go");
    const env = { HANDLER_DELAY_MS: "10", GATE: gate };
    const runs = [startBuiltCli(runArgs(store, ...flags), env), startBuiltCli(runArgs(store, ...flags), env)];
    await Promise.all(runs.map((run) => run.waitFor("stderr", /^handling /m, 60_000)));
    writeFileSync(gate, "");
    const [a, b] = (await Promise.all(runs.map((run) => run.exited))) as [ChildExit, ChildExit];

    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const handled = [...handledIn(a.stderr), ...handledIn(b.stderr)];
    expect(handled).toHaveLength(taskCount);
    expect(new Set(handled).size).toBe(taskCount);
    const [reportA, reportB] = [reportOf(a).stages[0]!, reportOf(b).stages[0]!];
    expect(reportA.seen + reportB.seen).toBe(taskCount);
    expect(Math.min(reportA.seen, reportB.seen)).toBeGreaterThan(0);
    expect(reportA.refused + reportB.refused).toBe(0);
    expect(a.stderr + b.stderr).not.toMatch(/refused/);
    const moves = movesOutOfPreLabel(store);
    expect(moves.size).toBe(taskCount);
    expect([...moves.values()].every((n) => n === 1)).toBe(true);
  });

  test("a run killed with SIGKILL holds no task: the next run on this machine handles them all at once", { timeout: 60_000 }, async () => {
    await using store = await runnerStore({ items: 20 });
    const killed = startBuiltCli(runArgs(store, "--task-batch-size", "5"), { HANG: "1" });
    await killed.waitFor("stderr", /^handling /m);
    killed.child.kill("SIGKILL");
    expect((await killed.exited).signal).toBe("SIGKILL");

    // Well within the default 300 s lease: the claims ended with the process.
    const report = await runHere(store);
    expect(report.stages[0]).toMatchObject({ seen: 20, moved: { annotate: 20 }, refused: 0 });
    expect(await store.tasksIn("Pre-label")).toEqual([]);
  });

  test("a frozen run's tasks wait for its claims' lease, then the next run handles them", { timeout: 60_000 }, async () => {
    // Long enough that a loaded machine still claims, freezes and runs again well inside it.
    const leaseSeconds = 8;
    await using store = await runnerStore({ items: 20 });
    const frozen = startBuiltCli(runArgs(store, "--task-batch-size", "5", "--claim-lease", String(leaseSeconds)), { HANG: "1" });
    await frozen.waitFor("stderr", /^handling /m);
    // The batch in hand and the one claimed ahead of it.
    await sleep(200);
    frozen.child.kill("SIGSTOP");
    const frozenAt = performance.now();
    try {
      const before = await runHere(store);
      // Still inside the lease (at least two thirds of it since the last renewal).
      expect(performance.now() - frozenAt).toBeLessThan((leaseSeconds * 2000) / 3);
      expect(before.stages[0]).toMatchObject({ seen: 10, moved: { annotate: 10 } });

      await sleep(leaseSeconds * 1000 + 300 - (performance.now() - frozenAt));
      const after = await runHere(store);
      expect(after.stages[0]).toMatchObject({ seen: 10, moved: { annotate: 10 }, refused: 0 });
      expect(await store.tasksIn("Pre-label")).toEqual([]);
    } finally {
      frozen.child.kill("SIGKILL");
    }
  });

  test("a batch slower than the lease keeps its claims (renewed) and is not taken over", { timeout: 60_000 }, async () => {
    await using store = await runnerStore({ items: 4 });
    // Claims last 1 s unless renewed; the batch takes 3 s.
    const slow = startBuiltCli(runArgs(store, "--task-batch-size", "2", "--concurrency", "2", "--claim-lease", "1"), { HANDLER_DELAY_MS: "3000" });
    await slow.waitFor("stderr", /^handling /m);
    await sleep(1800);
    const meanwhile = await runHere(store);
    expect(meanwhile.stages[0]).toMatchObject({ seen: 0 });

    const exit = await slow.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(reportOf(exit).stages[0]).toMatchObject({ seen: 4, moved: { annotate: 4 }, refused: 0 });
    expect([...movesOutOfPreLabel(store).values()]).toEqual([1, 1, 1, 1]);
  });
});
