/**
 * Runners on the local store claim the tasks of the batches they handle, so several runners (in
 * one process or several) on one stage share its tasks: each task is handled once, none is moved
 * twice, and claims end with each batch's commit.
 */
import { describe, expect, test } from "vitest";
import { localBackend, Runner, type LocalBackend } from "../../src/index.js";
import { runnerStore, type RunnerStore } from "../support/runner-fixture.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A second connection to the store's file, as another process would have. */
function secondConnection(store: RunnerStore): LocalBackend {
  return localBackend({ storePath: store.backend.storePath });
}

/** How many times the history records each task leaving "Pre-label". */
function movesOutOfPreLabel(store: RunnerStore): Map<string, number> {
  const counts = new Map<string, number>();
  for (const page of store.backend.history(store.projectHash)) {
    for (const move of page) if (move.fromStage === "Pre-label") counts.set(move.taskUuid, (counts.get(move.taskUuid) ?? 0) + 1);
  }
  return counts;
}

describe("runners claim the tasks they handle on the local store", () => {
  test("two runners on one stage at once share its tasks: each handled once, moved once, no move refused", async () => {
    const taskCount = 400;
    await using store = await runnerStore({ items: taskCount });
    const handledBy = new Map<string, string[]>();
    const warnings: string[] = [];
    const runnerOn = (name: string, backend: LocalBackend) => {
      const runner = new Runner({ projectHash: store.projectHash, backend });
      runner.stage("Pre-label", async ({ task }) => {
        handledBy.set(task.uuid, [...(handledBy.get(task.uuid) ?? []), name]);
        await sleep(2);
        return "annotate";
      });
      return runner;
    };
    const other = secondConnection(store);
    try {
      const logger = (await import("pino")).pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
      const options = { output: "silent", taskBatchSize: 25, concurrency: 4, logger } as const;
      const [a, b] = await Promise.all([runnerOn("a", store.backend).execute(options), runnerOn("b", other).execute(options)]);

      expect(handledBy.size).toBe(taskCount);
      expect([...handledBy.values()].filter((names) => names.length !== 1)).toEqual([]);
      const byA = [...handledBy.values()].filter((names) => names[0] === "a").length;
      // Both did a real share of the work.
      expect(byA).toBeGreaterThan(taskCount / 5);
      expect(byA).toBeLessThan((taskCount * 4) / 5);
      expect(a.stages[0]!.seen + b.stages[0]!.seen).toBe(taskCount);
      expect(a.stages[0]!.refused + b.stages[0]!.refused).toBe(0);
      expect(warnings.filter((line) => /refused/.test(line))).toEqual([]);
      const moves = movesOutOfPreLabel(store);
      expect(moves.size).toBe(taskCount);
      expect([...moves.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await other.close();
    }
  });

  test("claims end at commit: while a run handles its second batch, the first batch's tasks (left in place) are free and the second's are not", async () => {
    await using store = await runnerStore({ items: 30 });
    const stage = store.stage("Pre-label").uuid;
    const other = secondConnection(store);
    try {
      const seen: string[] = [];
      let probe: { claimed: string[] } | undefined;
      const leave = new Runner({ projectHash: store.projectHash, backend: store.backend });
      leave.stage("Pre-label", async ({ task }) => {
        seen.push(task.uuid);
        if (seen.length === 8 && probe === undefined) {
          const page = await other.claimStageTasks(store.projectHash, stage, { limit: 100, leaseMs: 60_000, owner: "probe" });
          probe = { claimed: page.tasks.map((t) => t.uuid) };
          await other.releaseClaims("probe");
        }
        return null;
      });
      expect((await leave.execute({ output: "silent", taskBatchSize: 7 })).stages[0]).toMatchObject({ seen: 30, left: 30 });
      const firstBatch = seen.slice(0, 7);
      const secondBatch = seen.slice(7, 14);
      expect(probe!.claimed).toEqual(expect.arrayContaining(firstBatch));
      expect(probe!.claimed.filter((uuid) => secondBatch.includes(uuid))).toEqual([]);

      // And after the run, nothing is left claimed: the next run sees every task.
      const move = new Runner({ projectHash: store.projectHash, backend: other });
      move.stage("Pre-label", () => "annotate");
      expect((await move.execute({ output: "silent" })).stages[0]).toMatchObject({ seen: 30, moved: { annotate: 30 } });
    } finally {
      await other.close();
    }
  });

  test("a failing task's claim ends with its batch, and a task the run skips is not kept claimed", async () => {
    await using store = await runnerStore({ items: 6 });
    const [first] = await store.tasksIn("Pre-label");
    const other = secondConnection(store);
    try {
      let pass = 1;
      let probed: string[] | undefined;
      const failing = new Runner({ projectHash: store.projectHash, backend: store.backend });
      failing.stage("Pre-label", async ({ task }) => {
        if (task.uuid === first!.uuid) throw new Error("poison");
        if (pass === 2 && probed === undefined) {
          const page = await other.claimStageTasks(store.projectHash, store.stage("Pre-label").uuid, { limit: 100, leaseMs: 60_000, owner: "probe" });
          probed = page.tasks.map((t) => t.uuid);
          await other.releaseClaims("probe");
        }
        return null;
      });
      const run = { output: "silent", numRetries: 0, taskBatchSize: 2 } as const;
      expect((await failing.execute(run)).stages[0]).toMatchObject({ seen: 6, failed: 1 });
      pass = 2;
      // The second pass of the same Runner skips the poison task (its failure memory) and does
      // not keep it claimed while it handles the others.
      expect((await failing.execute(run)).stages[0]).toMatchObject({ seen: 5, skipped: 1 });
      expect(probed).toContain(first!.uuid);

      const move = new Runner({ projectHash: store.projectHash, backend: other });
      move.stage("Pre-label", () => "annotate");
      // Nothing is still claimed: neither the failed task nor the skipped one.
      expect((await move.execute({ output: "silent" })).stages[0]).toMatchObject({ seen: 6, moved: { annotate: 6 } });
    } finally {
      await other.close();
    }
  });

  test("a stopped run gives back the tasks it claimed but did not handle", async () => {
    await using store = await runnerStore({ items: 40 });
    const stop = new AbortController();
    let handled = 0;
    const stopping = new Runner({ projectHash: store.projectHash, backend: store.backend });
    stopping.stage("Pre-label", async () => {
      if (++handled === 3) stop.abort();
      await sleep(5);
      return "annotate";
    });
    const stopped = await stopping.execute({ output: "silent", taskBatchSize: 10, signal: stop.signal });
    expect(stopped.end).toBe("stopped");
    const moved = stopped.stages[0]!.moved.annotate ?? 0;
    expect(moved).toBeLessThan(40);

    const other = secondConnection(store);
    try {
      const rest = new Runner({ projectHash: store.projectHash, backend: other });
      rest.stage("Pre-label", () => "annotate");
      expect((await rest.execute({ output: "silent" })).stages[0]).toMatchObject({ seen: 40 - moved, refused: 0 });
      expect(await store.tasksIn("Pre-label")).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test("claimLease below a second, or not a number, is refused with what is accepted", async () => {
    await using store = await runnerStore({ items: 1 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("Pre-label", () => "annotate");
    await expect(runner.execute({ output: "silent", claimLease: 0.5 })).rejects.toThrow(/claimLease must be at least 1 second \(got 0\.5\)/);
    await expect(runner.execute({ output: "silent", claimLease: "soon" as unknown as number })).rejects.toThrow(/claimLease must be a number of seconds/);
    expect(await store.tasksIn("Pre-label")).toHaveLength(1);
  });
});
