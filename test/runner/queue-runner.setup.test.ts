import { describe, expect, test } from "vitest";
import { ConfigurationError, QueueRunner, Runner, toTaskSpec, type AgentTask, type StageHandler, type TaskSpecJson } from "../../src/index.js";
import { deferred } from "../support/deferred.js";
import { queueRunnerOn, resultOf, resultsOf, silentLogger, specOf } from "../support/queue-fixture.js";
import { rejectionOf, thrownBy, twoAgentSpec } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

const leave: StageHandler = () => null;

const pythonKeys = ["assignee", "created_at", "data_hash", "data_title", "label_branch_name", "last_actioned_by", "status", "updated_at", "uuid"];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe.each(backends)("on $name", ({ create }) => {
  describe("getAgentStages(): what a producer enqueues", () => {
    test("only the AGENT stages with handlers, each listing its tasks as AgentTasks whose JSON is the task spec", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 3 });
      const queueRunner = queueRunnerOn(store);
      queueRunner.stage("First", leave);

      const stages = await queueRunner.getAgentStages();
      expect(stages.map((s) => [s.title, s.uuid, s.type])).toEqual([["First", store.stage("First").uuid, "AGENT"]]);
      expect(stages[0]!.pathways.map((p) => [p.name, p.uuid])).toEqual([
        ["next", store.pathway("First", "next").uuid],
        ["finish", store.pathway("First", "finish").uuid],
      ]);

      const stored = await store.tasksIn("First");
      const tasks = await collect(stages[0]!.getTasks());
      expect(tasks.map((t) => t.uuid)).toEqual(stored.map((t) => t.uuid));
      tasks.forEach((task, i) => {
        // Still an AgentTask with the TypeScript names…
        expect(task).toMatchObject({ uuid: stored[i]!.uuid, dataHash: stored[i]!.dataHash, dataTitle: stored[i]!.dataTitle, status: stored[i]!.status });
        expect(task.createdAt).toBeInstanceOf(Date);
        // …whose JSON is the spec with the Python names.
        const json = JSON.stringify(task);
        expect(json).toBe(JSON.stringify(toTaskSpec(stored[i]!)));
        const spec = JSON.parse(json) as TaskSpecJson;
        expect(Object.keys(spec).sort()).toEqual(pythonKeys);
        expect(spec).toMatchObject({ uuid: stored[i]!.uuid, data_hash: stored[i]!.dataHash, data_title: stored[i]!.dataTitle });
        expect(task.toJSON()).toEqual(spec);
      });
    });

    test("stages come in registration order; a stage registered by UUID is listed too", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 1 });
      const queueRunner = queueRunnerOn(store);
      queueRunner.stage(store.stage("Second").uuid, leave);
      queueRunner.stage("First", leave);
      const stages = await queueRunner.getAgentStages();
      expect(stages.map((s) => s.title)).toEqual(["Second", "First"]);
      expect(await collect(stages[0]!.getTasks())).toEqual([]);
      expect(await collect(stages[1]!.getTasks())).toHaveLength(1);
    });

    test("more tasks than one page: every task is yielded once", async () => {
      await using store = await create({ items: 1200 });
      const queueRunner = queueRunnerOn(store);
      queueRunner.stage("Pre-label", leave);
      const [stage] = await queueRunner.getAgentStages();
      store.backend.reset();
      const tasks = await collect(stage!.getTasks());
      expect(tasks).toHaveLength(1200);
      expect(new Set(tasks.map((t) => t.uuid)).size).toBe(1200);
      expect(new Set(tasks.map((t) => t.dataTitle))).toEqual(new Set(Array.from({ length: 1200 }, (_, i) => `i-${i + 1}.png`)));
      expect(store.backend.count("listStageTasks")).toBeGreaterThanOrEqual(2);
      const last = JSON.parse(JSON.stringify(tasks[1199])) as TaskSpecJson;
      expect(last.uuid).toBe(tasks[1199]!.uuid);
      expect(Object.keys(last).sort()).toEqual(pythonKeys);
    });

    test("the producer's specs go straight into the wrapped handler (round trip)", async () => {
      await using store = await create({ items: 3 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => "annotate");
      const [stage] = await queueRunner.getAgentStages();
      const specs = (await collect(stage!.getTasks())).map((t) => JSON.stringify(t));
      const results = resultsOf(await handle(specs));
      expect(results.map((r) => r.success)).toEqual([true, true, true]);
      expect(results.map((r) => r.stage_uuid)).toEqual(Array(3).fill(stage!.uuid));
      expect(await store.tasksIn("Annotate")).toHaveLength(3);
    });
  });

  describe("what a QueueRunner does not do, and how it says so", () => {
    test.each(["execute", "run"] as const)("%s() throws a ConfigurationError pointing at the wrapped functions and task-agents/bullmq", async (method) => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      queueRunner.stage("Pre-label", leave);
      const error = thrownBy(() => queueRunner[method]());
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain("stage()");
      expect(error.message).toContain("task-agents/bullmq");
      expect(error.message).toContain("Runner");
      // Nothing was touched.
      expect(store.backend.calls).toEqual([]);
    });

    test.each([
      ["no options object", undefined],
      ["{}", {}],
      ["a number as projectHash", { projectHash: 42 }],
      ["an empty projectHash", { projectHash: "" }],
      ["a blank projectHash", { projectHash: "  " }],
    ])("new QueueRunner() with %s throws, asking for a projectHash", (_, options) => {
      const error = thrownBy(() => new QueueRunner(options as never));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_INVALID_PROJECT_HASH");
      expect(error.message).toContain("projectHash");
    });

    test("a projectHash that is not a UUID is reported at the first call", async () => {
      await using store = await create({ items: 1 });
      const queueRunner = new QueueRunner({ projectHash: "not-a-hash", backend: store.backend, logger: silentLogger });
      const handle = queueRunner.stage("Pre-label", leave);
      const error = await rejectionOf(handle("{}"));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_INVALID_PROJECT_HASH");
      expect(error.message).toContain(`"not-a-hash"`);
    });

    test("registering after the first call throws", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 1 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("First", leave);
      const [task] = await store.tasksIn("First");
      expect(resultOf(await handle(specOf(task!))).success).toBe(true);
      const error = thrownBy(() => queueRunner.stage("Second", leave));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(/before the first call/);
      // The late handler was not added.
      expect((await queueRunner.getAgentStages()).map((s) => s.title)).toEqual(["First"]);
    });

    test("registering after getAgentStages() throws too", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 0 });
      const queueRunner = queueRunnerOn(store);
      queueRunner.stage("First", leave);
      await queueRunner.getAgentStages();
      expect(thrownBy(() => queueRunner.stage("Second", leave))).toBeInstanceOf(ConfigurationError);
    });

    test("handlerFor(title) and handlerFor(UUID) return the wrapped function; an unknown stage is a clear error", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 1 });
      const queueRunner = queueRunnerOn(store);
      const first = queueRunner.stage("First", () => "next");
      const second = queueRunner.stage(store.stage("Second").uuid, leave);
      expect(await queueRunner.handlerFor("First")).toBe(first);
      expect(await queueRunner.handlerFor(store.stage("First").uuid)).toBe(first);
      expect(await queueRunner.handlerFor(store.stage("First").uuid.toUpperCase())).toBe(first);
      expect(await queueRunner.handlerFor("Second")).toBe(second);
      expect(await queueRunner.handlerFor(store.stage("Second").uuid)).toBe(second);

      // The function found works like the one stage() returned.
      const [task] = await store.tasksIn("First");
      const found = await queueRunner.handlerFor(store.stage("First").uuid);
      expect(resultOf(await found(specOf(task!)))).toMatchObject({ success: true, pathway: store.pathway("First", "next").uuid });

      for (const unknown of ["Third", "Start", store.stage("Done").uuid]) {
        const error = await rejectionOf(queueRunner.handlerFor(unknown));
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.code).toBe("TA_UNKNOWN_STAGE");
        expect(error.message).toContain(JSON.stringify(unknown));
        expect(error.message).toContain(`"First" (${store.stage("First").uuid})`);
        expect(error.message).toContain(`"Second" (${store.stage("Second").uuid})`);
      }
    });

    test("an unknown stage title in stage() is reported at the first call, listing the agent stages", async () => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      let calls = 0;
      // Not checked at registration: the project is not loaded yet.
      const handle = queueRunner.stage("Pre-lable", () => {
        calls++;
        return null;
      });
      const [task] = await store.tasksIn("Pre-label");
      const error = await rejectionOf(handle(specOf(task!)));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_UNKNOWN_STAGE");
      expect(error.message).toContain(`"Pre-lable"`);
      expect(error.message).toContain(`"Pre-label" (${store.stage("Pre-label").uuid})`);
      expect(error.message).toContain(`Did you mean "Pre-label"?`);
      expect(calls).toBe(0);
      expect(store.backend.count("commit")).toBe(0);
      // Every later call says the same.
      expect((await rejectionOf(handle(specOf(task!)))).code).toBe("TA_UNKNOWN_STAGE");
      expect((await rejectionOf(queueRunner.getAgentStages())).code).toBe("TA_UNKNOWN_STAGE");
    });

    test("a stage that is not an AGENT stage is reported at the first call", async () => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Annotate", leave);
      const error = await rejectionOf(handle([]));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_UNKNOWN_STAGE");
      expect(error.message).toContain("ANNOTATION");
      expect(error.message).toContain(`"Pre-label" (${store.stage("Pre-label").uuid})`);
    });

    test("a second handler for the same stage is an error unless overwrite: true", async () => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      const first = queueRunner.stage("Pre-label", () => "annotate");
      expect(thrownBy(() => queueRunner.stage("Pre-label", () => "skip")).code).toBe("TA_DUPLICATE_STAGE");
      const replaced = queueRunner.stage("Pre-label", { overwrite: true }, () => "skip");
      expect(await queueRunner.handlerFor("Pre-label")).toBe(replaced);
      const [task] = await store.tasksIn("Pre-label");
      // Either wrapped function now runs the new handler.
      expect(resultOf(await first(specOf(task!))).pathway).toBe(store.pathway("Pre-label", "skip").uuid);
    });
  });

  describe("several specs in one call", () => {
    test("with concurrency 2, two handlers are in flight at once; the results keep the input order", async () => {
      await using store = await create({ items: 2 });
      const queueRunner = queueRunnerOn(store, { concurrency: 2 });
      const started: AgentTask[] = [];
      const bothStarted = deferred();
      const handle = queueRunner.stage("Pre-label", async ({ task }) => {
        started.push(task);
        if (started.length === 2) bothStarted.resolve();
        await bothStarted.promise;
        return task.dataTitle === "i-1.png" ? "annotate" : "skip";
      });
      const tasks = await store.tasksIn("Pre-label");
      const results = resultsOf(await handle([specOf(tasks[1]!), specOf(tasks[0]!)]));
      expect(started).toHaveLength(2);
      expect(results.map((r) => [r.task_uuid, r.pathway])).toEqual([
        [tasks[1]!.uuid, store.pathway("Pre-label", "skip").uuid],
        [tasks[0]!.uuid, store.pathway("Pre-label", "annotate").uuid],
      ]);
      expect(store.backend.count("commit")).toBe(1);
    });
  });
});

