import { describe, expect, test } from "vitest";
import { defineDependency, labelRow, Runner } from "../../src/index.js";
import { deferred, nextTurn } from "../support/deferred.js";
import { addNote, notesOf, notesSpec, twoAgentSpec } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("stopping with the signal option", () => {
    test("no new task is taken after the stop; in-flight ones finish and their decisions are committed", async () => {
      await using store = await create({ spec: notesSpec, items: 6 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      const twoStarted = deferred();
      const release = deferred();
      const started: string[] = [];
      const abortedInside: boolean[] = [];
      runner.stage("Pre-label", { deps: { labelRow } }, async ({ task, labelRow, signal }) => {
        started.push(task.dataTitle);
        if (started.length === 2) twoStarted.resolve();
        await release.promise;
        // Stopping is not aborting: within the grace period the handler's own signal stays quiet.
        abortedInside.push(signal.aborted);
        addNote(labelRow, `finished ${task.dataTitle}`);
        return { pathway: "annotate", labelRow };
      });
      const execution = runner.execute({ concurrency: 2, signal: controller.signal, output: "silent" });
      await twoStarted.promise;
      controller.abort();
      for (let i = 0; i < 3; i++) await nextTurn();
      expect(started).toEqual(["i-1.png", "i-2.png"]);
      release.resolve();
      const report = await execution;

      expect(report.end).toBe("stopped");
      expect(started).toEqual(["i-1.png", "i-2.png"]);
      expect(abortedInside).toEqual([false, false]);
      expect(report.stages[0]).toMatchObject({ seen: 2, succeeded: 2, failed: 0, moved: { annotate: 2 } });
      const moved = await store.tasksIn("Annotate");
      expect(moved.map((t) => t.dataTitle)).toEqual(["i-1.png", "i-2.png"]);
      for (const task of moved) expect(notesOf(await store.labelRow(task.dataHash))).toEqual([`finished ${task.dataTitle}`]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-3.png", "i-4.png", "i-5.png", "i-6.png"]);
    });

    test("a stop between batches starts no further batch", async () => {
      await using store = await create({ items: 6 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      let handled = 0;
      runner.stage("Pre-label", () => {
        if (++handled === 2) controller.abort();
        return "skip";
      });
      const report = await runner.execute({ taskBatchSize: 2, signal: controller.signal, output: "silent" });
      expect(report.end).toBe("stopped");
      expect(handled).toBe(2);
      expect(store.backend.count("commit")).toBe(1);
      expect(await store.tasksIn("Complete")).toHaveLength(2);
      expect(await store.tasksIn("Pre-label")).toHaveLength(4);
    });

    test("a stop in the first stage leaves the later stages alone", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      let second = 0;
      runner.stage("First", () => {
        controller.abort();
        return "next";
      });
      runner.stage("Second", () => {
        second++;
        return "finish";
      });
      const report = await runner.execute({ signal: controller.signal, output: "silent" });
      expect(report.end).toBe("stopped");
      expect(report.stages.map((s) => [s.title, s.seen])).toEqual([
        ["First", 1],
        ["Second", 0],
      ]);
      expect(second).toBe(0);
      expect((await store.tasksIn("Second")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
    });

    test("a signal aborted before execute() runs no task and reports a stopped run", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let handled = 0;
      runner.stage("Pre-label", () => {
        handled++;
        return "annotate";
      });
      const report = await runner.execute({ signal: AbortSignal.abort(), output: "silent" });
      expect(handled).toBe(0);
      expect(report.end).toBe("stopped");
      expect(store.backend.count("commit")).toBe(0);
    });

    test("with a grace period, a handler that never finishes is abandoned: failed, left in its stage; execute() returns", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      const handlerSignals: AbortSignal[] = [];
      let disposed = 0;
      const resource = defineDependency({ resolve: () => "r", dispose: () => void disposed++ });
      let letGo: (value: string) => void = () => undefined;
      runner.stage("Pre-label", { deps: { resource } }, ({ task, signal }) => {
        handlerSignals.push(signal);
        if (task.dataTitle === "i-1.png") return "annotate";
        controller.abort();
        // Ignores its signal: finishes only when the test says so, long after the grace period.
        return new Promise<string>((resolve) => (letGo = resolve));
      });
      const report = await runner.execute({ signal: controller.signal, gracePeriod: 0.05, numRetries: 3, output: "silent" });

      expect(report.end).toBe("stopped");
      expect(handlerSignals).toHaveLength(2);
      expect(handlerSignals[1]!.aborted).toBe(true);
      expect(report.stages[0]).toMatchObject({ seen: 2, succeeded: 1, failed: 1, moved: { annotate: 1 } });
      const [failure] = report.stages[0]!.failures;
      expect(failure).toMatchObject({ dataTitle: "i-2.png", attempts: 1 });
      expect(failure!.error.message).toContain("abandoned");
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-2.png", "i-3.png"]);
      // The abandoned attempt's dependencies are released only once its handler lets go of them.
      await nextTurn();
      expect(disposed).toBe(1);
      letGo("annotate");
      await nextTurn();
      await nextTurn();
      expect(disposed).toBe(2);
      // Its late answer is ignored: the task stays where it was.
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-2.png", "i-3.png"]);
    });
  });
});
