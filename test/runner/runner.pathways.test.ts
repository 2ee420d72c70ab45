import { describe, expect, test } from "vitest";
import { ConfigurationError, Runner } from "../../src/index.js";
import { deferred } from "../support/deferred.js";
import { expectUnknownPathwayError, rejectionOf } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("an unknown pathway", () => {
    test.each([
      ["name", "anotate", true],
      ["UUID", "00000000-0000-4000-8000-00000000beef", false],
    ])("by %s is a configuration error naming the accepted names and UUIDs", async (_, bad, suggests) => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", () => bad);
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expectUnknownPathwayError(error, bad, store);
      expect(error.message.includes(`Did you mean "annotate"?`)).toBe(suggests);
      expect(await store.tasksIn("Pre-label")).toHaveLength(1);
    });

    test("a huge one (an LLM's whole reply) is quoted cut short, with its length", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", () => "x".repeat(4_000_000));
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      expect(error.message).toContain(`"${"x".repeat(200)}"… (4,000,000 characters)`);
      expect(error.message.length).toBeLessThan(1_000);
    });

    test("in a { pathway } result is a configuration error too", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", () => ({ pathway: "Annotate" }));
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
    });

    test("is not retried: the handler runs once for that task", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let calls = 0;
      runner.stage("Pre-label", () => {
        calls++;
        return "nowhere";
      });
      await expect(runner.execute({ numRetries: 3, output: "silent" })).rejects.toMatchObject({ code: "TA_UNKNOWN_PATHWAY" });
      expect(calls).toBe(1);
    });

    test("stops the run, but what the batch already decided is committed", async () => {
      await using store = await create({ items: 6 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const handled: string[] = [];
      runner.stage("Pre-label", ({ task }) => {
        handled.push(task.dataTitle);
        return handled.length === 3 ? "nowhere" : "annotate";
      });
      const error = await rejectionOf(runner.execute({ concurrency: 1, taskBatchSize: 4, output: "silent" }));
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      // Task 4 of the batch is never taken; no later batch starts.
      expect(handled).toEqual(["i-1.png", "i-2.png", "i-3.png"]);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-1.png", "i-2.png"]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-3.png", "i-4.png", "i-5.png", "i-6.png"]);
      expect(store.backend.count("commit")).toBe(1);
      const report = runner.lastReport;
      expect(report?.end).toBe("configuration-error");
      expect(report?.stages[0]?.moved).toEqual({ annotate: 2 });
    });

    test("priorities decided earlier in the batch are committed too", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let n = 0;
      runner.stage("Pre-label", { willSetPriority: true }, () =>
        ++n === 2 ? { pathway: "nowhere", labelRowPriority: 0.1 } : { pathway: "skip", labelRowPriority: 0.25 },
      );
      await expect(runner.execute({ output: "silent" })).rejects.toBeInstanceOf(ConfigurationError);
      expect(store.backend.commits).toHaveLength(1);
      expect(store.backend.commits[0]!.priorities).toHaveLength(1);
      expect((await store.tasksIn("Complete")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
    });

    test("with concurrency, tasks in flight when it is found finish and their decisions are committed", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const gate = deferred();
      const handled: string[] = [];
      runner.stage("Pre-label", async ({ task }) => {
        handled.push(task.dataTitle);
        if (task.dataTitle === "i-1.png") {
          // Released on the next turn of the event loop, after the run has seen the bad pathway.
          setImmediate(() => gate.resolve());
          return "nowhere";
        }
        await gate.promise;
        return "annotate";
      });
      await expect(runner.execute({ concurrency: 2, output: "silent" })).rejects.toMatchObject({ code: "TA_UNKNOWN_PATHWAY" });
      expect(handled).toEqual(["i-1.png", "i-2.png"]);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-1.png", "i-3.png", "i-4.png"]);
    });

    test("when two tasks in flight name unknown pathways, the run's error is the first one's", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const gate = deferred();
      runner.stage("Pre-label", async ({ task }) => {
        if (task.dataTitle === "i-1.png") {
          setImmediate(() => gate.resolve());
          return "nowhere-first";
        }
        await gate.promise;
        return "nowhere-second";
      });
      const error = await rejectionOf(runner.execute({ concurrency: 2, output: "silent" }));
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      expect(error.message).toContain('"nowhere-first"');
      expect(error.message).not.toContain("nowhere-second");
      expect(runner.lastReport?.stages[0]).toMatchObject({ seen: 2, failed: 2 });
      expect(await store.tasksIn("Pre-label")).toHaveLength(3);
    });

    test("found while the run is already stopping (its signal fired), it is still the run's error", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      const started = deferred();
      const release = deferred();
      runner.stage("Pre-label", async () => {
        started.resolve();
        await release.promise;
        return "nowhere";
      });
      const execution = rejectionOf(runner.execute({ signal: controller.signal, output: "silent" }));
      await started.promise;
      controller.abort();
      release.resolve();
      const error = await execution;
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      expect(runner.lastReport?.end).toBe("configuration-error");
      expect(runner.lastReport?.stages[0]).toMatchObject({ seen: 1, failed: 1 });
    });
  });
});
