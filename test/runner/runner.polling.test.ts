import { describe, expect, test } from "vitest";
import { Runner } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("polling with refreshEvery", () => {
    test("passes repeat until the signal aborts; tasks left in one pass are seen again in the next", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      const seen: string[] = [];
      runner.stage("Pre-label", ({ task }) => {
        seen.push(task.uuid);
        // Stop once the second pass has seen every task.
        if (seen.length === 6) controller.abort();
        return null;
      });
      const report = await runner.execute({ refreshEvery: 0.05, signal: controller.signal, output: "silent" });
      expect(report.end).toBe("stopped");
      expect(report.passes).toBe(2);
      const tasks = (await store.tasksIn("Pre-label")).map((t) => t.uuid);
      expect(seen.slice(0, 3)).toEqual(tasks);
      expect(seen.slice(3)).toEqual(tasks);
      expect(report.stages[0]).toMatchObject({ seen: 6, succeeded: 6, left: 6 });
    });

    test("a later pass picks up tasks that arrived in the stage meanwhile, and moved tasks are not seen again", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      const log: string[] = [];
      runner.stage("Pre-label", async ({ task }) => {
        log.push(`${task.dataTitle} in pass ${runner.lastReport!.passes}`);
        if (task.dataTitle === "i-2.png") {
          // A new item arrives while the first pass is working (after its listing).
          await store.addItem("late.png");
        }
        if (task.dataTitle === "late.png") controller.abort();
        return "annotate";
      });
      const report = await runner.execute({ refreshEvery: 0.05, signal: controller.signal, output: "silent" });
      expect(log).toEqual(["i-1.png in pass 1", "i-2.png in pass 1", "late.png in pass 2"]);
      expect(report.passes).toBe(2);
      expect(report.stages[0]!.moved).toEqual({ annotate: 3 });
    });

    test("without refreshEvery there is exactly one pass", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let calls = 0;
      runner.stage("Pre-label", () => {
        calls++;
        return null;
      });
      const report = await runner.execute({ output: "silent" });
      expect(report.passes).toBe(1);
      expect(calls).toBe(2);
      expect(report.end).toBe("completed");
    });

    test("an abort during the wait between passes ends the run without another pass", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      let calls = 0;
      runner.stage("Pre-label", () => {
        calls++;
        // Aborted after the pass has ended, while the runner waits an hour for the next one.
        setTimeout(() => controller.abort(), 20).unref();
        return null;
      });
      const report = await runner.execute({ refreshEvery: 3600, signal: controller.signal, output: "silent" });
      expect(calls).toBe(1);
      expect(report.passes).toBe(1);
      expect(report.end).toBe("stopped");
    });
  });
});
