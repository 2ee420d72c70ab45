import { describe, expect, test } from "vitest";
import { BoundingBoxCoordinates, defineDependency, labelRow, Runner, type LabelRow } from "../../src/index.js";
import { addNote, notesOf, notesSpec } from "../support/runner-fixture.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("retries", () => {
    test("a handler that fails twice and then succeeds, with numRetries 3, succeeds on its third attempt", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let attempts = 0;
      runner.stage("Pre-label", () => {
        attempts++;
        if (attempts < 3) throw new Error(`flaky ${attempts}`);
        return "annotate";
      });
      const report = await runner.execute({ numRetries: 3, output: "silent" });
      expect(attempts).toBe(3);
      expect(report.stages[0]).toMatchObject({ seen: 1, succeeded: 1, failed: 0, failures: [], moved: { annotate: 1 } });
      expect(await store.tasksIn("Annotate")).toHaveLength(1);
    });

    test("a task that always fails is reported with its UUID, attempts and error, stays in its stage, and the others go on", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const [, failing] = await store.tasksIn("Pre-label");
      const calls = new Map<string, number>();
      runner.stage("Pre-label", ({ task }) => {
        calls.set(task.dataTitle, (calls.get(task.dataTitle) ?? 0) + 1);
        if (task.uuid === failing!.uuid) throw new TypeError("cannot read the image");
        return "annotate";
      });
      const report = await runner.execute({ numRetries: 2, output: "silent" });
      expect(calls).toEqual(
        new Map([
          ["i-1.png", 1],
          ["i-2.png", 3],
          ["i-3.png", 1],
        ]),
      );
      expect(report.end).toBe("completed");
      expect(report.stages[0]).toMatchObject({ seen: 3, succeeded: 2, failed: 1, moved: { annotate: 2 } });
      expect(report.stages[0]!.failures).toHaveLength(1);
      expect(report.stages[0]!.failures[0]).toMatchObject({
        taskUuid: failing!.uuid,
        dataTitle: "i-2.png",
        attempts: 3,
        error: { name: "TypeError", message: "cannot read the image" },
      });
      expect((await store.tasksIn("Pre-label")).map((t) => t.uuid)).toEqual([failing!.uuid]);
    });

    test("by default a task gets up to four attempts", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let attempts = 0;
      runner.stage("Pre-label", () => {
        attempts++;
        throw new Error("always");
      });
      const report = await runner.execute({ output: "silent" });
      expect(attempts).toBe(4);
      expect(report.stages[0]!.failures[0]!.attempts).toBe(4);
    });

    test("numRetries 0 means one attempt; a thrown non-error is reported as an Error", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let attempts = 0;
      runner.stage("Pre-label", () => {
        attempts++;
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw "plain string";
      });
      const report = await runner.execute({ numRetries: 0, output: "silent" });
      expect(attempts).toBe(1);
      expect(report.stages[0]!.failures[0]).toMatchObject({ attempts: 1, error: { name: "Error", message: "plain string" } });
    });

    test("what a failed attempt changes in the objects its label row hands out is not seen by the next attempt", async () => {
      await using store = await create({ spec: notesSpec, items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const atStart: unknown[] = [];
      runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
        atStart.push(structuredClone({ dict: labelRow.toEncordDict(), clientMetadata: labelRow.clientMetadata, node: labelRow.workflowGraphNode }));
        if (atStart.length > 1) return "annotate";
        // Everything reachable from what the row hands out is changed in place.
        for (const handedOut of [labelRow.toEncordDict(), labelRow.clientMetadata, labelRow.workflowGraphNode]) scribble(handedOut);
        throw new Error("first attempt fails");
      });
      const report = await runner.execute({ numRetries: 1, output: "silent" });
      expect(report.stages[0]).toMatchObject({ succeeded: 1 });
      expect(atStart).toHaveLength(2);
      expect(atStart[1]).toEqual(atStart[0]);
    });

    test("every attempt gets a fresh label row; edits of a failed attempt are never seen again nor saved", async () => {
      await using store = await create({ spec: notesSpec, items: 2 });
      const [retried, doomed] = await store.tasksIn("Pre-label");
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const rows: LabelRow[] = [];
      const seenAtStart: { classifications: number; objects: number; priority: number | null }[] = [];
      runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow, task }) => {
        const attempt = rows.filter((r) => r.dataHash === task.dataHash).length + 1;
        rows.push(labelRow);
        if (task.uuid === retried!.uuid) {
          seenAtStart.push({
            classifications: labelRow.getClassificationInstances().length,
            objects: labelRow.getObjectInstances().length,
            priority: labelRow.priority,
          });
        }
        addNote(labelRow, `attempt-${attempt}`);
        const box = labelRow.ontology.getChildByTitle("Cat", "object").createInstance();
        box.setForFrames(new BoundingBoxCoordinates({ height: 0.1 * attempt, width: 0.1, topLeftX: 0, topLeftY: 0 }), { frames: 0 });
        labelRow.addObjectInstance(box);
        labelRow.setPriority(0.1 * attempt);
        if (task.uuid === doomed!.uuid || attempt === 1) throw new Error(`attempt ${attempt} failed`);
        return { pathway: "annotate", labelRow };
      });
      const report = await runner.execute({ numRetries: 1, output: "silent" });
      expect(report.stages[0]).toMatchObject({ succeeded: 1, failed: 1 });
      // Two attempts each, four distinct rows.
      expect(rows).toHaveLength(4);
      expect(new Set(rows).size).toBe(4);
      // The second attempt started from the row as stored, without the first attempt's edits.
      expect(seenAtStart).toEqual([
        { classifications: 0, objects: 0, priority: 0.5 },
        { classifications: 0, objects: 0, priority: 0.5 },
      ]);
      // Only the successful attempt's note and box were saved.
      const saved = await store.labelRow(retried!.dataHash);
      expect(notesOf(saved)).toEqual(["attempt-2"]);
      const units = Object.values(saved.data_units) as { labels: { objects: { boundingBox: unknown }[] } }[];
      expect(units.flatMap((u) => u.labels.objects.map((o) => o.boundingBox))).toEqual([{ h: 0.2, w: 0.1, x: 0, y: 0 }]);
      expect(Object.keys(saved.object_answers)).toHaveLength(1);
      expect(await store.priority(retried!.dataHash)).toBeCloseTo(0.2);
      // The task that failed for good keeps its row and priority untouched.
      const untouched = await store.labelRow(doomed!.dataHash);
      expect(untouched.classification_answers).toEqual({});
      expect(untouched.object_answers).toEqual({});
      expect(await store.priority(doomed!.dataHash)).toBe(0.5);
      expect(store.backend.commits[0]!.labelSaves?.map((s) => s.dataHash)).toEqual([retried!.dataHash]);
    });

    test("every attempt resolves user dependencies afresh and disposes them, in reverse order, even after a failure", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const log: string[] = [];
      let made = 0;
      const client = defineDependency({
        resolve: () => {
          log.push("resolve client");
          return { id: ++made };
        },
        dispose: (value) => void log.push(`dispose client ${value.id}`),
      });
      const session = defineDependency({
        deps: { client },
        resolve: ({ client }) => {
          log.push(`resolve session of client ${client.id}`);
          return { clientId: client.id };
        },
        dispose: (value) => void log.push(`dispose session of client ${value.clientId}`),
      });
      let attempt = 0;
      runner.stage("Pre-label", { deps: { session } }, ({ session }) => {
        attempt++;
        log.push(`handler attempt ${attempt} with client ${session.clientId}`);
        if (attempt < 3) throw new Error("try again");
        return "annotate";
      });
      const report = await runner.execute({ numRetries: 3, output: "silent" });
      expect(report.stages[0]!.succeeded).toBe(1);
      expect(log).toEqual(
        [1, 2, 3].flatMap((n) => [
          "resolve client",
          `resolve session of client ${n}`,
          `handler attempt ${n} with client ${n}`,
          `dispose session of client ${n}`,
          `dispose client ${n}`,
        ]),
      );
    });

    test("dependencies are disposed after every attempt of a task that fails for good", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let resolved = 0;
      let disposed = 0;
      const resource = defineDependency({ resolve: () => ++resolved, dispose: () => void disposed++ });
      runner.stage("Pre-label", { deps: { resource } }, () => {
        throw new Error("always");
      });
      const report = await runner.execute({ numRetries: 2, output: "silent" });
      expect(report.stages[0]!.failures[0]!.attempts).toBe(3);
      expect(resolved).toBe(3);
      expect(disposed).toBe(3);
    });

    describe("a wrong return value is a task failure, not a crash, and is not retried", () => {
      test.each([
        ["a number", 42, "number 42"],
        ["an unknown key", { pathway: "annotate", priority: 0.5 }, `"priority"`],
        ["a pathway that is not a string", { pathway: 3 }, "pathway number 3"],
        ["an array", ["annotate"], "an array"],
        ["a Date (not the way to leave a task)", new Date(0), "a Date"],
        ["a class instance", new URL("https://example.com/annotate"), "an instance of URL"],
        ["a priority out of range", { pathway: "annotate", labelRowPriority: 2 }, "labelRowPriority number 2"],
        ["a priority that is NaN", { pathway: "annotate", labelRowPriority: Number.NaN }, "labelRowPriority number NaN"],
        ["a labelRow that is not a label row", { pathway: "annotate", labelRow: { data_hash: "x" } }, "labelRow"],
      ])("%s", async (_, value, described) => {
        await using store = await create({ items: 2 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        let calls = 0;
        runner.stage("Pre-label", { willSetPriority: true }, ({ task }) => {
          calls++;
          return (task.dataTitle === "i-1.png" ? value : "annotate") as never;
        });
        const report = await runner.execute({ numRetries: 1, output: "silent" });
        expect(report.end).toBe("completed");
        // The same code returns the same wrong value every time: one attempt, no retry.
        expect(calls).toBe(2);
        expect(report.stages[0]).toMatchObject({ seen: 2, succeeded: 1, failed: 1, moved: { annotate: 1 } });
        const failure = report.stages[0]!.failures[0]!;
        expect(failure).toMatchObject({ dataTitle: "i-1.png", attempts: 1, error: { name: "HandlerReturnError" } });
        expect(failure.error.message).toContain(described);
        expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-1.png"]);
      });
    });

    test("a dependency whose resolve throws fails the task (with retries), never the run", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let resolves = 0;
      const model = defineDependency({
        name: "model",
        resolve: ({ task }) => {
          resolves++;
          if (task.dataTitle === "i-2.png") throw new Error("model weights missing");
          return { predict: () => "annotate" as const };
        },
      });
      let handled = 0;
      runner.stage("Pre-label", { deps: { model } }, ({ model }) => {
        handled++;
        return model.predict();
      });
      const report = await runner.execute({ numRetries: 2, output: "silent" });
      expect(report.end).toBe("completed");
      expect(handled).toBe(2);
      expect(resolves).toBe(2 + 3);
      expect(report.stages[0]).toMatchObject({ seen: 3, succeeded: 2, failed: 1, moved: { annotate: 2 } });
      expect(report.stages[0]!.failures[0]).toMatchObject({ dataTitle: "i-2.png", attempts: 3, error: { message: "model weights missing" } });
    });

    test("an async dependency that rejects fails the task the same way", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const remote = defineDependency({
        resolve: async () => {
          await Promise.resolve();
          throw new Error("connection refused");
        },
      });
      runner.stage("Pre-label", { deps: { remote } }, () => "annotate");
      const report = await runner.execute({ numRetries: 0, output: "silent" });
      expect(report.stages[0]!.failures[0]).toMatchObject({ attempts: 1, error: { message: "connection refused" } });
    });
  });
});

/** Changes every object and array reachable from `value` in place. */
function scribble(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  for (const inner of Object.values(value)) scribble(inner);
  if (Array.isArray(value)) value.push("scribbled");
  else (value as Record<string, unknown>)["scribbled"] = true;
}