describe("QueueRunner options are checked at construction, as Runner's are", () => {
  const projectHash = "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b";
  test.each([
    [{ concurrency: 0 }, "concurrency must be at least 1 (got 0)"],
    [{ concurrency: 2.5 }, "concurrency must be a whole number (got 2.5)"],
    // A whole number, only too big: the range, not "must be a whole number" (zod's int() stops at 2^53).
    [{ concurrency: 1e20 }, "concurrency must be between 1 and 1000 (got 100000000000000000000)."],
    [{ numRetries: 2 ** 60 }, `numRetries must be between 0 and ${Number.MAX_SAFE_INTEGER} (got ${2 ** 60}).`],
    [{ numRetries: -1 }, "numRetries must be 0 or more (got -1)"],
    [{ taskTimeout: 0 }, "taskTimeout must be more than 0 seconds (got 0)"],
  ])("%o is refused: %s", (options, message) => {
    const error = thrownBy(() => new QueueRunner({ projectHash, ...options }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.code).toBe("TA_INVALID_ARGUMENT");
    expect(error.message).toContain(message);
  });

  test("valid options are accepted", () => {
    expect(() => new QueueRunner({ projectHash, concurrency: 4, numRetries: 0, taskTimeout: 30 })).not.toThrow();
  });

  test.each([{ concurrency: 0, numRetries: -1 }, { taskTimeout: -5 }, { concurrency: "2" as unknown as number }, { numRetries: 1.5, taskTimeout: Infinity }])(
    "%o: the same message as Runner's execute() gives for it (one schema)",
    async (options) => {
      const queueError = thrownBy(() => new QueueRunner({ projectHash, ...options }));
      // Refused before any project is read: the runner needs no backend for this.
      const runError = await rejectionOf(new Runner({ projectHash }).execute({ output: "silent", ...options }));
      expect(queueError.code).toBe("TA_INVALID_ARGUMENT");
      expect(queueError.message).toBe(runError.message);
    },
  );
});
