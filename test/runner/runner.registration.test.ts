import { describe, expect, test } from "vitest";
import { ConfigurationError, defineDependency, isTaskAgentsError, labelRow, Runner, type Dependency, type StageHandler } from "../../src/index.js";
import { rejectionOf, thrownBy, twoAgentSpec } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

const leave: StageHandler = () => null;

describe.each(backends)("on $name", ({ create }) => {
  describe("registering handlers", () => {
    test("stage() accepts an agent stage by title and by UUID and returns the handler", async () => {
      await using store = await create({ spec: twoAgentSpec, items: 0 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      await runner.loadProject();
      const first: StageHandler = () => null;
      const second: StageHandler = () => null;
      expect(runner.stage("First", first)).toBe(first);
      expect(runner.stage(store.stage("Second").uuid.toUpperCase(), {}, second)).toBe(second);
      const report = await runner.execute({ output: "silent" });
      expect(report.stages.map((s) => s.title)).toEqual(["First", "Second"]);
    });

    test("a stage given by UUID before the project is loaded is bound at execution", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const seen: string[] = [];
      runner.stage(store.stage("Pre-label").uuid, ({ stage, task }) => {
        seen.push(`${stage.title}:${task.dataTitle}`);
        return null;
      });
      const report = await runner.execute({ output: "silent" });
      expect(report.stages).toMatchObject([{ title: "Pre-label", seen: 4 }]);
      expect(seen).toEqual(["Pre-label:i-1.png", "Pre-label:i-2.png", "Pre-label:i-3.png", "Pre-label:i-4.png"]);
    });

    describe("an unknown or non-agent stage", () => {
      test("is an error at registration once the project is loaded, listing the agent stages and the call to make", async () => {
        await using store = await create({ items: 0 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        await runner.loadProject();
        const preLabel = store.stage("Pre-label");

        const unknown = thrownBy(() => runner.stage("Pre-lable", leave));
        expect(unknown).toBeInstanceOf(ConfigurationError);
        expect(unknown.code).toBe("TA_UNKNOWN_STAGE");
        expect(unknown.message).toContain(`"Pre-lable"`);
        expect(unknown.message).toContain(`"Pre-label" (${preLabel.uuid})`);
        expect(unknown.message).toContain(`Did you mean "Pre-label"?`);
        expect(unknown.message).toContain(`runner.stage("Pre-label", handler)`);

        const human = thrownBy(() => runner.stage("Annotate", leave));
        expect(human).toBeInstanceOf(ConfigurationError);
        expect(human.code).toBe("TA_UNKNOWN_STAGE");
        expect(human.message).toContain("ANNOTATION");
        expect(human.message).toContain(`"Pre-label" (${preLabel.uuid})`);
        expect(human.message).toContain(`runner.stage("Pre-label", handler)`);

        const byUuid = thrownBy(() => runner.stage(store.stage("Review").uuid, leave));
        expect(byUuid.code).toBe("TA_UNKNOWN_STAGE");
        expect(byUuid.message).toContain(`"Review"`);
      });

      test("with no near title there is no suggestion, and with several agent stages no single call is suggested", async () => {
        await using store = await create({ spec: twoAgentSpec, items: 0 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        await runner.loadProject();
        const error = thrownBy(() => runner.stage("Something else entirely", leave));
        expect(error.code).toBe("TA_UNKNOWN_STAGE");
        expect(error.message).not.toContain("Did you mean");
        expect(error.message).toContain(`"First" (${store.stage("First").uuid})`);
        expect(error.message).toContain(`"Second" (${store.stage("Second").uuid})`);
        expect(error.message).not.toContain(`runner.stage("First", handler)`);
      });

      test("is an error at execute() when the project was not loaded, before any task is touched", async () => {
        await using store = await create({ items: 4 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        let called = 0;
        expect(() =>
          runner.stage("Prelabel", () => {
            called++;
            return "annotate";
          }),
        ).not.toThrow();
        const error = await rejectionOf(runner.execute({ output: "silent" }));
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.code).toBe("TA_UNKNOWN_STAGE");
        expect(error.message).toContain(`"Pre-label" (${store.stage("Pre-label").uuid})`);
        expect(error.message).toContain(`Did you mean "Pre-label"?`);
        expect(error.message).toContain(`runner.stage("Pre-label", handler)`);
        expect(called).toBe(0);
        expect(store.backend.count("listStageTasks")).toBe(0);
        expect(store.backend.count("commit")).toBe(0);
      });

      test("a non-agent stage is an error at execute() when the project was not loaded", async () => {
        await using store = await create({ items: 4 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        runner.stage("Complete", leave);
        const error = await rejectionOf(runner.execute({ output: "silent" }));
        expect(error.code).toBe("TA_UNKNOWN_STAGE");
        expect(error.message).toContain("DONE");
        expect(error.message).toContain(`runner.stage("Pre-label", handler)`);
        expect(store.backend.count("listStageTasks")).toBe(0);
        expect(await store.tasksIn("Pre-label")).toHaveLength(4);
      });
    });

    describe("a second handler for the same stage", () => {
      test("is an error at registration with a loaded project, also when one names the stage by title and the other by UUID", async () => {
        await using store = await create({ items: 0 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        await runner.loadProject();
        runner.stage("Pre-label", leave);
        const again = thrownBy(() => runner.stage("Pre-label", leave));
        expect(again).toBeInstanceOf(ConfigurationError);
        expect(again.code).toBe("TA_DUPLICATE_STAGE");
        expect(again.message).toContain("overwrite: true");
        const byUuid = thrownBy(() => runner.stage(store.stage("Pre-label").uuid, leave));
        expect(byUuid.code).toBe("TA_DUPLICATE_STAGE");
      });

      test("is an error at execute() when title and UUID were registered before the project was known", async () => {
        await using store = await create({ items: 4 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        runner.stage("Pre-label", leave);
        expect(() => runner.stage("Pre-label", leave)).toThrow(expect.objectContaining({ code: "TA_DUPLICATE_STAGE" }));
        runner.stage(store.stage("Pre-label").uuid, leave);
        const error = await rejectionOf(runner.execute({ output: "silent" }));
        expect(error.code).toBe("TA_DUPLICATE_STAGE");
        expect(store.backend.count("listStageTasks")).toBe(0);
      });

      test.each([
        ["with the project loaded", true],
        ["before the project is known", false],
      ])("with overwrite: true replaces the first in place, keeping the order (%s)", async (_, load) => {
        await using store = await create({ spec: twoAgentSpec, items: 2 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        if (load) await runner.loadProject();
        const log: string[] = [];
        runner.stage("First", () => {
          log.push("old first");
          return null;
        });
        runner.stage("Second", () => {
          log.push("second");
          return null;
        });
        runner.stage(store.stage("First").uuid, { overwrite: true }, ({ task }) => {
          log.push(`new first ${task.dataTitle}`);
          return "next";
        });
        const report = await runner.execute({ output: "silent" });
        // First still runs first: it moves both tasks on, and Second (drained after it) sees them.
        expect(log).toEqual(["new first i-1.png", "new first i-2.png", "second", "second"]);
        expect(report.stages.map((s) => s.title)).toEqual(["First", "Second"]);
      });
    });

    describe("stage options", () => {
      test.each(["task", "stage", "project", "signal", "logger"])("a dependency may not be called %j", async (name) => {
        await using store = await create({ items: 0 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        const error = thrownBy(() => runner.stage("Pre-label", { deps: { [name]: labelRow } }, leave));
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.code).toBe("TA_INVALID_ARGUMENT");
        expect(error.message).toContain(JSON.stringify(name));
        expect(store.backend.calls).toEqual([]);
      });

      test("every value in deps must be a dependency", async () => {
        await using store = await create({ items: 0 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        const notADependency = { resolve: () => 1 } as unknown as Dependency<number>;
        const error = thrownBy(() => runner.stage("Pre-label", { deps: { model: notADependency } }, leave));
        expect(error.code).toBe("TA_INVALID_ARGUMENT");
        expect(error.message).toContain("deps.model");
        expect(error.message).toContain("defineDependency()");
        // A real dependency is accepted in the same place.
        const model = defineDependency({ resolve: () => 1 });
        expect(() => runner.stage("Pre-label", { deps: { model } }, leave)).not.toThrow();
      });

      test("unknown option keys are rejected, naming the accepted ones", async () => {
        await using store = await create({ items: 0 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        const options = { deps: {}, retries: 3 } as unknown as Parameters<Runner["stage"]>[1];
        const error = thrownBy(() => runner.stage("Pre-label", options as never, leave));
        expect(error.code).toBe("TA_INVALID_ARGUMENT");
        expect(error.message).toContain(`"retries"`);
        expect(error.message).toContain("willSetPriority");
        expect(error.message).toContain("overwrite");
      });

      test("a missing handler or stage reference is rejected", async () => {
        await using store = await create({ items: 0 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        expect(() => runner.stage("Pre-label", {} as never)).toThrow(expect.objectContaining({ code: "TA_INVALID_ARGUMENT" }));
        expect(() => runner.stage("", leave)).toThrow(expect.objectContaining({ code: "TA_INVALID_ARGUMENT" }));
      });
    });

    test("execute() with no handlers registered is a configuration error naming the agent stages", async () => {
      await using store = await create({ items: 4 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(isTaskAgentsError(error)).toBe(true);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_NO_HANDLERS");
      expect(error.message).toContain(`runner.stage("Pre-label", handler)`);
      expect(error.message).toContain(store.stage("Pre-label").uuid);
      expect(store.backend.count("listStageTasks")).toBe(0);
    });
  });
});
