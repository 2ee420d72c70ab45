import { describe, expect, test } from "vitest";
import { ConfigurationError, defineDependency, LabelRow, labelRow, Runner } from "../../src/index.js";
import { makeDependency } from "../../src/deps/define-dependency.js";
import { projectOntology } from "../../src/deps/project-ontology.js";
import { backends } from "../support/backend-fixtures.js";
import { rejectionOf } from "../support/runner-fixture.js";

/**
 * The runner learns what a stage may do from what its dependencies declare (docs/architecture.md),
 * not from which built-ins they are: these dependencies read the task's label row as the built-in
 * does but are other objects.
 */
const rowReader = (prefetch: ("labelRowMetadata" | "labelRow")[]) =>
  makeDependency<LabelRow | undefined>({
    deps: {},
    prefetch,
    label: `rowReader(${prefetch.join(", ")})`,
    resolve: ({ context, prefetched }) =>
      prefetched.labelRow === undefined
        ? undefined
        : LabelRow.fromEncordDict(prefetched.labelRow, { metadata: prefetched.metadata, ontology: projectOntology(context.project.ontology) }),
  });

describe.each(backends)("on $name", ({ create }) => {
  describe("a dependency's declared label-row capability", () => {
    test("a dependency other than labelRow that reads the task's label row may set priority without willSetPriority", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { row: rowReader(["labelRowMetadata", "labelRow"]) } }, ({ row, task }) => ({
        pathway: "annotate",
        labelRow: row!,
        labelRowPriority: task.dataTitle === "i-1.png" ? 0.1 : 0.9,
      }));
      const report = await runner.execute({ output: "silent" });
      expect(report.stages[0]).toMatchObject({ succeeded: 2, moved: { annotate: 2 } });
      const byTitle = new Map((await store.tasksIn("Annotate")).map((t) => [t.dataTitle, t]));
      expect(await store.priority(byTitle.get("i-1.png")!.dataHash)).toBe(0.1);
      expect(await store.priority(byTitle.get("i-2.png")!.dataHash)).toBe(0.9);
    });

    test("one without it may not: the same configuration error as a stage with no dependency, nothing set", async () => {
      await using store = await create({ items: 1 });
      const [task] = await store.tasksIn("Pre-label");
      const before = await store.priority(task!.dataHash);
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { row: rowReader(["labelRowMetadata"]) } }, () => ({ pathway: "annotate", labelRowPriority: 0.3 }));
      const error = await rejectionOf(runner.execute({ output: "silent" }));

      const plain = new Runner({ projectHash: store.projectHash, backend: store.backend });
      plain.stage("Pre-label", () => ({ pathway: "annotate", labelRowPriority: 0.3 }));
      const plainError = await rejectionOf(plain.execute({ output: "silent" }));

      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain("willSetPriority");
      expect(error.message).toBe(plainError.message);
      expect(await store.priority(task!.dataHash)).toBe(before);
      expect(await store.tasksIn("Pre-label")).toHaveLength(1);
    });

    test("a user dependency that needs labelRow carries its capability to the stage", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const prioritised = defineDependency({ deps: { labelRow }, resolve: ({ labelRow }) => labelRow });
      runner.stage("Pre-label", { deps: { row: prioritised } }, ({ row }) => ({ pathway: "annotate", labelRow: row, labelRowPriority: 0.4 }));
      await runner.execute({ output: "silent" });
      const [moved] = await store.tasksIn("Annotate");
      expect(await store.priority(moved!.dataHash)).toBe(0.4);
    });
  });
});
