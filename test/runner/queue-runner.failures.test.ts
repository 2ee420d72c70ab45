import { describe, expect, test } from "vitest";
import { ConfigurationError, labelRow, QueueRunner, type TaskCompletionResult } from "../../src/index.js";
import { deferred } from "../support/deferred.js";
import { movesOf, queueRunnerOn, resultOf, resultsOf, silentLogger, specOf } from "../support/queue-fixture.js";
import { addNote, notesOf, notesSpec, expectUnknownPathwayError, rejectionOf } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

const validUuid = "00000000-0000-4000-8000-0000000000aa";

describe.each(backends)("on $name", ({ create }) => {
  describe("a task that fails gives a failed result, never an exception", () => {
    test.each([
      ["not JSON", () => "{uuid: nope", null, "not valid JSON"],
      ["JSON but not an object (a number)", () => "42", null, "not a JSON object"],
      ["JSON but not an object (an array)", () => "[]", null, "not a JSON object"],
      ["JSON null", () => "null", null, "not a JSON object"],
      ["missing uuid", (dataHash: string) => JSON.stringify({ data_hash: dataHash }), null, `"uuid" is missing`],
      ["uuid not a string", (dataHash: string) => JSON.stringify({ uuid: 7, data_hash: dataHash }), null, `"uuid" is missing`],
      // task_uuid must be a UUID or null for Python consumers
      ["uuid not a UUID", (dataHash: string) => JSON.stringify({ uuid: "task-1", data_hash: dataHash }), null, `"uuid" is "task-1", not a UUID`],
      ["missing data_hash", () => JSON.stringify({ uuid: validUuid }), validUuid, `"data_hash" is missing`],
      ["data_hash not a UUID", () => JSON.stringify({ uuid: validUuid, data_hash: "i-1.png" }), validUuid, `"data_hash" is "i-1.png", not a UUID`],
    ])("a spec that is %s: that entry fails, the others of the call succeed and are committed", async (_, badSpec, taskUuid, message) => {
      await using store = await create({ items: 2 });
      const [first, second] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      let calls = 0;
      const handle = queueRunner.stage("Pre-label", () => {
        calls++;
        return "annotate";
      });
      const results = resultsOf(await handle([specOf(first!), badSpec(first!.dataHash), specOf(second!)]));
      expect(results).toHaveLength(3);
      expect(results[1]).toMatchObject({ task_uuid: taskUuid, stage_uuid: store.stage("Pre-label").uuid, success: false, pathway: null });
      expect(results[1]!.error).toContain(message);
      // The message says what was expected.
      expect(results[1]!.error).toContain(`"uuid"`);
      expect(results[1]!.error).toContain(`"data_hash"`);
      for (const [result, task] of [
        [results[0]!, first!],
        [results[2]!, second!],
      ] as const) {
        expect(result).toEqual({
          task_uuid: task.uuid,
          stage_uuid: store.stage("Pre-label").uuid,
          success: true,
          pathway: store.pathway("Pre-label", "annotate").uuid,
          error: null,
        });
      }
      expect(calls).toBe(2);
      expect(store.backend.count("commit")).toBe(1);
      expect((await store.tasksIn("Annotate")).map((t) => t.uuid)).toEqual([first!.uuid, second!.uuid]);
    });

    test("a single bad spec gives one failed result, not an array and not an exception", async () => {
      await using store = await create({ items: 1 });
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => "annotate");
      const result = resultOf(await handle("not json"));
      expect(result).toMatchObject({ task_uuid: null, stage_uuid: store.stage("Pre-label").uuid, success: false, pathway: null });
      expect(result.error).toContain("not valid JSON");
      expect(store.backend.count("commit")).toBe(0);
      expect(await store.tasksIn("Pre-label")).toHaveLength(1);
    });

    test("a task that has left the stage: the second call with the same spec fails saying so, and the task moved once", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      let calls = 0;
      const handle = queueRunner.stage("Pre-label", () => {
        calls++;
        return "annotate";
      });
      const spec = specOf(task!);
      expect(resultOf(await handle(spec))).toMatchObject({ success: true, pathway: store.pathway("Pre-label", "annotate").uuid });

      const again = resultOf(await handle(spec));
      expect(again).toMatchObject({ task_uuid: task!.uuid, stage_uuid: store.stage("Pre-label").uuid, success: false, pathway: null });
      expect(again.error).toContain(task!.uuid);
      expect(again.error).toContain(`"Pre-label"`);
      expect(again.error).toMatch(/not in stage .* any more/);
      expect(calls).toBe(1);
      expect(store.backend.count("commit")).toBe(1);
      const fromPreLabel = (await movesOf(store, task!.uuid)).filter((m) => m.fromStage === "Pre-label");
      expect(fromPreLabel).toEqual([{ fromStage: "Pre-label", toStage: "Annotate", pathway: "annotate" }]);
      expect((await store.tasksIn("Annotate")).map((t) => t.uuid)).toEqual([task!.uuid]);
    });

    test("a task moved by someone else, in a call with tasks still there: only that entry fails", async () => {
      await using store = await create({ items: 3 });
      const tasks = await store.tasksIn("Pre-label");
      await store.moveTask(tasks[1]!.uuid, "Pre-label", "skip");
      const queueRunner = queueRunnerOn(store);
      const handled: string[] = [];
      const handle = queueRunner.stage("Pre-label", ({ task }) => {
        handled.push(task.dataTitle);
        return "annotate";
      });
      const results = resultsOf(await handle(tasks.map(specOf)));
      expect(results.map((r) => r.success)).toEqual([true, false, true]);
      expect(results[1]!.task_uuid).toBe(tasks[1]!.uuid);
      expect(results[1]!.error).toContain("any more");
      expect(handled).toEqual(["i-1.png", "i-3.png"]);
      expect((await store.tasksIn("Complete")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-1.png", "i-3.png"]);
    });

    test("a spec naming a task that never existed fails as not in the stage", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => "annotate");
      const result = resultOf(await handle(JSON.stringify({ uuid: validUuid, data_hash: task!.dataHash })));
      expect(result).toMatchObject({ task_uuid: validUuid, success: false, pathway: null });
      expect(result.error).toContain("any more");
      expect(await store.tasksIn("Pre-label")).toHaveLength(1);
    });

    test("a handler that throws: that entry fails with the message and the stack; the others are committed", async () => {
      await using store = await create({ spec: notesSpec, items: 3 });
      const tasks = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      let calls = 0;
      const handle = queueRunner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
        calls++;
        addNote(labelRow, `ok ${task.dataTitle}`);
        if (task.dataTitle === "i-2.png") throw new TypeError(`boom in ${task.dataTitle}`);
        return { pathway: "skip", labelRow };
      });
      const results = resultsOf(await handle(tasks.map(specOf)));
      expect(results.map((r) => r.success)).toEqual([true, false, true]);
      const failed = results[1]!;
      expect(failed).toMatchObject({ task_uuid: tasks[1]!.uuid, stage_uuid: store.stage("Pre-label").uuid, pathway: null });
      expect(failed.error).toContain("TypeError");
      expect(failed.error).toContain("boom in i-2.png");
      // The stack points at the handler.
      expect(failed.error).toContain("queue-runner.failures.test.ts");
      expect(failed.error).toMatch(/\n\s+at /);
      expect(calls).toBe(3);
      expect(store.backend.count("commit")).toBe(1);
      expect(store.backend.commits[0]!.moves?.map((m) => m.taskUuid)).toEqual([tasks[0]!.uuid, tasks[2]!.uuid]);
      expect(store.backend.commits[0]!.labelSaves?.map((s) => s.dataHash)).toEqual([tasks[0]!.dataHash, tasks[2]!.dataHash]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
      expect(notesOf(await store.labelRow(tasks[0]!.dataHash))).toEqual(["ok i-1.png"]);
      expect(notesOf(await store.labelRow(tasks[2]!.dataHash))).toEqual(["ok i-3.png"]);
      // The failed entry's edits are not saved.
      expect((await store.labelRow(tasks[1]!.dataHash)).classification_answers).toEqual({});
    });

    test("a handler that throws something that is not an Error still gives a failed result", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw "plain string";
      });
      const result = resultOf(await handle(specOf(task!)));
      expect(result).toMatchObject({ task_uuid: task!.uuid, success: false, pathway: null });
      expect(result.error).toContain("plain string");
    });

    test("a malformed return value fails that task only", async () => {
      await using store = await create({ items: 2 });
      const tasks = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", ({ task }) => (task.dataTitle === "i-1.png" ? ({ pathway: "annotate", extra: 1 } as never) : "annotate"));
      const results = resultsOf(await handle(tasks.map(specOf)));
      expect(results.map((r) => r.success)).toEqual([false, true]);
      expect(results[0]!.error).toContain(`"extra"`);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
    });

    test("with numRetries, a failed attempt is retried within the call", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store, { numRetries: 1 });
      let attempts = 0;
      const handle = queueRunner.stage("Pre-label", () => {
        if (++attempts === 1) throw new Error("flaky");
        return "annotate";
      });
      expect(resultOf(await handle(specOf(task!)))).toMatchObject({ success: true, error: null });
      expect(attempts).toBe(2);
    });

    test("with taskTimeout, an attempt that does not finish fails that task with a timeout error", async () => {
      await using store = await create({ items: 2 });
      const tasks = await store.tasksIn("Pre-label");
      const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend, logger: silentLogger, taskTimeout: 0.05 });
      const handle = queueRunner.stage("Pre-label", async ({ task, signal }) => {
        if (task.dataTitle === "i-1.png") {
          // Never answers; ends only when its signal is aborted.
          await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        }
        return "annotate";
      });
      const results = resultsOf(await handle(tasks.map(specOf)));
      expect(results.map((r) => r.success)).toEqual([false, true]);
      expect(results[0]!.error).toContain("taskTimeout");
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
    });

    test("the same task in two calls at once: it moves once; the other call reports the refused move", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => "annotate");
      const results = await Promise.all([handle(specOf(task!)), handle(specOf(task!))]);
      const parsed = results.map(resultOf);
      expect(parsed.map((r) => r.success).sort()).toEqual([false, true]);
      const refused = parsed.find((r) => !r.success)!;
      expect(refused).toMatchObject({ task_uuid: task!.uuid, pathway: null });
      expect(refused.error).toMatch(/\S/);
      expect((await movesOf(store, task!.uuid)).filter((m) => m.fromStage === "Pre-label")).toHaveLength(1);
    });

    test("the same task twice in one call: handled once, the second entry fails", async () => {
      await using store = await create({ items: 2 });
      const [task, other] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handled: string[] = [];
      const handle = queueRunner.stage("Pre-label", ({ task }) => {
        handled.push(task.dataTitle);
        return "annotate";
      });
      const results = resultsOf(await handle([specOf(task!), specOf(other!), specOf(task!)]));
      expect(results.map((r) => [r.task_uuid, r.success])).toEqual([
        [task!.uuid, true],
        [other!.uuid, true],
        [task!.uuid, false],
      ]);
      expect(results[0]!.pathway).toBe(store.pathway("Pre-label", "annotate").uuid);
      expect(results[2]!.pathway).toBeNull();
      expect(results[2]!.error).toContain(task!.uuid);
      expect(results[2]!.error).toContain("twice");
      expect(handled).toEqual(["i-1.png", "i-2.png"]);
      expect(store.backend.commits).toHaveLength(1);
      expect(store.backend.commits[0]!.moves).toHaveLength(2);
      expect((await movesOf(store, task!.uuid)).filter((m) => m.fromStage === "Pre-label")).toHaveLength(1);
    });

    test("all kinds of failure in one call: each entry gets its own error, the good ones are committed", async () => {
      await using store = await create({ items: 4 });
      const tasks = await store.tasksIn("Pre-label");
      // i-4 leaves the stage before the call.
      await store.moveTask(tasks[3]!.uuid, "Pre-label", "skip");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", ({ task }) => {
        if (task.dataTitle === "i-2.png") throw new Error("handler broke");
        return "annotate";
      });
      const input = [
        "oops",
        specOf(tasks[0]!),
        JSON.stringify({ uuid: tasks[2]!.uuid }),
        specOf(tasks[1]!),
        specOf(tasks[3]!),
        specOf(tasks[2]!),
        specOf(tasks[0]!),
      ];
      const results: TaskCompletionResult[] = resultsOf(await handle(input));
      expect(results.map((r) => r.success)).toEqual([false, true, false, false, false, true, false]);
      const errors = results.map((r) => r.error ?? "");
      expect(errors[0]).toContain("not valid JSON");
      expect(errors[2]).toContain(`"data_hash" is missing`);
      expect(errors[3]).toContain("handler broke");
      expect(errors[4]).toContain("any more");
      expect(errors[6]).toContain("twice");
      expect(new Set(errors.filter((e) => e !== "")).size).toBe(5);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-1.png", "i-3.png"]);
      expect(store.backend.count("commit")).toBe(1);
    });
  });

  describe("configuration errors are thrown", () => {
    test.each([
      ["name", "anotate"],
      ["UUID", "00000000-0000-4000-8000-00000000beef"],
    ])("an unknown pathway by %s: a ConfigurationError naming the accepted pathways, after committing the other decisions", async (_, bad) => {
      await using store = await create({ spec: notesSpec, items: 3 });
      const tasks = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handled: string[] = [];
      const handle = queueRunner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
        handled.push(task.dataTitle);
        if (task.dataTitle === "i-2.png") return bad;
        addNote(labelRow, "decided");
        return { pathway: "annotate", labelRow };
      });
      const error = await rejectionOf(handle(tasks.map(specOf)));
      expectUnknownPathwayError(error, bad, store);
      // i-1 was decided before the bad answer: committed. The run stopped before i-3.
      expect(handled).toEqual(["i-1.png", "i-2.png"]);
      expect(store.backend.count("commit")).toBe(1);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
      expect(notesOf(await store.labelRow(tasks[0]!.dataHash))).toEqual(["decided"]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-2.png", "i-3.png"]);
    });

    test("with concurrency, a handler in flight when an unknown pathway comes back finishes and its decision is committed", async () => {
      await using store = await create({ items: 3 });
      const tasks = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store, { concurrency: 2 });
      const badReturned = deferred();
      const handled: string[] = [];
      let abortedInFlight: boolean | undefined;
      const handle = queueRunner.stage("Pre-label", async ({ task, signal }) => {
        handled.push(task.dataTitle);
        if (task.dataTitle === "i-1.png") {
          badReturned.resolve();
          return "nowhere";
        }
        // Still working well after the bad answer was seen (no time is measured).
        await badReturned.promise;
        await new Promise((resolve) => setTimeout(resolve, 20));
        abortedInFlight = signal.aborted;
        return "annotate";
      });
      const error = await rejectionOf(handle(tasks.map(specOf)));
      expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
      // The call ends only after the in-flight handler did, without aborting it.
      expect(abortedInFlight).toBe(false);
      expect(handled).toEqual(["i-1.png", "i-2.png"]);
      expect(store.backend.count("commit")).toBe(1);
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-1.png", "i-3.png"]);
    });

    test("after an unknown pathway the wrapped handler still works for the next call", async () => {
      await using store = await create({ items: 2 });
      const [task, other] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", ({ task }) => (task.dataTitle === "i-1.png" ? "nowhere" : "skip"));
      await expect(handle(specOf(task!))).rejects.toMatchObject({ code: "TA_UNKNOWN_PATHWAY" });
      expect(resultOf(await handle(specOf(other!)))).toMatchObject({ task_uuid: other!.uuid, success: true, pathway: store.pathway("Pre-label", "skip").uuid });
    });

    test("labelRowPriority without willSetPriority or a labelRow dependency is a configuration error; nothing is set", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const before = await store.priority(task!.dataHash);
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", () => ({ pathway: "annotate", labelRowPriority: 0 }));
      const error = await rejectionOf(handle(specOf(task!)));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain("willSetPriority");
      expect(await store.priority(task!.dataHash)).toBe(before);
      expect((await store.tasksIn("Pre-label")).map((t) => t.uuid)).toEqual([task!.uuid]);
    });

    test("with a labelRow dependency, labelRowPriority needs no willSetPriority", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const queueRunner = queueRunnerOn(store);
      const handle = queueRunner.stage("Pre-label", { deps: { labelRow } }, () => ({ labelRowPriority: 0 }));
      expect(resultOf(await handle(specOf(task!)))).toMatchObject({ success: true, pathway: null });
      expect(await store.priority(task!.dataHash)).toBe(0);
    });
  });
});
