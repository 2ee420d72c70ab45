import { describe, expect, test } from "vitest";
import { QueueRunner } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { movesOf, queueRunnerOn, resultOf, resultsOf, silentLogger, specOf } from "../support/queue-fixture.js";
import { rejectionOf } from "../support/runner-fixture.js";
import { failurePathSpec } from "../support/failure-path-spec.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("QueueRunner onFailure", () => {
    test("the last failed attempt moves the task along the pathway in the call's one commit; the result says failed and where it went", async () => {
      await using store = await create({ spec: failurePathSpec, items: 2 });
      const [ok, poison] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store, { numRetries: 1 });
      let poisonAttempts = 0;
      const handle = queueRunner.stage("Pre-label", { onFailure: "failed" }, ({ task }) => {
        if (task.uuid !== poison!.uuid) return "annotate";
        poisonAttempts++;
        throw new Error("model refused the image");
      });
      const [first, second] = resultsOf(await handle([specOf(ok!), specOf(poison!)]));
      expect(poisonAttempts).toBe(2);
      expect(first).toMatchObject({ task_uuid: ok!.uuid, success: true, pathway: store.pathway("Pre-label", "annotate").uuid });
      expect(second).toMatchObject({ task_uuid: poison!.uuid, success: false, pathway: store.pathway("Pre-label", "failed").uuid });
      expect(second!.error).toContain("model refused the image");
      expect(store.backend.count("commit")).toBe(1);
      expect(await movesOf(store, poison!.uuid)).toContainEqual({ fromStage: "Pre-label", toStage: "Triage", pathway: "failed" });
      // The job's spec again: the task has left, so nothing is handled or moved twice.
      const again = resultOf(await handle(specOf(poison!)));
      expect(again).toMatchObject({ success: false, pathway: null });
      expect(again.error).toContain("not in stage");
      expect(poisonAttempts).toBe(2);
    });

    test("without onFailure the failed task stays and its result has no pathway", async () => {
      await using store = await create({ spec: failurePathSpec, items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const handle = queueRunnerOn(store).stage("Pre-label", () => {
        throw new Error("nope");
      });
      expect(resultOf(await handle(specOf(task!)))).toMatchObject({ success: false, pathway: null });
      expect(await store.tasksIn("Pre-label")).toHaveLength(1);
    });

    test("an unknown onFailure pathway fails the first call, naming the accepted ones, before any task is handled", async () => {
      await using store = await create({ spec: failurePathSpec, items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend, logger: silentLogger });
      let calls = 0;
      const handle = queueRunner.stage("Pre-label", { onFailure: "to-triage" }, () => {
        calls++;
        return null;
      });
      const error = await rejectionOf(handle(specOf(task!)));
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      expect(error.message).toContain(`{ onFailure }`);
      expect(error.message).toContain(`Accepted: "annotate" or "failed"`);
      expect(calls).toBe(0);
      expect(store.backend.count("commit")).toBe(0);
    });
  });
});
