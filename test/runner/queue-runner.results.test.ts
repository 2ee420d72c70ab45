import { describe, expect, test } from "vitest";
import { labelRow, QueueRunner, storageItem, type AgentTask, type TaskCompletionResult } from "../../src/index.js";
import { queueRunnerOn, resultOf, resultsOf, silentLogger, specOf } from "../support/queue-fixture.js";
import { addNote, notesOf, notesSpec } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("a wrapped handler: task specs in, TaskCompletionResults out", () => {
    test("stage() returns an async function; one spec gives one result with the Python field names", async () => {
      await using store = await create({ items: 2 });
      const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend, logger: silentLogger });
      expect(queueRunner.projectHash).toBe(store.projectHash);
      const handle = queueRunner.stage("Pre-label", () => "annotate");
      expect(typeof handle).toBe("function");

      const [task] = await store.tasksIn("Pre-label");
      const pending = handle(specOf(task!));
      expect(pending).toBeInstanceOf(Promise);
      const json = await pending;
      expect(typeof json).toBe("string");
      const result = resultOf(json);
      expect(Object.keys(result).sort()).toEqual(["error", "pathway", "stage_uuid", "success", "task_uuid"]);
      expect(result).toEqual({
        task_uuid: task!.uuid,
        stage_uuid: store.stage("Pre-label").uuid,
        success: true,
        pathway: store.pathway("Pre-label", "annotate").uuid,
        error: null,
      } satisfies TaskCompletionResult);
      expect((await store.tasksIn("Annotate")).map((t) => t.uuid)).toEqual([task!.uuid]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.uuid)).not.toContain(task!.uuid);
    });

    test("a worker's call runs its specs' handlers side by side, up to the worker's concurrency, unless the runner sets its own", async () => {
      await using store = await create({ items: 4 });
      const specs = (await store.tasksIn("Pre-label")).map(specOf);
      const peakOf = async (options: { runner?: number; worker?: number }): Promise<number> => {
        const queueRunner = new QueueRunner({
          projectHash: store.projectHash,
          backend: store.backend,
          logger: silentLogger,
          ...(options.runner === undefined ? {} : { concurrency: options.runner }),
        });
        let inFlight = 0;
        let peak = 0;
        queueRunner.stage("Pre-label", async () => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 20));
          inFlight--;
          return null; // leave the tasks, so the next call sees them again
        });
        const { results } = await queueRunner.handleForWorker("Pre-label", specs, options.worker === undefined ? {} : { concurrency: options.worker });
        expect(results.every((r) => r.success)).toBe(true);
        return peak;
      };
      expect(await peakOf({})).toBe(1);
      expect(await peakOf({ worker: 4 })).toBe(4);
      expect(await peakOf({ worker: 4, runner: 2 })).toBe(2);
    });

    test("the spec carries the Python field names, nothing else", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const spec = JSON.parse(specOf(task!)) as Record<string, unknown>;
      expect(Object.keys(spec).sort()).toEqual([
        "assignee",
        "created_at",
        "data_hash",
        "data_title",
        "label_branch_name",
        "last_actioned_by",
        "status",
        "updated_at",
        "uuid",
      ]);
      expect(spec).toMatchObject({
        uuid: task!.uuid,
        data_hash: task!.dataHash,
        data_title: "i-1.png",
        status: task!.status,
        label_branch_name: task!.labelBranchName,
        assignee: task!.assignee,
        last_actioned_by: task!.lastActionedBy,
        created_at: task!.createdAt.toISOString(),
        updated_at: task!.updatedAt.toISOString(),
      });
    });

    test("an array of specs gives an array of results in the input's order, not the store's", async () => {
      await using store = await create({ items: 4 });
      const queueRunner = queueRunnerOn(store);
      const seen: string[] = [];
      // i-1 and i-3 go to Annotate, i-2 is skipped, i-4 stays.
      const handle = queueRunner.stage("Pre-label", ({ task }) => {
        seen.push(task.dataTitle);
        return { "i-1.png": "annotate", "i-2.png": "skip", "i-3.png": "annotate", "i-4.png": null }[task.dataTitle];
      });
      const tasks = await store.tasksIn("Pre-label");
      expect(tasks.map((t) => t.dataTitle)).toEqual(["i-1.png", "i-2.png", "i-3.png", "i-4.png"]);
      const input = [tasks[2]!, tasks[0]!, tasks[3]!, tasks[1]!];

      const results = resultsOf(await handle(input.map(specOf)));
      expect(results.map((r) => r.task_uuid)).toEqual(input.map((t) => t.uuid));
      expect(results.map((r) => r.pathway)).toEqual([
        store.pathway("Pre-label", "annotate").uuid,
        store.pathway("Pre-label", "annotate").uuid,
        null,
        store.pathway("Pre-label", "skip").uuid,
      ]);
      expect(results.every((r) => r.success && r.error === null && r.stage_uuid === store.stage("Pre-label").uuid)).toBe(true);
      expect(seen.sort()).toEqual(["i-1.png", "i-2.png", "i-3.png", "i-4.png"]);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle).sort()).toEqual(["i-1.png", "i-3.png"]);
      expect((await store.tasksIn("Complete")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-4.png"]);
    });

    test("an array of one spec gives an array of one result; an empty array gives [] and touches nothing", async () => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => "skip");
      const [task] = await store.tasksIn("Pre-label");
      expect(resultsOf(await handle([specOf(task!)]))).toEqual([
        { task_uuid: task!.uuid, stage_uuid: store.stage("Pre-label").uuid, success: true, pathway: store.pathway("Pre-label", "skip").uuid, error: null },
      ]);
      store.backend.reset();
      expect(resultsOf(await handle([]))).toEqual([]);
      expect(store.backend.count("listStageTasks")).toBe(0);
      expect(store.backend.count("commit")).toBe(0);
    });

    test.each([
      ["a name", (_uuid: string) => "skip"],
      ["a UUID", (uuid: string) => uuid],
      ["an upper-case UUID", (uuid: string) => uuid.toUpperCase()],
      ["{ pathway: name }", (_uuid: string) => ({ pathway: "skip" })],
    ])("the result's pathway is the pathway UUID when the handler returned %s", async (_, answer) => {
      await using store = await create({ items: 1 });
      const skip = store.pathway("Pre-label", "skip");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => answer(skip.uuid));
      const [task] = await store.tasksIn("Pre-label");
      const result = resultOf(await handle(specOf(task!)));
      expect(result.success).toBe(true);
      expect(result.pathway).toBe(skip.uuid);
      expect((await store.tasksIn("Complete")).map((t) => t.uuid)).toEqual([task!.uuid]);
    });

    test.each([
      ["null", () => null],
      ["undefined", () => undefined],
      ["{ pathway: null }", () => ({ pathway: null })],
      ["{}", () => ({})],
    ])("a handler returning %s: success, no pathway, the task stays and nothing moves", async (_, answer) => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", answer);
      const [task] = await store.tasksIn("Pre-label");
      expect(resultOf(await handle(specOf(task!)))).toEqual({
        task_uuid: task!.uuid,
        stage_uuid: store.stage("Pre-label").uuid,
        success: true,
        pathway: null,
        error: null,
      });
      expect((await store.tasksIn("Pre-label")).map((t) => t.uuid)).toEqual([task!.uuid]);
      expect(store.backend.commits.flatMap((c) => c.moves ?? [])).toEqual([]);
    });

    test("the handler gets the task as it is now in the store, with the stage and project", async () => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      const seen: { task: AgentTask; stage: string; project: string }[] = [];
      const handle = queueRunner.stage("Pre-label", ({ task, stage, project }) => {
        seen.push({ task, stage: stage.uuid, project: project.uuid });
        return null;
      });
      const [task] = await store.tasksIn("Pre-label");
      const stale = { ...JSON.parse(specOf(task!)), data_title: "stale title", status: "COMPLETED" } as Record<string, unknown>;
      expect(resultOf(await handle(JSON.stringify(stale))).success).toBe(true);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.task).toMatchObject({ uuid: task!.uuid, dataHash: task!.dataHash, dataTitle: "i-1.png", status: task!.status });
      expect(seen[0]!.task.createdAt).toBeInstanceOf(Date);
      expect(seen[0]!.stage).toBe(store.stage("Pre-label").uuid);
      expect(seen[0]!.project).toBe(store.project.uuid);
    });
  });

  describe("one bulk fetch and one commit per call", () => {
    test("labelRow and storageItem with ten specs: one listing filtered by data hash, one fetch of each kind, one commit", async () => {
      await using store = await create({ items: 10 });
      const queueRunner = queueRunnerOn(store);
      const mismatches: string[] = [];
      const handle = queueRunner.stage("Pre-label", { deps: { labelRow, storageItem } }, ({ task, labelRow, storageItem }) => {
        if (labelRow.dataHash !== task.dataHash) mismatches.push(`label row of ${task.dataTitle}`);
        if (storageItem.uuid !== labelRow.backingItemUuid) mismatches.push(`storage item of ${task.dataTitle}`);
        return "annotate";
      });
      const tasks = await store.tasksIn("Pre-label");
      expect(tasks).toHaveLength(10);
      store.backend.reset();

      const results = resultsOf(await handle(tasks.map(specOf)));
      expect(results.map((r) => r.success)).toEqual(Array(10).fill(true));
      expect(mismatches).toEqual([]);
      expect(store.backend.count("listStageTasks")).toBe(1);
      expect(store.backend.count("getLabelRowMetadata")).toBe(1);
      expect(store.backend.count("getLabelRows")).toBe(1);
      expect(store.backend.count("getStorageItems")).toBe(1);
      expect(store.backend.count("commit")).toBe(1);

      const [projectHash, stageUuid, options] = store.backend.argsOf("listStageTasks")[0]!;
      expect(projectHash).toBe(store.project.uuid);
      expect(stageUuid).toBe(store.stage("Pre-label").uuid);
      expect(new Set((options as { dataHashes?: string[] }).dataHashes)).toEqual(new Set(tasks.map((t) => t.dataHash)));
      expect((store.backend.argsOf("getLabelRows")[0]![1] as string[]).length).toBe(10);
      expect((store.backend.argsOf("getStorageItems")[0]![0] as string[]).length).toBe(10);
      expect(store.backend.commits[0]!.moves).toHaveLength(10);
      expect(await store.tasksIn("Annotate")).toHaveLength(10);
    });

    test("every call fetches and commits on its own: two calls, two listings, two commits", async () => {
      await using store = await create({ items: 4 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", { deps: { labelRow } }, () => "skip");
      const tasks = await store.tasksIn("Pre-label");
      store.backend.reset();
      await handle(tasks.slice(0, 2).map(specOf));
      await handle(tasks.slice(2).map(specOf));
      expect(store.backend.count("listStageTasks")).toBe(2);
      expect(store.backend.count("getLabelRows")).toBe(2);
      expect(store.backend.count("commit")).toBe(2);
      expect(store.backend.commits.map((c) => c.moves?.map((m) => m.taskUuid))).toEqual([
        tasks.slice(0, 2).map((t) => t.uuid),
        tasks.slice(2).map((t) => t.uuid),
      ]);
    });

    test("without dependencies nothing but the listing and the commit is called", async () => {
      await using store = await create({ items: 3 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => "annotate");
      const tasks = await store.tasksIn("Pre-label");
      store.backend.reset();
      await handle(tasks.map(specOf));
      expect(store.backend.calls.map((c) => c.method).filter((m) => m !== "getProject")).toEqual(["listStageTasks", "commit"]);
    });
  });

  describe("priorities and label rows", () => {
    test("willSetPriority: { pathway, labelRowPriority: 0 } sets priority 0 and moves the task", async () => {
      await using store = await create({ items: 2 });
      const [task, other] = await store.tasksIn("Pre-label");
      const before = await store.priority(task!.dataHash);
      expect(before).not.toBe(0);
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", { willSetPriority: true }, () => ({ pathway: "annotate", labelRowPriority: 0 }));
      const result = resultOf(await handle(specOf(task!)));
      expect(result).toMatchObject({ success: true, pathway: store.pathway("Pre-label", "annotate").uuid, error: null });
      expect(store.backend.commits).toHaveLength(1);
      expect(store.backend.commits[0]!.priorities).toEqual([{ dataHash: task!.dataHash, priority: 0 }]);
      expect(await store.priority(task!.dataHash)).toBe(0);
      // Only the task of the call.
      expect(await store.priority(other!.dataHash)).toBe(before);
    });

    test("a label row edited in the handler and returned is saved, then the task moves", async () => {
      await using store = await create({ spec: notesSpec, items: 2 });
      const [task, other] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
        addNote(labelRow, `by queue: ${task.dataTitle}`);
        return { pathway: "annotate", labelRow };
      });
      const result = resultOf(await handle(specOf(task!)));
      expect(result).toMatchObject({ success: true, pathway: store.pathway("Pre-label", "annotate").uuid });
      expect(store.backend.commits[0]!.labelSaves?.map((s) => s.dataHash)).toEqual([task!.dataHash]);
      expect(notesOf(await store.labelRow(task!.dataHash))).toEqual(["by queue: i-1.png"]);
      // The other task was not in the call: its row is as it was.
      expect((await store.labelRow(other!.dataHash)).classification_answers).toEqual({});
      expect((await store.tasksIn("Annotate")).map((t) => t.uuid)).toEqual([task!.uuid]);
    });

    test("a label row edited but not returned is not saved", async () => {
      await using store = await create({ spec: notesSpec, items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const before = await store.labelRow(task!.dataHash);
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
        addNote(labelRow, "lost");
        return "annotate";
      });
      expect(resultOf(await handle(specOf(task!))).success).toBe(true);
      expect(store.backend.commits[0]!.labelSaves ?? []).toEqual([]);
      const after = await store.labelRow(task!.dataHash);
      expect(notesOf(after)).toEqual([]);
      expect(after.classification_answers).toEqual(before.classification_answers);
      expect(after.data_units).toEqual(before.data_units);
    });
  });

  describe("Python interop", () => {
    test("a spec written by Python (spacing, naive timestamps, extra keys) is accepted", async () => {
      await using store = await create({ items: 2 });
      const [task, other] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const titles: string[] = [];
      const handle = queueRunner.stage("Pre-label", ({ task }) => {
        titles.push(task.dataTitle);
        return "skip";
      });
      // As json.dumps(task.model_dump(mode="json")) writes it, plus keys this package does not know.
      const pythonSpec = (t: typeof task) =>
        `{"uuid": "${t!.uuid}", "created_at": "2024-01-01T00:00:00", "updated_at": "2024-01-01T00:00:00.123456", "status": "NEW", ` +
        `"data_hash": "${t!.dataHash}", "data_title": "${t!.dataTitle}", "label_branch_name": "main", "assignee": null, ` +
        `"last_actioned_by": null, "stage_uuid": "${store.stage("Pre-label").uuid}", "priority": 0.5, "extra": {"nested": [1, 2]}}`;
      const single = resultOf(await handle(pythonSpec(task)));
      expect(single).toEqual({
        task_uuid: task!.uuid,
        stage_uuid: store.stage("Pre-label").uuid,
        success: true,
        pathway: store.pathway("Pre-label", "skip").uuid,
        error: null,
      });
      const batch = resultsOf(await handle([pythonSpec(other)]));
      expect(batch).toMatchObject([{ task_uuid: other!.uuid, success: true }]);
      expect(titles).toEqual(["i-1.png", "i-2.png"]);
      expect((await store.tasksIn("Complete")).map((t) => t.uuid)).toEqual([task!.uuid, other!.uuid]);
    });

    test("a minimal spec with only uuid and data_hash, in upper case, is accepted", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => "annotate");
      const result = resultOf(await handle(JSON.stringify({ uuid: task!.uuid.toUpperCase(), data_hash: task!.dataHash.toUpperCase() })));
      expect(result).toMatchObject({ task_uuid: task!.uuid, success: true, pathway: store.pathway("Pre-label", "annotate").uuid });
    });
  });
});
