import { describe, expect, test } from "vitest";
import { BackendError, defineDependency, labelRow, Runner, type Backend } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("taskTimeout", () => {
    test("an attempt that takes too long fails with a timeout, gets an aborted signal, and is retried", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const signals: AbortSignal[] = [];
      runner.stage("Pre-label", ({ task, signal }) => {
        signals.push(signal);
        if (task.dataTitle === "i-1.png") return "annotate";
        return new Promise<string>(() => undefined);
      });
      const report = await runner.execute({ taskTimeout: 0.02, numRetries: 1, output: "silent" });
      expect(report.end).toBe("completed");
      expect(report.stages[0]).toMatchObject({ seen: 2, succeeded: 1, failed: 1, moved: { annotate: 1 } });
      expect(report.stages[0]!.failures[0]).toMatchObject({ dataTitle: "i-2.png", attempts: 2 });
      expect(report.stages[0]!.failures[0]!.error.message).toMatch(/did not finish within 0\.02 s \(taskTimeout\)/);
      // Each attempt has its own signal; the timed-out ones are aborted, the finished one is not.
      expect(signals.map((s) => s.aborted)).toEqual([false, true, true]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
    });

    test("taskTimeout must be a positive number of seconds", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", () => "annotate");
      await expect(runner.execute({ taskTimeout: 0, output: "silent" })).rejects.toThrow(/taskTimeout must be more than 0 seconds \(got 0\)/);
      await expect(runner.execute({ taskTimeout: Number.NaN, output: "silent" })).rejects.toThrow(/got NaN/);
      expect(store.backend.calls).toHaveLength(0);
    });
  });

  describe("errors are blamed on the call that caused them", () => {
    test("after loadProject, a bad registration does not make later good ones fail", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      await runner.loadProject();
      expect(() => runner.stage("Pre-lable", () => "annotate")).toThrow(/no stage "Pre-lable"/);
      expect(() => runner.stage("Pre-label", () => "annotate")).not.toThrow();
    });

    test("a nested dependency may not take a name the context uses", () => {
      const inner = defineDependency({ resolve: () => 1 });
      expect(() => defineDependency({ deps: { task: inner }, resolve: () => 2 })).toThrow(/may not be called "task"/);
    });

    test("a task whose result stopped the run is listed among the failures, and stays", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", ({ task }) => (task.dataTitle === "i-1.png" ? "annotate" : "nowhere"));
      await expect(runner.execute({ output: "silent" })).rejects.toThrow(/no pathway "nowhere"/);
      const stage = runner.lastReport!.stages[0]!;
      expect(stage).toMatchObject({ seen: 2, succeeded: 1, failed: 1, moved: { annotate: 1 } });
      expect(stage.failures[0]).toMatchObject({ dataTitle: "i-2.png", attempts: 1, error: { name: "NotFoundError" } });
      expect(runner.lastReport!.end).toBe("configuration-error");
    });

    test("a backend failure ends the run as an error, not as a configuration error", async () => {
      await using store = await create({ items: 2 });
      const inner = store.backend.inner;
      const failing: Backend = {
        kind: inner.kind,
        description: inner.description,
        getProject: (hash) => inner.getProject(hash),
        listStageTasks: (hash, stage, options) => inner.listStageTasks(hash, stage, options),
        getLabelRowMetadata: (hash, hashes, include) => inner.getLabelRowMetadata(hash, hashes, include),
        getLabelRows: (hash, hashes, args) => inner.getLabelRows(hash, hashes, args),
        getStorageItems: (uuids, options) => inner.getStorageItems(uuids, options),
        commit: () => Promise.reject(new BackendError("TA_STORE_ERROR", "disk full")),
        close: () => Promise.resolve(),
      };
      const runner = new Runner({ projectHash: store.projectHash, backend: failing });
      runner.stage("Pre-label", { deps: { labelRow } }, () => "annotate");
      await expect(runner.execute({ output: "silent" })).rejects.toThrow("disk full");
      expect(runner.lastReport!.end).toBe("error");
      expect(await store.tasksIn("Pre-label")).toHaveLength(2);
    });
  });
});
