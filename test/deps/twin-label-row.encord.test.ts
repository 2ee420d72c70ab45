/**
 * twinLabelRow on Encord (the fake server): two projects over the same data, as when one dataset
 * is attached to both. The data hashes are the same in both projects, each with a label row and a
 * task of its own, so the Encord backend (which has no matchDataInProject) looks the task's own
 * data hash up in the other project.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { EncordBackend } from "../../src/backends/encord/encord-backend.js";
import { AttributeOption, LabelRow, labelRow, Runner, twinLabelRow, type LabelRowJson, type Twin } from "../../src/index.js";
import { addEncordTwin, createEncordProject, fastEncordBackend, type AddedEncordProject, type EncordProject } from "../support/backend-fixtures.js";
import { countingBackend, type CountingBackend } from "../support/counting-backend.js";
import type { LabelRowState } from "../support/fake-encord/index.js";
import { paths } from "../support/paths.js";

const images = ["blue-tall.png", "green-wide.png", "red-square.png"];
const caption = join(paths.demoData, "caption.txt");

let source: EncordProject;
let twin: AddedEncordProject;
const opened: EncordBackend[] = [];

/** A fresh Encord backend on the fake (empty caches, as another process would be), recording its calls. */
function newBackend(): CountingBackend {
  const made = fastEncordBackend(source.fake);
  opened.push(made);
  return countingBackend(made);
}

/** The source project's data hash of an image, which is the twin project's too. */
function dataHashOf(title: string): string {
  const task = source.fake.state.tasks.find((t) => t.projectHash === source.projectHash && t.dataTitle === title);
  if (!task) throw new Error(`no task of ${title} in the source project`);
  return task.dataHash;
}

function rowOf(projectHash: string, dataHash: string): LabelRowState {
  const row = source.fake.state.labelRows.of(projectHash, dataHash);
  if (!row) throw new Error(`no label row of ${dataHash} in ${projectHash}`);
  return row;
}

/** The "Size" answers saved in a project's label row of the data, by option label. */
function sizeAnswers(projectHash: string, dataHash: string): string[] {
  const saved = rowOf(projectHash, dataHash).row;
  if (!saved) return [];
  const { ontology } = source.fake.state.projects.get(projectHash)!;
  const row = LabelRow.fromEncordDict(structuredClone(saved) as LabelRowJson, { ontology });
  return row.getClassificationInstances().flatMap((c) => {
    const answer = c.getAnswer();
    return answer instanceof AttributeOption ? [answer.label] : [];
  });
}

beforeEach(async () => {
  // The demo project holds the three images; the twin holds them too, and a text file of its own.
  source = await createEncordProject({ spec: paths.demoSpec, items: images.map((name) => join(paths.demoData, name)) });
  twin = addEncordTwin(source, { spec: paths.twinSpec, ownItems: [caption] });
  // The source's agent answers "Size" on every image; red goes straight to Complete.
  const label = new Runner({ projectHash: source.projectHash, backend: source.backend });
  label.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
    const ontology = labelRow.ontology;
    const size = ontology.getChildByTitle("Size", "classification").createInstance();
    size.setForFrames({ frames: 0 });
    const red = labelRow.dataTitle.startsWith("red");
    size.setAnswer(ontology.getChildByTitle(red ? "thumbnail" : "regular", "option"));
    labelRow.addClassificationInstance(size);
    return { pathway: red ? "skip" : "annotate", labelRow };
  });
  const report = await label.execute({ output: "silent" });
  expect(report.stages[0]).toMatchObject({ seen: 3, failed: 0 });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()));
  await source.close();
});

