import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { AttributeOption, BoundingBoxCoordinates, labelRow, Runner, type AnswerValue, type LabelRow } from "../../src/index.js";
import { paths } from "../support/paths.js";
import { cliOk } from "../support/run-cli.js";
import { backends, type BackendProject } from "../support/backend-fixtures.js";

const hashes = { cat: "Y2F0Ym94", quality: "cXVhbGl0eQ==", qualityRadio: "cXVhbGl0eXJhZGlv", good: "Z29vZA==", blurry: "Ymx1cnJ5" } as const;

/**
 * A "Cat" box and a radio classification "Quality" (good / blurry). Pre-label (an agent) draws
 * and answers; Triage (a second agent) routes by the answer: good items are done, blurry ones go
 * to people.
 */
const catQualitySpec = {
  title: "Cats and quality",
  ontology: {
    objects: [{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: hashes.cat }],
    classifications: [
      {
        id: "2",
        featureNodeHash: hashes.quality,
        attributes: [
          {
            id: "2.1",
            name: "Quality",
            type: "radio",
            featureNodeHash: hashes.qualityRadio,
            required: false,
            options: [
              { id: "2.1.1", label: "good", value: "good", featureNodeHash: hashes.good },
              { id: "2.1.2", label: "blurry", value: "blurry", featureNodeHash: hashes.blurry },
            ],
          },
        ],
      },
    ],
  },
  workflow: {
    stages: [
      { title: "Start", type: "START", to: "Pre-label" },
      { title: "Pre-label", type: "AGENT", pathways: [{ name: "labelled", to: "Triage" }] },
      {
        title: "Triage",
        type: "AGENT",
        pathways: [
          { name: "good", to: "Complete" },
          { name: "blurry", to: "Relabel" },
        ],
      },
      { title: "Relabel", type: "ANNOTATION", to: "Complete" },
      { title: "Complete", type: "DONE" },
    ],
  },
} as const;

/** The three PNGs of examples/data, with the box and the quality the Pre-label agent gives each. */
const plan: Record<string, { box: { height: number; width: number; topLeftX: number; topLeftY: number }; quality: "good" | "blurry" }> = {
  "blue-tall.png": { box: { height: 0.5, width: 0.25, topLeftX: 0.1, topLeftY: 0.2 }, quality: "good" },
  "green-wide.png": { box: { height: 0.4, width: 0.6, topLeftX: 0.3, topLeftY: 0.05 }, quality: "blurry" },
  "red-square.png": { box: { height: 1, width: 1, topLeftX: 0, topLeftY: 0 }, quality: "good" },
};
const pngs = Object.keys(plan).map((name) => join(paths.demoData, name));

function planOf(title: string): (typeof plan)[string] {
  const found = plan[title];
  if (found === undefined) throw new Error(`no plan for ${title}`);
  return found;
}

/** The Pre-label agent: a Cat box (not manual, confidence 0.8) and the Quality answer of the plan. */
function preLabel(row: LabelRow, title: string, answer: (quality: AttributeOption) => AnswerValue = (option) => option): void {
  const { box, quality } = planOf(title);
  const cat = row.ontology.getChildByTitle("Cat", "object").createInstance();
  cat.setForFrames(new BoundingBoxCoordinates(box), { frames: 0, manualAnnotation: false, confidence: 0.8 });
  row.addObjectInstance(cat);
  const qualityInstance = row.ontology.getChildByTitle("Quality", "classification").createInstance();
  qualityInstance.setForFrames({ frames: 0 });
  const option = row.ontology.getChildByTitle("Quality", "attribute").options.find((o) => o.label === quality);
  if (option === undefined) throw new Error(`no option ${quality}`);
  qualityInstance.setAnswer(answer(option));
  row.addClassificationInstance(qualityInstance);
}

