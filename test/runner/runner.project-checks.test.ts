import { describe, expect, test } from "vitest";
import { ConfigurationError, Runner, type ExecuteOptions, type StageHandler } from "../../src/index.js";
import { noAgentSpec, rejectionOf } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("the project is checked before any task is touched", () => {
    const countingHandler = () => {
      const calls = { count: 0 };
      const handler: StageHandler = () => {
        calls.count++;
        return "annotate";
      };
      return { calls, handler };
    };

    test("a project hash that is not a UUID is rejected without asking the backend", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: "my-project", backend: store.backend });
      const { calls, handler } = countingHandler();
      runner.stage("Pre-label", handler);
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_INVALID_PROJECT_HASH");
      expect(error.message).toContain(`"my-project"`);
      expect(error.message).toContain("UUID");
      expect(store.backend.calls).toEqual([]);
      expect(calls.count).toBe(0);
    });

    test("a missing project hash is rejected, saying where to give one", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ backend: store.backend });
      runner.stage("Pre-label", () => "annotate");
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error.code).toBe("TA_INVALID_PROJECT_HASH");
      expect(error.message).toContain("projectHash");
      expect(store.backend.calls).toEqual([]);
      expect(await rejectionOf(runner.loadProject())).toMatchObject({ code: "TA_INVALID_PROJECT_HASH" });
    });

    test("an unknown project is rejected; no stage is listed and nothing is committed", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: "00000000-0000-4000-8000-000000000000", backend: store.backend });
      const { calls, handler } = countingHandler();
      runner.stage("Pre-label", handler);
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_UNKNOWN_PROJECT");
      expect(store.backend.count("listStageTasks")).toBe(0);
      expect(store.backend.count("commit")).toBe(0);
      expect(calls.count).toBe(0);
      expect(await store.tasksIn("Pre-label")).toHaveLength(4);
    });

    test("a project without an AGENT stage is rejected, listing its stages", async () => {
      await using store = await create({ spec: noAgentSpec, items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const { calls, handler } = countingHandler();
      runner.stage("Annotate", handler);
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_NO_AGENT_STAGES");
      expect(error.message).toContain(`"Annotate" (ANNOTATION)`);
      expect(store.backend.count("listStageTasks")).toBe(0);
      expect(store.backend.count("commit")).toBe(0);
      expect(calls.count).toBe(0);
      expect(await rejectionOf(runner.loadProject())).toMatchObject({ code: "TA_NO_AGENT_STAGES" });
    });

    test("the hash given to execute() wins over the constructor's", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: "00000000-0000-4000-8000-000000000000", backend: store.backend });
      runner.stage("Pre-label", () => null);
      const report = await runner.execute({ projectHash: store.projectHash, output: "silent" });
      expect(report.projectHash).toBe(store.projectHash);
      expect(report.stages[0]!.seen).toBe(2);
      expect(runner.project?.uuid).toBe(store.projectHash);
    });
  });

  describe("execute options are checked before the backend is touched at all", () => {
    const invalid: [string, ExecuteOptions, string][] = [
      ["maxTasksPerStage: 0", { maxTasksPerStage: 0 }, "maxTasksPerStage"],
      ["maxTasksPerStage: 1.5", { maxTasksPerStage: 1.5 }, "maxTasksPerStage"],
      ["maxTasksPerStage: -1", { maxTasksPerStage: -1 }, "maxTasksPerStage"],
      ["taskBatchSize: 0", { taskBatchSize: 0 }, "taskBatchSize"],
      ["concurrency: 0", { concurrency: 0 }, "concurrency"],
      ["numRetries: -1", { numRetries: -1 }, "numRetries"],
      ["refreshEvery: 0", { refreshEvery: 0 }, "refreshEvery"],
      ["an unknown option", { retries: 2 } as unknown as ExecuteOptions, `"retries"`],
    ];

    test.each(invalid)("%s", async (_, options, named) => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let called = 0;
      runner.stage("Pre-label", () => {
        called++;
        return "annotate";
      });
      const error = await rejectionOf(runner.execute({ output: "silent", ...options }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_INVALID_ARGUMENT");
      expect(error.message).toContain(named);
      expect(store.backend.calls).toEqual([]);
      expect(called).toBe(0);
      expect(runner.project).toBeUndefined();
    });
  });
});