describe("the fake Encord server with data shared by two projects", () => {
  test("the Encord backend keeps each project's label hash apart, whichever project was listed last", async () => {
    const backend = newBackend();
    const blue = dataHashOf("blue-tall.png");
    await backend.getLabelRows(twin.projectHash, [blue]); // the twin's row exists, with a label hash of its own
    await backend.getLabelRowMetadata(source.projectHash, [blue]);
    await backend.getLabelRowMetadata(twin.projectHash, [blue]);
    const [sourceRow] = await backend.getLabelRows(source.projectHash, [blue]);
    expect(sourceRow!.label_hash).toBe(rowOf(source.projectHash, blue).labelHash);
    // A save without a label hash takes the one of its own project.
    const { label_hash: _dropped, ...withoutHash } = sourceRow!;
    await backend.commit(source.projectHash, { labelSaves: [{ dataHash: blue, labelRow: withoutHash as LabelRowJson }] });
    expect(sizeAnswers(source.projectHash, blue)).toEqual(["regular"]);
  });

  test("each project has its own task and label row for the same data hash", async () => {
    const backend = newBackend();
    const blue = dataHashOf("blue-tall.png");
    expect(twin.tasks.map((t) => t.title)).toEqual([...images, "caption.txt"]);
    expect(twin.tasks[0]!.dataHash).toBe(blue);
    expect(twin.tasks[0]!.itemUuid).toBe(rowOf(source.projectHash, blue).itemUuid);

    const [twinRow] = await backend.getLabelRows(twin.projectHash, [blue]);
    expect(twinRow!.label_hash).not.toBe(rowOf(source.projectHash, blue).labelHash);
    expect(LabelRow.fromEncordDict(twinRow!).getClassificationInstances()).toHaveLength(0);
    expect(sizeAnswers(source.projectHash, blue)).toEqual(["regular"]);
    expect(() => source.fake.state.labelRows.get(blue)).toThrow(/label row in each of the projects.*labelRows\.of/);

    const [sourceMetadata] = await backend.getLabelRowMetadata(source.projectHash, [blue]);
    const [twinMetadata] = await backend.getLabelRowMetadata(twin.projectHash, [blue]);
    expect(sourceMetadata).toMatchObject({ data_hash: blue, workflow_graph_node: { title: "Annotate" } });
    expect(twinMetadata).toMatchObject({
      data_hash: blue,
      task_uuid: twin.tasks[0]!.uuid,
      label_hash: twinRow!.label_hash,
      workflow_graph_node: { title: "Copy" },
    });
    expect(twinMetadata!.dataset_hash).toBe(sourceMetadata!.dataset_hash);

    const copy = (await backend.getProject(twin.projectHash)).stages.find((s) => s.title === "Copy")!;
    const { tasks } = await backend.listStageTasks(twin.projectHash, copy.uuid, { dataHashes: [blue] });
    expect(tasks.map((t) => t.uuid)).toEqual([twin.tasks[0]!.uuid]);
    const caption = twin.tasks[3]!.dataHash;
    expect(await backend.getLabelRowMetadata(source.projectHash, [caption])).toEqual([]);
    expect(() => source.fake.attachData(twin.projectHash, [blue])).toThrow(/already holds data/);
  });
});