type WireRow = Record<string, unknown> & {
  data_hash: string;
  data_title: string;
  object_answers: Record<string, unknown>;
  classification_answers: Record<string, { featureHash: string; classifications: { featureHash: string; answers: unknown }[] }>;
  data_units: Record<string, { labels: { objects: Record<string, unknown>[]; classifications: Record<string, unknown>[] } }>;
};

/**
 * The saved rows of the project, by data title: on the local store as `task-agents labels export`
 * prints them, on Encord as the API returns them (for the tasks of every stage).
 */
async function exported(store: BackendProject): Promise<Map<string, WireRow>> {
  let rows: WireRow[];
  if (store.storePath !== null) {
    rows = JSON.parse(await cliOk(store.storePath, ["labels", "export", store.projectHash])) as WireRow[];
  } else {
    const tasks = (await Promise.all(store.project.stages.map((stage) => store.tasksIn(stage.title)))).flat();
    rows = (await Promise.all(tasks.map((task) => store.labelRow(task.dataHash)))) as WireRow[];
  }
  return new Map(rows.map((row) => [row.data_title, row]));
}

describe.each(backends)("on $name", ({ create }) => {
  describe("label rows through the runner: an agent labels, a later agent reads the labels", () => {
    test("Pre-label saves a box and a Quality answer; Triage reads the answer through labelRow and routes by it", async () => {
      await using store = await create({ spec: catQualitySpec, items: pngs });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
        preLabel(labelRow, task.dataTitle);
        return { pathway: "labelled", labelRow };
      });
      const seenByTriage: { title: string; answer: string; boxes: unknown[]; confidence: number; manual: boolean }[] = [];
      runner.stage("Triage", { deps: { labelRow } }, ({ task, labelRow }) => {
        const quality = labelRow.ontology.getChildByTitle("Quality", "classification");
        const [instance, ...others] = labelRow.getClassificationInstances({ filterOntologyClassification: quality });
        if (instance === undefined || others.length > 0) throw new Error(`expected one Quality answer on ${task.dataTitle}`);
        const answer = instance.getAnswer();
        if (!(answer instanceof AttributeOption)) throw new Error(`Quality of ${task.dataTitle} is ${JSON.stringify(answer)}`);
        const [cat] = labelRow.getObjectInstances({ filterOntologyObject: labelRow.ontology.getChildByTitle("Cat", "object") });
        const annotation = cat!.getAnnotation(0);
        seenByTriage.push({
          title: task.dataTitle,
          answer: answer.value,
          boxes: labelRow.getObjectInstances().map((o) => o.getAnnotation(0).coordinates),
          confidence: annotation.confidence,
          manual: annotation.manualAnnotation,
        });
        // Only the pathway: Triage reads the row but does not save it.
        return answer.value;
      });
      const report = await runner.execute({ output: "silent" });

      expect(report.end).toBe("completed");
      expect(report.stages.map((s) => [s.title, s.seen, s.succeeded, s.failed, s.moved])).toEqual([
        ["Pre-label", 3, 3, 0, { labelled: 3 }],
        ["Triage", 3, 3, 0, { good: 2, blurry: 1 }],
      ]);
      // Triage saw what Pre-label saved, read back into the model with the project's ontology.
      expect(seenByTriage.sort((a, b) => a.title.localeCompare(b.title))).toEqual(
        Object.entries(plan).map(([title, { box, quality }]) => ({
          title,
          answer: quality,
          boxes: [new BoundingBoxCoordinates(box)],
          confidence: 0.8,
          manual: false,
        })),
      );
      expect((await store.tasksIn("Complete")).map((t) => t.dataTitle).sort()).toEqual(["blue-tall.png", "red-square.png"]);
      expect((await store.tasksIn("Relabel")).map((t) => t.dataTitle)).toEqual(["green-wide.png"]);
      expect(await store.tasksIn("Pre-label")).toEqual([]);
      expect(await store.tasksIn("Triage")).toEqual([]);
      // Rows were saved once, by Pre-label; Triage's commit carries moves only.
      expect(store.backend.commits.map((c) => c.labelSaves?.length ?? 0)).toEqual([3, 0]);

      // The saved rows in Encord's format, as `labels export` prints them (on Encord: as it returns them).
      const rows = await exported(store);
      expect([...rows.keys()].sort()).toEqual(Object.keys(plan));
      for (const [title, { box, quality }] of Object.entries(plan)) {
        const row = rows.get(title)!;
        const units = Object.values(row.data_units);
        expect(units).toHaveLength(1);
        const [objects, frameClassifications] = [units[0]!.labels.objects, units[0]!.labels.classifications];
        expect(objects).toHaveLength(1);
        expect(objects[0]).toMatchObject({
          name: "Cat",
          value: "cat",
          shape: "bounding_box",
          featureHash: hashes.cat,
          manualAnnotation: false,
          confidence: 0.8,
          boundingBox: { h: box.height, w: box.width, x: box.topLeftX, y: box.topLeftY },
        });
        expect(Object.keys(row.object_answers)).toEqual([objects[0]!["objectHash"]]);

        const answers = Object.entries(row.classification_answers);
        expect(answers).toHaveLength(1);
        const [classificationHash, entry] = answers[0]!;
        expect(entry).toMatchObject({ classificationHash, featureHash: hashes.quality });
        expect(entry.classifications).toEqual([
          {
            name: "Quality",
            value: "quality",
            featureHash: hashes.qualityRadio,
            manualAnnotation: true,
            answers: [{ name: quality, value: quality, featureHash: quality === "good" ? hashes.good : hashes.blurry }],
          },
        ]);
        expect(frameClassifications).toEqual([expect.objectContaining({ classificationHash, featureHash: hashes.quality, name: "Quality" })]);
        // The store agrees with the export.
        expect(await store.labelRow(row.data_hash)).toEqual(row);
      }
    });

    test("an invalid answer (a string for a radio) fails that task with a message naming the attribute; the others succeed", async () => {
      await using store = await create({ spec: catQualitySpec, items: pngs });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
        // green-wide.png answers with the option's label instead of the option.
        preLabel(labelRow, task.dataTitle, (option) => (task.dataTitle === "green-wide.png" ? option.label : option));
        return { pathway: "labelled", labelRow };
      });
      const report = await runner.execute({ numRetries: 3, output: "silent" });

      expect(report.end).toBe("completed");
      expect(report.stages[0]).toMatchObject({ title: "Pre-label", seen: 3, succeeded: 2, failed: 1, moved: { labelled: 2 } });
      const [failure, ...more] = report.stages[0]!.failures;
      expect(more).toEqual([]);
      expect(failure).toMatchObject({ dataTitle: "green-wide.png", attempts: 1 /* a label error is not retried */, error: { name: "LabelError" } });
      expect(failure!.error.message).toContain(`"Quality"`);
      expect(failure!.error.message).toContain("radio");
      expect(failure!.error.message).toContain(`"blurry"`);

      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["green-wide.png"]);
      expect((await store.tasksIn("Triage")).map((t) => t.dataTitle).sort()).toEqual(["blue-tall.png", "red-square.png"]);
      const rows = await exported(store);
      // The failed task's row is not saved, not even the box drawn before the bad answer.
      const failed = rows.get("green-wide.png")!;
      expect(failed.object_answers).toEqual({});
      expect(failed.classification_answers).toEqual({});
      expect(Object.values(failed.data_units)[0]!.labels).toEqual({ objects: [], classifications: [] });
      for (const title of ["blue-tall.png", "red-square.png"]) {
        const row = rows.get(title)!;
        expect(Object.values(row.classification_answers).map((e) => e.classifications[0]!.answers)).toEqual([
          [{ name: "good", value: "good", featureHash: hashes.good }],
        ]);
        expect(Object.values(row.data_units)[0]!.labels.objects).toHaveLength(1);
      }
    });
  });
});
