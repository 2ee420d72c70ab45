import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LabelRow, labelRow, localBackend, Runner, twinLabelRow, type LocalBackend, type Twin } from "../../src/index.js";
import { countingBackend } from "../support/counting-backend.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";

const [blue, green, red, caption] = ["blue-tall.png", "green-wide.png", "red-square.png", "caption.txt"].map((name) => join(paths.demoData, name));
const onlyInTwin = join(paths.mediaData, "one-red.png");

describe("twinLabelRow on the local store", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: LocalBackend;
  let source: string;
  let twin: string;

  beforeEach(async () => {
    dir = tempDir();
    store = localBackend({ storePath: join(dir.path, "store.db") });
    source = store.createProject(paths.demoSpec);
    twin = store.createProject(paths.twinSpec);
    await store.addData(source, { paths: [blue!, green!, red!, caption!], actor: "tester" });
    // The twin holds three of the source's files and one the source lacks.
    await store.addData(twin, { paths: [blue!, red!, caption!, onlyInTwin], actor: "tester" });
    // The source's agent answers "Size" on every image.
    const label = new Runner({ projectHash: source, backend: store });
    label.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
      if (labelRow.dataType !== "image") return "skip";
      const ontology = labelRow.ontology;
      const size = ontology.getChildByTitle("Size", "classification").createInstance();
      size.setForFrames({ frames: 0 });
      size.setAnswer(ontology.getChildByTitle(labelRow.dataTitle.startsWith("red") ? "thumbnail" : "regular", "option"));
      labelRow.addClassificationInstance(size);
      return { pathway: "annotate", labelRow };
    });
    await label.execute({ output: "silent" });
  });

  afterEach(async () => {
    await store.close();
    dir[Symbol.dispose]();
  });

  test("gives each task the label row of the same file in the other project, fetched per batch", async () => {
    const backend = countingBackend(store);
    const runner = new Runner({ projectHash: twin, backend });
    const seen = new Map<string, Twin | null>();
    runner.stage("Copy", { deps: { twin: twinLabelRow({ projectHash: source, includeTask: true }) } }, ({ twin, task }) => {
      seen.set(task.dataTitle, twin);
      return null;
    });
    await runner.execute({ output: "silent", taskBatchSize: 2 });

    expect(seen.get("one-red.png")).toBeNull();
    expect(seen.get("caption.txt")!.labelRow.getClassificationInstances()).toEqual([]);
    for (const title of ["blue-tall.png", "red-square.png"]) {
      const found = seen.get(title)!;
      expect(found.projectHash).toBe(source);
      expect(found.labelRow).toBeInstanceOf(LabelRow);
      expect(found.labelRow.dataTitle).toBe(title);
      const [answer] = found.labelRow.getClassificationInstances();
      expect(answer!.getAnswer()).toMatchObject({ label: title.startsWith("red") ? "thumbnail" : "regular" });
      // includeTask: the twin's task, in the stage the source's agent sent it to.
      expect(found.task).toMatchObject({
        dataHash: found.dataHash,
        stageUuid: (await store.getProject(source)).stages.find((s) => s.title === "Annotate")!.uuid,
      });
    }
    // Two batches of two: each asked the source project for its own items only (the second
    // batch's one-red.png is not in the source).
    const metadataCalls = backend.argsOf("getLabelRowMetadata").filter(([project]) => project === source);
    expect(metadataCalls.map(([, hashes]) => (hashes as string[]).length)).toEqual([2, 1]);
    expect(backend.argsOf("getLabelRows").filter(([project]) => project === source)).toHaveLength(2);
    expect(backend.count("matchDataInProject")).toBe(2);
  });

  test("save() writes the twin's labels to the twin project at once", async () => {
    const runner = new Runner({ projectHash: twin, backend: store });
    runner.stage("Copy", { deps: { twin: twinLabelRow({ projectHash: source }) } }, async ({ twin }) => {
      if (!twin) return null;
      for (const instance of twin.labelRow.getClassificationInstances()) twin.labelRow.removeClassificationInstance(instance);
      await twin.save();
      return null;
    });
    await runner.execute({ output: "silent" });
    const [blue] = await store.getLabelRows(source, [(await store.listProjectTasks(source)).tasks.find((t) => t.dataTitle === "blue-tall.png")!.dataHash]);
    expect(LabelRow.fromEncordDict(blue!).getClassificationInstances()).toHaveLength(0);
  });

  test("initLabels: false leaves the labels out and says so when they are read; bad options fail at once", async () => {
    const runner = new Runner({ projectHash: twin, backend: store });
    const errors: string[] = [];
    runner.stage("Copy", { deps: { twin: twinLabelRow({ projectHash: source, initLabels: false }) } }, ({ twin }) => {
      if (twin) {
        expect(twin.metadata.data_title).toMatch(/\.(png|txt)$/);
        try {
          void twin.labelRow;
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      return null;
    });
    await runner.execute({ output: "silent" });
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/twin's labels were not loaded.*initLabels/);

    expect(() => twinLabelRow({ projectHash: "nope" })).toThrow(/projectHash must be the twin project's UUID, got "nope"/);
    expect(() => twinLabelRow({ projectHash: source, include: true } as never)).toThrow(/unknown option include/);
    expect(() => twinLabelRow(undefined as never)).toThrow(/needs an options object/);
  });

  test("a twin project that does not exist fails the run with a clear error", async () => {
    const runner = new Runner({ projectHash: twin, backend: store });
    runner.stage("Copy", { deps: { twin: twinLabelRow({ projectHash: "00000000-0000-4000-8000-000000000000" }) } }, () => null);
    await expect(runner.execute({ output: "silent" })).rejects.toThrow(/00000000-0000-4000-8000-000000000000/);
  });
});
