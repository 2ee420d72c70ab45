import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { ConfigurationError, Runner } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { movesOf } from "../support/queue-fixture.js";
import { failurePathSpec } from "../support/failure-path-spec.js";
import { rejectionOf, thrownBy } from "../support/runner-fixture.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("onFailure: a task that failed for good is moved along the pathway", () => {
    test("after its last attempt, in the batch's one commit; the report counts it as failed and routed", async () => {
      await using store = await create({ spec: failurePathSpec, items: 3 });
      const [, poison] = await store.tasksIn("Pre-label");
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let poisonAttempts = 0;
      runner.stage("Pre-label", { onFailure: "failed" }, ({ task }) => {
        if (task.uuid !== poison!.uuid) return "annotate";
        poisonAttempts++;
        throw new TypeError("cannot read the image");
      });
      const report = await runner.execute({ numRetries: 2, output: "silent" });
      expect(poisonAttempts).toBe(3);
      expect(report.stages[0]).toMatchObject({ seen: 3, succeeded: 2, failed: 1, failedRouted: 1, skipped: 0, moved: { annotate: 2 } });
      expect(report.stages[0]!.failures).toHaveLength(1);
      expect(report.stages[0]!.failures[0]).toMatchObject({
        taskUuid: poison!.uuid,
        attempts: 3,
        routedTo: "failed",
        error: { name: "TypeError", message: "cannot read the image" },
      });
      expect(store.backend.count("commit")).toBe(1);
      expect((await store.tasksIn("Triage")).map((t) => t.uuid)).toEqual([poison!.uuid]);
      expect(await store.tasksIn("Pre-label")).toEqual([]);
      expect((await movesOf(store, poison!.uuid)).at(-1)).toEqual({ fromStage: "Pre-label", toStage: "Triage", pathway: "failed" });
    });

    test("the pathway may be given by UUID; a task that fails and then succeeds is not routed", async () => {
      await using store = await create({ spec: failurePathSpec, items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const attempts = new Map<string, number>();
      runner.stage("Pre-label", { onFailure: store.pathway("Pre-label", "failed").uuid.toUpperCase() }, ({ task }) => {
        const attempt = (attempts.get(task.dataTitle) ?? 0) + 1;
        attempts.set(task.dataTitle, attempt);
        if (task.dataTitle === "i-1.png" && attempt === 1) throw new Error("flaky once");
        if (task.dataTitle === "i-2.png") throw new Error("always");
        return "annotate";
      });
      const report = await runner.execute({ numRetries: 1, output: "silent" });
      expect(report.stages[0]).toMatchObject({ succeeded: 1, failed: 1, failedRouted: 1, moved: { annotate: 1 } });
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
      expect((await store.tasksIn("Triage")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
    });

    test("an error that would only repeat (a malformed return) is routed after its one attempt", async () => {
      await using store = await create({ spec: failurePathSpec, items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let calls = 0;
      runner.stage("Pre-label", { onFailure: "failed" }, () => {
        calls++;
        return 42 as unknown as string;
      });
      const report = await runner.execute({ numRetries: 3, output: "silent" });
      expect(calls).toBe(1);
      expect(report.stages[0]).toMatchObject({ failed: 1, failedRouted: 1 });
      expect(report.stages[0]!.failures[0]).toMatchObject({ attempts: 1, routedTo: "failed", error: { name: "HandlerReturnError" } });
      expect(await store.tasksIn("Triage")).toHaveLength(1);
    });

    test("a task the run gave up on while stopping is not routed: it stays for a later run", async () => {
      await using store = await create({ spec: failurePathSpec, items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      runner.stage("Pre-label", { onFailure: "failed" }, () => {
        controller.abort();
        return new Promise<string>(() => undefined);
      });
      const report = await runner.execute({ signal: controller.signal, gracePeriod: 0.05, output: "silent" });
      expect(report.end).toBe("stopped");
      expect(report.stages[0]).toMatchObject({ failed: 1, failedRouted: 0 });
      expect(report.stages[0]!.failures[0]!.routedTo).toBeUndefined();
      expect(await store.tasksIn("Pre-label")).toHaveLength(1);
      expect(await store.tasksIn("Triage")).toHaveLength(0);
    });
  });

  describe("without onFailure a task that failed for good is skipped by later passes of the same Runner", () => {
    test("polling with refreshEvery: one pass tries it, later passes skip it and say how many they skipped", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      const calls = new Map<string, number>();
      runner.stage("Pre-label", ({ task }) => {
        const count = (calls.get(task.dataTitle) ?? 0) + 1;
        calls.set(task.dataTitle, count);
        if (task.dataTitle === "i-1.png") throw new Error("poison");
        if (count === 3) controller.abort();
        return null;
      });
      const report = await runner.execute({ refreshEvery: 0.02, numRetries: 1, signal: controller.signal, output: "silent" });
      expect(report.passes).toBe(3);
      expect(calls).toEqual(
        new Map([
          ["i-1.png", 2],
          ["i-2.png", 3],
        ]),
      );
      expect(report.stages[0]).toMatchObject({ seen: 4, failed: 1, failedRouted: 0, skipped: 2, left: 3 });
      expect(report.stages[0]!.failures).toHaveLength(1);
      expect(await store.tasksIn("Pre-label")).toHaveLength(2);
    });

    test("retryFailedAfter 0 tries it on every pass", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const controller = new AbortController();
      let calls = 0;
      runner.stage("Pre-label", () => {
        if (++calls === 3) controller.abort();
        throw new Error("poison");
      });
      const report = await runner.execute({ refreshEvery: 0.02, numRetries: 0, retryFailedAfter: 0, signal: controller.signal, output: "silent" });
      expect(calls).toBe(3);
      expect(report.stages[0]).toMatchObject({ failed: 3, skipped: 0 });
    });

    test("the memory is the Runner's: a later execute() or runStage() skips the task until retryFailedAfter has passed", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let calls = 0;
      runner.stage("Pre-label", () => {
        calls++;
        throw new Error("poison");
      });
      expect((await runner.execute({ numRetries: 0, output: "silent" })).stages[0]).toMatchObject({ failed: 1, skipped: 0 });
      expect((await runner.execute({ numRetries: 0, retryFailedAfter: 3600, output: "silent" })).stages[0]).toMatchObject({ seen: 0, failed: 0, skipped: 1 });
      expect((await runner.runStage("Pre-label", { numRetries: 0 })).stages[0]).toMatchObject({ seen: 0, skipped: 1 });
      expect(calls).toBe(1);
      await sleep(60);
      // Its wait is over: tried again, failed again, remembered again.
      expect((await runner.runStage("Pre-label", { numRetries: 0, retryFailedAfter: 0.05 })).stages[0]).toMatchObject({ seen: 1, failed: 1, skipped: 0 });
      expect((await runner.execute({ numRetries: 0, retryFailedAfter: 3600, output: "silent" })).stages[0]).toMatchObject({ seen: 0, skipped: 1 });
      expect(calls).toBe(2);
      // Another Runner (another process) has its own memory.
      const fresh = new Runner({ projectHash: store.projectHash, backend: store.backend });
      fresh.stage("Pre-label", () => null);
      expect((await fresh.execute({ output: "silent" })).stages[0]).toMatchObject({ seen: 1, skipped: 0 });
    });

    test("skipped tasks do not count towards maxTasksPerStage, so failures at the head cannot starve the stage", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const seen: string[] = [];
      runner.stage("Pre-label", ({ task }) => {
        seen.push(task.dataTitle);
        if (task.dataTitle === "i-1.png") throw new Error("poison");
        return null;
      });
      await runner.execute({ maxTasksPerStage: 1, numRetries: 0, output: "silent" });
      const second = await runner.execute({ maxTasksPerStage: 1, numRetries: 0, output: "silent" });
      expect(seen).toEqual(["i-1.png", "i-2.png"]);
      expect(second.stages[0]).toMatchObject({ seen: 1, skipped: 1 });
    });
  });

  describe("an unknown onFailure pathway is a configuration error naming the accepted ones", () => {
    test("at registration when the project is known", async () => {
      await using store = await create({ spec: failurePathSpec, items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      await runner.loadProject();
      const error = thrownBy(() => runner.stage("Pre-label", { onFailure: "faild" }, () => null));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      expect(error.message).toContain(`runner.stage("Pre-label", { onFailure }, …)`);
      expect(error.message).toContain(`no pathway "faild"`);
      expect(error.message).toContain(`Did you mean "failed"?`);
      for (const name of ["annotate", "failed"]) expect(error.message).toContain(store.pathway("Pre-label", name).uuid);
    });

    test("at execute otherwise, before any task is handled", async () => {
      await using store = await create({ spec: failurePathSpec, items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let calls = 0;
      runner.stage("Pre-label", { onFailure: "00000000-0000-4000-8000-000000000000" }, () => {
        calls++;
        return null;
      });
      const error = await rejectionOf(runner.execute({ output: "silent" }));
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      expect(error.message).toMatch(/Accepted: "annotate" or "failed" or their UUIDs/);
      expect(calls).toBe(0);
      expect(store.backend.count("listStageTasks")).toBe(0);
    });

    test("onFailure that is not a non-empty string is refused at registration", () => {
      const runner = new Runner();
      for (const bad of ["", "  ", 3]) {
        const error = thrownBy(() => runner.stage("Pre-label", { onFailure: bad as string }, () => null));
        expect(error.code).toBe("TA_INVALID_ARGUMENT");
        expect(error.message).toContain("onFailure must be the name or UUID of one of the stage's pathways");
      }
    });
  });
});

describe("the report keeps counts and the first 1,000 failures", () => {
  test("1,003 failures: all counted, 1,000 listed, the text report says how many more", async () => {
    const [local] = backends;
    await using store = await local!.create({ items: 1003 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const stdout = {
      text: "",
      isTTY: false,
      write(chunk: string) {
        this.text += chunk;
        return true;
      },
    };
    const stderr = {
      text: "",
      isTTY: false,
      write(chunk: string) {
        this.text += chunk;
        return true;
      },
    };
    runner.streams = { stdout, stderr };
    runner.stage("Pre-label", () => {
      throw new Error("poison");
    });
    const report = await runner.execute({ numRetries: 0, output: "plain", logLevel: "error" });
    expect(report.stages[0]).toMatchObject({ seen: 1003, failed: 1003 });
    expect(report.stages[0]!.failures).toHaveLength(1000);
    expect(stdout.text).toContain("Failed tasks (1003):");
    expect(stdout.text).toContain("… and 953 more failures (the --json report lists the first 1,000 per stage)");
  }, 60_000);
});
