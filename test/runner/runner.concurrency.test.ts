import { describe, expect, test } from "vitest";
import { labelRow, Runner } from "../../src/index.js";
import { deferred, nextTurn } from "../support/deferred.js";
import { addNote, notesOf, notesSpec } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("concurrency", () => {
    test("with concurrency 3, three handlers run at once and never more; every result is committed", async () => {
      await using store = await create({ spec: notesSpec, items: 8 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const threeStarted = deferred();
      const release = deferred();
      let inFlight = 0;
      let maxInFlight = 0;
      const started: string[] = [];
      runner.stage("Pre-label", { deps: { labelRow } }, async ({ task, labelRow }) => {
        started.push(task.dataTitle);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (inFlight === 3) threeStarted.resolve();
        await release.promise;
        inFlight--;
        addNote(labelRow, `by ${task.dataTitle}`);
        return { pathway: started.length % 2 === 0 ? "skip" : "annotate", labelRow };
      });
      const execution = runner.execute({ concurrency: 3, output: "silent" });
      await threeStarted.promise;
      // Give the run every chance to start a fourth handler while three are blocked.
      for (let i = 0; i < 5; i++) await nextTurn();
      expect(started).toHaveLength(3);
      expect(inFlight).toBe(3);
      release.resolve();
      const report = await execution;
      expect(maxInFlight).toBe(3);
      expect(started).toHaveLength(8);
      expect(new Set(started).size).toBe(8);
      expect(report.stages[0]).toMatchObject({ seen: 8, succeeded: 8 });
      const moved = Object.values(report.stages[0]!.moved).reduce((a, b) => a + b, 0);
      expect(moved).toBe(8);
      expect(await store.tasksIn("Pre-label")).toHaveLength(0);
      const done = [...(await store.tasksIn("Annotate")), ...(await store.tasksIn("Complete"))];
      expect(done).toHaveLength(8);
      // Every row saved holds its own handler's edit, and only that.
      for (const task of done) expect(notesOf(await store.labelRow(task.dataHash))).toEqual([`by ${task.dataTitle}`]);
      expect(store.backend.count("commit")).toBe(1);
    });

    test("concurrency 1 runs one handler at a time, in listing order", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let inFlight = 0;
      let maxInFlight = 0;
      const order: string[] = [];
      runner.stage("Pre-label", async ({ task }) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await nextTurn();
        order.push(task.dataTitle);
        inFlight--;
        return null;
      });
      await runner.execute({ output: "silent" });
      expect(maxInFlight).toBe(1);
      expect(order).toEqual(["i-1.png", "i-2.png", "i-3.png", "i-4.png"]);
    });

    test("concurrency is bounded by the batch: a batch finishes and commits before the next starts", async () => {
      await using store = await create({ items: 5 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const commitsSeen: number[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      runner.stage("Pre-label", async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        commitsSeen.push(store.backend.count("commit"));
        await nextTurn();
        inFlight--;
        return "annotate";
      });
      await runner.execute({ concurrency: 4, taskBatchSize: 2, output: "silent" });
      expect(maxInFlight).toBe(2);
      expect(commitsSeen).toEqual([0, 0, 1, 1, 2]);
      expect(store.backend.count("commit")).toBe(3);
    });
  });
});