describe("twinLabelRow on Encord", () => {
  test("gives each Copy task the source's label row and task, fetched per batch; an item only the twin holds gets null", async () => {
    const backend = newBackend();
    const runner = new Runner({ projectHash: twin.projectHash, backend });
    const seen = new Map<string, Twin | null>();
    runner.stage("Copy", { deps: { twin: twinLabelRow({ projectHash: source.projectHash, includeTask: true }) } }, ({ twin, task }) => {
      seen.set(task.dataTitle, twin);
      return null;
    });
    const report = await runner.execute({ output: "silent", taskBatchSize: 2 });
    expect(report.stages[0]).toMatchObject({ seen: 4, failed: 0 });

    expect(seen.get("caption.txt")).toBeNull();
    for (const title of images) {
      const found = seen.get(title)!;
      const dataHash = dataHashOf(title);
      expect(found).toMatchObject({ projectHash: source.projectHash, dataHash });
      expect(found.labelRow).toBeInstanceOf(LabelRow);
      expect(found.labelRow.dataTitle).toBe(title);
      // The source's row, with what the source's agent saved; not the twin project's own.
      expect(found.labelRow.labelHash).toBe(rowOf(source.projectHash, dataHash).labelHash);
      const [answer] = found.labelRow.getClassificationInstances();
      expect(answer!.getAnswer()).toMatchObject({ label: title.startsWith("red") ? "thumbnail" : "regular" });
      // includeTask: the source's task, in the stage the source's agent sent it to.
      const sourceTask = source.fake.state.tasks.find((t) => t.projectHash === source.projectHash && t.dataHash === dataHash)!;
      expect(found.task).toMatchObject({ uuid: sourceTask.uuid, dataHash, stageUuid: source.stage(title.startsWith("red") ? "Complete" : "Annotate").uuid });
    }
    // Nothing was created or changed in the twin project's own rows.
    for (const { dataHash } of twin.tasks) expect(rowOf(twin.projectHash, dataHash).labelHash).toBeNull();

    // Two batches of two: each asked the source project for its own items only.
    const [blue, green, red] = images.map(dataHashOf) as [string, string, string];
    const captionHash = twin.tasks[3]!.dataHash;
    const ofSource = (method: "getLabelRowMetadata" | "getLabelRows" | "listStageTasks") =>
      backend.argsOf(method).filter(([project]) => project === source.projectHash);
    expect(ofSource("getLabelRowMetadata").map(([, hashes]) => hashes)).toEqual([
      [blue, green],
      [red, captionHash],
    ]);
    expect(ofSource("getLabelRows").map(([, hashes]) => hashes)).toEqual([[blue, green], [red]]);
    expect(ofSource("listStageTasks").map(([, stage, options]) => [stage, (options as { dataHashes: string[] }).dataHashes])).toEqual([
      [source.stage("Annotate").uuid, [blue, green]],
      [source.stage("Complete").uuid, [red]],
    ]);
    // On the wire: one labelrow GET per batch, for the source's label hashes of the batch.
    const gets = source.fake.requests.filter((r) => r.queryType === "labelrow" && r.queryMethod === "GET");
    const uids = gets.map((r) => (r.body as { values: { uid: string[] } }).values.uid);
    expect(uids).toEqual([[blue, green].map((h) => rowOf(source.projectHash, h).labelHash), [rowOf(source.projectHash, red).labelHash]]);
  });

  test("copying the source's answers into the project's own rows leaves the source's rows as they were", async () => {
    const runner = new Runner({ projectHash: twin.projectHash, backend: newBackend() });
    runner.stage("Copy", { deps: { labelRow, twin: twinLabelRow({ projectHash: source.projectHash }) } }, ({ labelRow, twin }) => {
      const given = twin?.labelRow.getClassificationInstances()[0]?.getAnswer();
      if (!(given instanceof AttributeOption)) return "not labelled yet";
      const size = labelRow.ontology.getChildByTitle("Size", "classification").createInstance();
      size.setForFrames({ frames: 0 });
      size.setAnswer(labelRow.ontology.getChildByTitle(given.label, "option"));
      labelRow.addClassificationInstance(size);
      return { pathway: "copied", labelRow };
    });
    const before = images.map((title) => structuredClone(rowOf(source.projectHash, dataHashOf(title))));
    const report = await runner.execute({ output: "silent", taskBatchSize: 2 });
    expect(report.stages[0]).toMatchObject({ seen: 4, failed: 0 });

    for (const title of images) {
      const expected = title.startsWith("red") ? "thumbnail" : "regular";
      expect(sizeAnswers(twin.projectHash, dataHashOf(title))).toEqual([expected]);
      expect(sizeAnswers(source.projectHash, dataHashOf(title))).toEqual([expected]);
    }
    expect(images.map((title) => rowOf(source.projectHash, dataHashOf(title)))).toEqual(before);
    const moved = source.fake.state.history.filter((m) => m.projectHash === twin.projectHash);
    expect(moved).toHaveLength(4);
  });

  test("save() writes to the source project's label row only", async () => {
    const hashes = images.map(dataHashOf);
    // The twin project's own rows exist (created, empty) before the run.
    await newBackend().getLabelRows(twin.projectHash, hashes);
    const ownBefore = hashes.map((hash) => structuredClone(rowOf(twin.projectHash, hash)));
    expect(ownBefore.every((row) => row.labelHash !== null)).toBe(true);

    const backend = newBackend();
    const runner = new Runner({ projectHash: twin.projectHash, backend });
    runner.stage("Copy", { deps: { twin: twinLabelRow({ projectHash: source.projectHash }) } }, async ({ twin }) => {
      if (!twin) return null;
      for (const instance of twin.labelRow.getClassificationInstances()) twin.labelRow.removeClassificationInstance(instance);
      await twin.save();
      return null;
    });
    const report = await runner.execute({ output: "silent" });
    expect(report.stages[0]).toMatchObject({ seen: 4, failed: 0 });

    for (const hash of hashes) expect(sizeAnswers(source.projectHash, hash)).toEqual([]);
    expect(hashes.map((hash) => rowOf(twin.projectHash, hash))).toEqual(ownBefore);
    // Each save went to the source project, one per task, at once (not with the batch).
    const saves = backend.argsOf("commit");
    expect(saves).toHaveLength(3);
    for (const [project] of saves) expect(project).toBe(source.projectHash);
  });

  test("a twin project the server does not know fails the run with an error naming it", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    const runner = new Runner({ projectHash: twin.projectHash, backend: newBackend() });
    runner.stage("Copy", { deps: { twin: twinLabelRow({ projectHash: unknown }) } }, () => "copied");
    await expect(runner.execute({ output: "silent" })).rejects.toThrow(new RegExp(`Project ${unknown} was not found`));
    expect(source.fake.state.history.filter((m) => m.projectHash === twin.projectHash)).toHaveLength(0);
  });
});
