import { describe, expect, test } from "vitest";
import { ConfigurationError, labelRow, Runner } from "../../src/index.js";
import { addNote, notesOf, notesSpec, rejectionOf, twoAgentSpec } from "../support/runner-fixture.js";
import { backends, type BackendProject } from "../support/backend-fixtures.js";

/** Moves the first `count` tasks of First on to Second, as an earlier run would have. */
async function moveToSecond(store: BackendProject, count: number): Promise<string[]> {
  const tasks = (await store.tasksIn("First")).slice(0, count);
  for (const task of tasks) await store.moveTask(task.uuid, "First", "next");
  return tasks.map((t) => t.dataTitle);
}

describe.each(backends)("on $name", ({ create }) => {
  describe("order of stages", () => {
    test("stages run in registration order, each drained before the next", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 4 });
      await moveToSecond(store, 2);
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const log: string[] = [];
      runner.stage("Second", ({ task, stage }) => {
        log.push(`${stage.title} ${task.dataTitle}`);
        return null;
      });
      runner.stage("First", ({ task, stage }) => {
        log.push(`${stage.title} ${task.dataTitle}`);
        return "next";
      });
      const report = await runner.execute({ output: "silent" });
      // Second ran first, so it saw only the two tasks already there, not those First moved on.
      expect(log).toEqual(["Second i-1.png", "Second i-2.png", "First i-3.png", "First i-4.png"]);
      expect(report.stages.map((s) => [s.title, s.seen])).toEqual([
        ["Second", 2],
        ["First", 2],
      ]);
      expect((await store.tasksIn("Second")).map((t) => t.dataTitle)).toEqual(["i-1.png", "i-2.png", "i-3.png", "i-4.png"]);
    });

    test("registered the other way round, the later stage sees what the earlier one moved on in the same pass", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 4 });
      await moveToSecond(store, 2);
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const log: string[] = [];
      runner.stage("First", ({ task, stage }) => {
        log.push(`${stage.title} ${task.dataTitle}`);
        return "next";
      });
      runner.stage("Second", ({ task, stage }) => {
        log.push(`${stage.title} ${task.dataTitle}`);
        return "finish";
      });
      const report = await runner.execute({ output: "silent" });
      expect(log).toEqual(["First i-3.png", "First i-4.png", "Second i-1.png", "Second i-2.png", "Second i-3.png", "Second i-4.png"]);
      expect(report.stages.map((s) => [s.title, s.seen, s.moved])).toEqual([
        ["First", 2, { next: 2 }],
        ["Second", 4, { finish: 4 }],
      ]);
      expect(await store.tasksIn("Done")).toHaveLength(4);
    });
  });

  describe("tasks and batches", () => {
    test.each([
      ["left in the stage", null],
      ["moved on", "annotate"],
    ] as const)("each task is handled exactly once per pass when tasks are %s", async (_, result) => {
      await using store = await create({ items: 10 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const handled: string[] = [];
      runner.stage("Pre-label", ({ task }) => {
        handled.push(task.uuid);
        return result;
      });
      const before = (await store.tasksIn("Pre-label")).map((t) => t.uuid);
      const report = await runner.execute({ taskBatchSize: 3, output: "silent" });
      expect(handled).toEqual(before);
      expect(new Set(handled).size).toBe(10);
      expect(report.stages[0]!.seen).toBe(10);
      expect(report.passes).toBe(1);
      expect(report.end).toBe("completed");
    });

    test("taskBatchSize: each batch is committed in one call", async () => {
      await using store = await create({ items: 10 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", () => "annotate");
      await runner.execute({ taskBatchSize: 3, output: "silent" });
      expect(store.backend.count("commit")).toBe(4);
      expect(store.backend.commits.map((c) => c.moves?.length)).toEqual([3, 3, 3, 1]);
      expect(await store.tasksIn("Annotate")).toHaveLength(10);
    });

    test("a batch whose tasks were all left commits nothing", async () => {
      await using store = await create({ items: 5 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", () => undefined);
      const report = await runner.execute({ taskBatchSize: 2, output: "silent" });
      expect(store.backend.count("commit")).toBe(0);
      expect(report.stages[0]).toMatchObject({ seen: 5, succeeded: 5, left: 5, moved: {} });
    });

    test("a batch may span several pages of the listing", async () => {
      await using store = await create({ items: 1005 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const handled = new Set<string>();
      runner.stage("Pre-label", ({ task }) => {
        handled.add(task.uuid);
        return "annotate";
      });
      const report = await runner.execute({ taskBatchSize: 2000, maxTasksPerStage: 1003, output: "silent" });
      expect(handled.size).toBe(1003);
      expect(report.stages[0]).toMatchObject({ seen: 1003, moved: { annotate: 1003 } });
      // The local store gives pages of up to 1000 tasks; Encord's pages have the server's size
      // (100 on the fake): the runner's page size cannot be sent.
      expect(store.backend.count("listStageTasks")).toBe(store.kind === "local" ? 2 : 11);
      expect(store.backend.count("commit")).toBe(1);
      expect(await store.tasksIn("Pre-label")).toHaveLength(2);
    });

    test("maxTasksPerStage caps the tasks handled per stage and pass", async () => {
      await using store = await create({ items: 10 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const handled: string[] = [];
      runner.stage("Pre-label", ({ task }) => {
        handled.push(task.dataTitle);
        return "annotate";
      });
      const report = await runner.execute({ taskBatchSize: 3, maxTasksPerStage: 4, output: "silent" });
      expect(handled).toEqual(["i-1.png", "i-2.png", "i-3.png", "i-4.png"]);
      expect(report.stages[0]).toMatchObject({ seen: 4, moved: { annotate: 4 } });
      expect(store.backend.commits.map((c) => c.moves?.length)).toEqual([3, 1]);
      expect(await store.tasksIn("Pre-label")).toHaveLength(6);
    });

    test("maxTasksPerStage caps also when tasks are left in the stage", async () => {
      await using store = await create({ items: 10 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let calls = 0;
      runner.stage("Pre-label", () => {
        calls++;
        return null;
      });
      const report = await runner.execute({ maxTasksPerStage: 7, taskBatchSize: 5, output: "silent" });
      expect(calls).toBe(7);
      expect(report.stages[0]).toMatchObject({ seen: 7, left: 7 });
    });
  });

  describe("what a handler returns", () => {
    test("null and undefined leave the task; a pathway name or UUID moves it", async () => {
      await using store = await create({ items: 4 });
      const skip = store.pathway("Pre-label", "skip");
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const results = new Map<string, string | null | undefined>([
        ["i-1.png", null],
        ["i-2.png", undefined],
        ["i-3.png", "annotate"],
        ["i-4.png", skip.uuid],
      ]);
      runner.stage("Pre-label", ({ task }) => results.get(task.dataTitle));
      const report = await runner.execute({ output: "silent" });
      expect(report.stages[0]).toMatchObject({ seen: 4, succeeded: 4, failed: 0, left: 2, moved: { annotate: 1, skip: 1 } });
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-1.png", "i-2.png"]);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-3.png"]);
      expect((await store.tasksIn("Complete")).map((t) => t.dataTitle)).toEqual(["i-4.png"]);
    });

    test("an uppercase pathway UUID is accepted", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", () => store.pathway("Pre-label", "skip").uuid.toUpperCase());
      const report = await runner.execute({ output: "silent" });
      expect(report.stages[0]!.moved).toEqual({ skip: 1 });
      expect(await store.tasksIn("Complete")).toHaveLength(1);
    });

    test("{ pathway, labelRow } saves the label row's edits with the move", async () => {
      await using store = await create({ spec: notesSpec, items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow, task }) => {
        addNote(labelRow, `checked ${task.dataTitle}`, { classificationHash: "c-1" });
        return { pathway: "annotate", labelRow };
      });
      await runner.execute({ output: "silent" });
      const tasks = await store.tasksIn("Annotate");
      expect(tasks).toHaveLength(2);
      for (const task of tasks) {
        const row = await store.labelRow(task.dataHash);
        expect(Object.keys(row.classification_answers)).toEqual(["c-1"]);
        expect(notesOf(row)).toEqual([`checked ${task.dataTitle}`]);
      }
      const [commit] = store.backend.commits;
      expect(commit?.labelSaves).toHaveLength(2);
      expect(commit?.moves).toHaveLength(2);
    });

    test("{ labelRow } without a pathway saves the row and leaves the task", async () => {
      await using store = await create({ spec: notesSpec, items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
        addNote(labelRow, "kept");
        return { labelRow };
      });
      const report = await runner.execute({ output: "silent" });
      expect(report.stages[0]).toMatchObject({ left: 1, moved: {} });
      const [task] = await store.tasksIn("Pre-label");
      expect(notesOf(await store.labelRow(task!.dataHash))).toEqual(["kept"]);
    });

    test("labelRow.setPriority() sets the task's priority when the row is returned", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const priorities = new Map([
        ["i-1.png", 0.9],
        ["i-2.png", 0],
      ]);
      runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow, task }) => {
        const priority = priorities.get(task.dataTitle);
        if (priority !== undefined) labelRow.setPriority(priority);
        return { pathway: "annotate", labelRow };
      });
      await runner.execute({ output: "silent" });
      const byTitle = new Map((await store.tasksIn("Annotate")).map((t) => [t.dataTitle, t]));
      expect(await store.priority(byTitle.get("i-1.png")!.dataHash)).toBe(0.9);
      expect(await store.priority(byTitle.get("i-2.png")!.dataHash)).toBe(0);
      // Untouched priority stays the store's default.
      expect(await store.priority(byTitle.get("i-3.png")!.dataHash)).toBe(0.5);
      expect(store.backend.commits[0]!.priorities).toEqual([
        { dataHash: byTitle.get("i-1.png")!.dataHash, priority: 0.9 },
        { dataHash: byTitle.get("i-2.png")!.dataHash, priority: 0 },
      ]);
    });

    test("labelRowPriority: 0 is a real priority", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => ({ pathway: "annotate", labelRow, labelRowPriority: 0 }));
      await runner.execute({ output: "silent" });
      const [task] = await store.tasksIn("Annotate");
      expect(await store.priority(task!.dataHash)).toBe(0);
    });

    test("labelRowPriority wins over the row's own setPriority()", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
        labelRow.setPriority(0.7);
        return { pathway: "annotate", labelRow, labelRowPriority: 0.2 };
      });
      await runner.execute({ output: "silent" });
      const [task] = await store.tasksIn("Annotate");
      expect(await store.priority(task!.dataHash)).toBe(0.2);
    });

    test("labelRowPriority without a labelRow dependency works with willSetPriority", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { willSetPriority: true }, ({ task }) => ({ pathway: "annotate", labelRowPriority: task.dataTitle === "i-1.png" ? 0 : 0.8 }));
      const report = await runner.execute({ output: "silent" });
      expect(report.stages[0]!.moved).toEqual({ annotate: 2 });
      const byTitle = new Map((await store.tasksIn("Annotate")).map((t) => [t.dataTitle, t]));
      expect(await store.priority(byTitle.get("i-1.png")!.dataHash)).toBe(0);
      expect(await store.priority(byTitle.get("i-2.png")!.dataHash)).toBe(0.8);
      expect(store.backend.count("getLabelRows")).toBe(0);
    });

    test("labelRowPriority without labelRow or willSetPriority stops the run; earlier decisions are committed", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const handled: string[] = [];
      runner.stage("Pre-label", ({ task }) => {
        handled.push(task.dataTitle);
        return task.dataTitle === "i-2.png" ? { pathway: "annotate", labelRowPriority: 0.3 } : { pathway: "annotate" };
      });
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain("willSetPriority");
      expect(handled).toEqual(["i-1.png", "i-2.png"]);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-2.png", "i-3.png", "i-4.png"]);
      const [task2] = (await store.tasksIn("Pre-label")).filter((t) => t.dataTitle === "i-2.png");
      expect(await store.priority(task2!.dataHash)).toBe(0.5);
      expect(runner.lastReport?.end).toBe("configuration-error");
    });

    test("a move the backend refuses (the task left the stage meanwhile) is counted as refused, not moved", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", async ({ task }) => {
        // Someone else moves the first task while its handler runs.
        if (task.dataTitle === "i-1.png") await store.moveTask(task.uuid, "Pre-label", "skip");
        return "annotate";
      });
      const report = await runner.execute({ output: "silent" });
      expect(report.stages[0]).toMatchObject({ seen: 2, succeeded: 2, refused: 1, moved: { annotate: 1 } });
      expect((await store.tasksIn("Complete")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
    });

    test("the report counts seen, succeeded, failed, left and moves per pathway name", async () => {
      await using store = await create({ items: 6 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const results: Record<string, () => string | null> = {
        "i-1.png": () => "annotate",
        "i-2.png": () => "annotate",
        "i-3.png": () => store.pathway("Pre-label", "skip").uuid,
        "i-4.png": () => null,
        "i-5.png": () => {
          throw new Error("model unavailable");
        },
        "i-6.png": () => "skip",
      };
      runner.stage("Pre-label", ({ task }) => results[task.dataTitle]!());
      const report = await runner.execute({ numRetries: 0, taskBatchSize: 4, output: "silent" });
      expect(report.stages).toHaveLength(1);
      expect(report.stages[0]).toMatchObject({
        title: "Pre-label",
        uuid: store.stage("Pre-label").uuid,
        seen: 6,
        succeeded: 5,
        failed: 1,
        left: 1,
        refused: 0,
        moved: { annotate: 2, skip: 2 },
      });
      expect(report.stages[0]!.failures).toMatchObject([{ dataTitle: "i-5.png", attempts: 1, error: { message: "model unavailable" } }]);
      expect(report).toMatchObject({ projectHash: store.projectHash, projectTitle: "Demo", passes: 1, end: "completed" });
      expect(report.backend).toBe(store.backend.description);
      expect(report.finishedAt.getTime()).toBeGreaterThanOrEqual(report.startedAt.getTime());
      expect(runner.lastReport).toBe(report);
    });
  });

  describe("preExecutionCallback", () => {
    test("runs once per execute, after validation and before the first task, with runner.project set", async () => {
      await using store = await create({ items: 2 });
      const log: string[] = [];
      const runner = new Runner({
        projectHash: store.projectHash,
        backend: store.backend,
        preExecutionCallback: (r) => {
          log.push(`callback project=${r.project?.title} listed=${store.backend.count("listStageTasks")}`);
        },
      });
      runner.stage("Pre-label", ({ task }) => {
        log.push(`task ${task.dataTitle}`);
        return null;
      });
      await runner.execute({ output: "silent" });
      await runner.execute({ output: "silent" });
      expect(log).toEqual(["callback project=Demo listed=0", "task i-1.png", "task i-2.png", `callback project=Demo listed=1`, "task i-1.png", "task i-2.png"]);
    });

    test("sees the project also when the hash came through execute() options, and may be async", async () => {
      await using store = await create({ items: 1 });
      const seen: (string | undefined)[] = [];
      const runner = new Runner({
        backend: store.backend,
        preExecutionCallback: async (r) => {
          await Promise.resolve();
          seen.push(r.project?.uuid);
        },
      });
      runner.stage("Pre-label", () => null);
      await runner.execute({ projectHash: store.projectHash, output: "silent" });
      expect(seen).toEqual([store.projectHash]);
    });

    test("is not called when validation fails", async () => {
      await using store = await create({ items: 1 });
      let called = 0;
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend, preExecutionCallback: () => void called++ });
      runner.stage("Pre-lable", () => null);
      await expect(runner.execute({ output: "silent" })).rejects.toMatchObject({ code: "TA_UNKNOWN_STAGE" });
      await expect(runner.execute({ output: "silent", concurrency: 0 })).rejects.toMatchObject({ code: "TA_INVALID_ARGUMENT" });
      expect(called).toBe(0);
    });

    test("its error propagates and no task is touched", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({
        projectHash: store.projectHash,
        backend: store.backend,
        preExecutionCallback: () => {
          throw new Error("warm-up failed");
        },
      });
      let called = 0;
      runner.stage("Pre-label", () => {
        called++;
        return "annotate";
      });
      await expect(runner.execute({ output: "silent" })).rejects.toThrow("warm-up failed");
      expect(called).toBe(0);
      expect(store.backend.count("listStageTasks")).toBe(0);
      expect(store.backend.count("commit")).toBe(0);
      expect(await store.tasksIn("Pre-label")).toHaveLength(2);
    });
  });
});
