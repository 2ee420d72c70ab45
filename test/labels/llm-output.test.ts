/**
 * OntologyDataModel: an ontology as a zod / JSON Schema for structured LLM output, and the LLM's
 * answer read back into instances (test/fixtures/encord all-types ontology).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  BoundingBoxCoordinates,
  LabelError,
  LabelRow,
  Ontology,
  OntologyDataModel,
  PointCoordinate,
  PolygonCoordinates,
  type AttributeOption,
  type Classification,
  type LabelRowJson,
  type LabelRowMetadataJson,
  type OntologyObject,
} from "../../src/index.js";

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/encord/${path}`, import.meta.url)), "utf8")) as T;
}

const structure = fixture<{ expected: Record<string, unknown> }>("ontology/all_types_structure.json").expected;
const ontology = Ontology.fromDict(structure);
const model = new OntologyDataModel(ontology);

const classification = (name: string): Classification => ontology.getChildByTitle(name, "classification");
const object = (name: string): OntologyObject => ontology.getChildByTitle(name, "object");
const option = (owner: Classification | OntologyObject, hash: string): AttributeOption => owner.getChildByHash(hash) as AttributeOption;

/** Runs `action`; returns the LabelError it throws. */
function labelError(action: () => unknown): LabelError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LabelError);
    return error as LabelError;
  }
  throw new Error("expected a LabelError");
}

const box = { topLeftX: 0.1, topLeftY: 0.2, width: 0.3, height: 0.4 };

const validOutput = {
  box: [{ box, confidence: 0.8 }],
  polygon: [],
  keypoint_dynamic_answers: [{ point: { x: 0.5, y: 0.25 }, confidence: null }],
  nested_box: [{ box, first_name: "Ann", mood: ["sad", "angry"] }],
  deeply_nested_polygon: [
    {
      polygon: [
        { x: 0.1, y: 0.1 },
        { x: 0.9, y: 0.1 },
        { x: 0.5, y: 0.9 },
      ],
      radio_level_1: { choice: "1_option_2", mood: ["angry"] },
    },
  ],
  radio_classification_1: { choice: "cl_1_option_2", cl_1_2_text: "why not" },
  text_classification: "a sunny street",
  checklist_classification: ["checklist_classification_answer_2"],
  text_classification_2: null,
  global_classification: ["global_answer_1"],
};

describe("OntologyDataModel schema", () => {
  const shape = model.zodSchema.shape;

  it("has one readable key per describable item, in ontology order", () => {
    expect(Object.keys(shape)).toEqual([
      "box",
      "polygon",
      "polyline",
      "keypoint_dynamic_answers",
      "nested_box",
      "deeply_nested_polygon",
      "radio_classification_1",
      "text_classification",
      "checklist_classification",
      "text_classification_2",
      "global_classification",
    ]);
  });

  it("types classifications by their first attribute, each optional and nullable", () => {
    expect(shape["text_classification"]?.safeParse("x").success).toBe(true);
    expect(shape["text_classification"]?.safeParse(3).success).toBe(false);
    expect(shape["checklist_classification"]?.safeParse(["checklist_classification_answer_1"]).success).toBe(true);
    expect(shape["checklist_classification"]?.safeParse(["nope"]).success).toBe(false);
    for (const key of Object.keys(shape)) {
      expect(shape[key]?.safeParse(null).success).toBe(true);
      expect(shape[key]?.safeParse(undefined).success).toBe(true);
    }
    expect(model.zodSchema.parse({})).toEqual(Object.fromEntries(Object.keys(shape).map((key) => [key, null])));
  });

  it("makes a radio without follow-up questions an enum of option values, and one with them a union on choice", () => {
    const flat = new OntologyDataModel([object("Deeply Nested Polygon")]).zodSchema.shape["deeply_nested_polygon"];
    expect(
      flat?.safeParse([{ polygon: validOutput.deeply_nested_polygon[0]?.polygon, radio_level_1: { choice: "1_option_1", "1_1_text": "t" } }]).success,
    ).toBe(true);
    const radio = shape["radio_classification_1"];
    expect(radio?.safeParse({ choice: "cl_1_option_1" }).success).toBe(true);
    expect(radio?.safeParse({ choice: "cl_1_option_2", cl_1_2_text: "t" }).success).toBe(true);
    expect(radio?.safeParse({ choice: "cl_1_option_1", cl_1_2_text: "t" }).success).toBe(false);
    expect(radio?.safeParse("cl_1_option_1").success).toBe(false);

    const plainRadio = Ontology.fromDict({
      objects: [],
      classifications: [
        {
          id: "1",
          featureNodeHash: "c1",
          attributes: [
            {
              id: "1.1",
              featureNodeHash: "a1",
              type: "radio",
              name: "Weather",
              options: [
                { id: "1.1.1", featureNodeHash: "o1", label: "Sunny", value: "sunny" },
                { id: "1.1.2", featureNodeHash: "o2", label: "Rainy", value: "rainy" },
              ],
            },
          ],
        },
      ],
    });
    const weather = new OntologyDataModel(plainRadio).zodSchema.shape["weather"];
    expect(weather?.safeParse("sunny").success).toBe(true);
    expect(weather?.safeParse("snowy").success).toBe(false);
    expect(JSON.stringify(z.toJSONSchema(weather as z.ZodType))).toContain('"enum":["sunny","rainy"]');
  });

  it("makes objects lists of coordinates (0..1), confidence and static attributes only", () => {
    const keypoint = shape["keypoint_dynamic_answers"];
    expect(keypoint?.safeParse([{ point: { x: 0.5, y: 0.5 } }]).success).toBe(true);
    // Every attribute of the keypoint is dynamic, so none is offered.
    expect(keypoint?.safeParse([{ point: { x: 0.5, y: 0.5 }, first_name: "x" }]).success).toBe(false);
    expect(shape["box"]?.safeParse([{ box: { ...box, width: 1.5 } }]).success).toBe(false);
    expect(shape["box"]?.safeParse([{ box, confidence: 2 }]).success).toBe(false);
    expect(
      shape["polygon"]?.safeParse([
        {
          polygon: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
      ]).success,
    ).toBe(false);
    expect(
      shape["polyline"]?.safeParse([
        {
          polyline: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
      ]).success,
    ).toBe(true);
    expect(shape["nested_box"]?.safeParse([{ box, first_name: "Ann", mood: ["sad"] }]).success).toBe(true);
  });

  it("de-duplicates keys and refuses items it cannot describe when they are given explicitly", () => {
    const twice = new OntologyDataModel([object("Box"), object("Box"), classification("Text classification")]);
    expect(Object.keys(twice.zodSchema.shape)).toEqual(["box", "box_2", "text_classification"]);

    const skeleton = labelError(() => new OntologyDataModel([object("cone object")]));
    expect(skeleton.code).toBe("TA_INVALID_LABEL");
    expect(skeleton.message).toContain('Object "cone object" has shape skeleton');
    expect(skeleton.message).toContain("bounding_box, rotatable_bounding_box, point, polygon, polyline");

    const attribute = labelError(() => new OntologyDataModel([ontology.getChildByTitle("Mood", "attribute") as unknown as Classification]));
    expect(attribute.message).toContain('item 0 is an attribute ("Mood")');
    expect(attribute.message).toContain("Classification and OntologyObject");
    expect(labelError(() => new OntologyDataModel(["box"] as unknown as Classification[])).message).toContain('item 0 is string "box"');
    expect(labelError(() => new OntologyDataModel("box" as unknown as Ontology)).message).toContain("takes an Ontology or a list");
    expect(labelError(() => new OntologyDataModel([])).message).toContain("nothing to describe");
  });

  it("gives a serialisable JSON Schema (draft 2020-12) with descriptions and option values", () => {
    const schema = model.jsonSchema;
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(schema["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema["type"]).toBe("object");
    expect(schema["additionalProperties"]).toBe(false);
    expect(schema["required"]).toEqual(Object.keys(model.zodSchema.shape));
    const text = JSON.stringify(schema);
    for (const value of ["cl_1_option_1", "cl_1_option_2", "checklist_classification_answer_1", "global_answer_1", "1_option_2", "angry", "sad"]) {
      expect(text).toContain(JSON.stringify(value));
    }
    expect(text).toContain("Global Answer 1");
    expect(text).toContain('"minimum":0,"maximum":1');
    // Keywords strict structured outputs refuse.
    expect(text).not.toContain('"oneOf"');
    expect(text).not.toContain('"default"');
    const properties = schema["properties"] as Record<string, { description?: string }>;
    expect(properties["radio_classification_1"]?.description).toContain('Classification "Radio classification 1"');
    expect(properties["global_classification"]?.description).toContain("whole data item");
    expect(properties["box"]?.description).toContain('Every "Box" object');
    model.jsonSchema["type"] = "changed";
    expect(model.jsonSchema["type"]).toBe("object");
  });
});

describe("OntologyDataModel.parse", () => {
  it("reads a valid answer into instances with the ontology's options as answers", () => {
    const { classifications, objects } = model.parse(JSON.stringify(validOutput), { frames: 2 });

    expect(classifications.map((c) => c.ontologyItem.name)).toEqual([
      "Radio classification 1",
      "Text classification",
      "Checklist classification",
      "Global classification",
    ]);
    const [radio, text, checklist, global] = classifications;
    const radioItem = classification("Radio classification 1");
    expect(radio?.getAnswer()).toBe(option(radioItem, "MjUzMTg1"));
    expect(radio?.getAnswer("MTg0MjIw")).toBe("why not");
    expect(radio?.getAnnotationFrames()).toEqual([2]);
    expect(radio?.getAnnotation(2).manualAnnotation).toBe(false);
    expect(radio?.getAnnotation(2).confidence).toBe(1);
    expect(text?.getAnswer()).toBe("a sunny street");
    expect(checklist?.getAnswer()).toEqual([option(classification("Checklist classification"), "a4r7nK9i")]);
    expect(global?.isGlobal).toBe(true);
    expect(global?.getAnnotationFrames()).toEqual([]);
    expect(global?.manualAnnotation).toBe(false);
    expect(global?.getAnswer()).toEqual([option(classification("Global classification"), "3vLjF0q1")]);

    expect(objects.map((o) => o.ontologyItem.name)).toEqual(["Box", "Keypoint Dynamic Answers", "Nested Box", "Deeply Nested Polygon"]);
    const [boxInstance, keypoint, nestedBox, deep] = objects;
    const boxAnnotation = boxInstance?.getAnnotation(2);
    expect(boxAnnotation?.coordinates).toEqual(new BoundingBoxCoordinates(box));
    expect(boxAnnotation?.confidence).toBe(0.8);
    expect(boxAnnotation?.manualAnnotation).toBe(false);
    expect(keypoint?.getAnnotation(2).coordinates).toEqual(new PointCoordinate({ x: 0.5, y: 0.25 }));
    expect(keypoint?.getAnnotation(2).confidence).toBe(1);
    const nestedItem = object("Nested Box");
    expect(nestedBox?.getAnswer("OTkxMjU1")).toBe("Ann");
    expect(nestedBox?.getAnswer("ODcxMDAy")).toEqual([option(nestedItem, "Nzg3MDE3"), option(nestedItem, "MTE5MjQ3")]);
    expect(deep?.getAnnotation(2).coordinates).toBeInstanceOf(PolygonCoordinates);
  });

  it("answers nested radio questions with the nested options", () => {
    const deepItem = object("Deeply Nested Polygon");
    const [deep] = model.parse(validOutput).objects.filter((o) => o.ontologyItem === deepItem);
    expect(deep?.getAnswer("MTExMjI3")).toBe(option(deepItem, "MTcxMjAy"));
    expect(deep?.getAnswer("ODc666Ay")).toEqual([option(deepItem, "MT66665Q3")]);
    expect(deep?.getStaticAnswers().map(([attribute]) => attribute.name)).toEqual(["Radio level 1 ", "Mood"]);
    expect(deep?.getStaticAnswers().every(([, answer]) => answer !== undefined)).toBe(true);
  });

  it("accepts a fenced JSON block and an already parsed value alike", () => {
    const plain = model.parse(JSON.stringify(validOutput));
    const fenced = model.parse("```json\n" + JSON.stringify(validOutput, null, 2) + "\n```\n");
    const parsed = model.parse(validOutput);
    const summary = (result: typeof plain): unknown => [
      result.classifications.map((c) => c.getAnswers().map(([a, v]) => [a.featureNodeHash, v])),
      result.objects.map((o) => [o.featureHash, o.getAnnotation(0).coordinates, o.getStaticAnswers()]),
    ];
    expect(summary(fenced)).toEqual(summary(plain));
    expect(summary(parsed)).toEqual(summary(plain));
  });

  it("gives no instance for null, absent keys or an empty checklist", () => {
    expect(model.parse({})).toEqual({ classifications: [], objects: [] });
    const result = model.parse({ text_classification: null, checklist_classification: [], box: [] });
    expect(result).toEqual({ classifications: [], objects: [] });
  });
});

describe("OntologyDataModel.addTo", () => {
  interface OpsVector {
    ontology: Record<string, unknown>;
    label_row_metadata: LabelRowMetadataJson;
    start: LabelRowJson;
  }
  const vector = fixture<OpsVector>("labels/ops/image_group_bbox_frame0.json");
  const freshRow = (): LabelRow => LabelRow.fromEncordDict(vector.start, { ontology: vector.ontology, metadata: vector.label_row_metadata });

  it("adds every instance to the label row, which writes them", () => {
    const row = freshRow();
    // A model built from another copy of the ontology: instances are made of the row's own items.
    const result = model.addTo(row, JSON.stringify(validOutput));
    expect(row.getClassificationInstances()).toEqual(result.classifications);
    expect(row.getObjectInstances()).toEqual(result.objects);
    expect(result.objects[0]?.ontologyItem).toBe(row.ontology.getChildByHash("MjI2NzEy", "object"));

    const dict = row.toEncordDict() as unknown as {
      classification_answers: Record<string, { featureHash: string; classifications: Record<string, unknown>[] }>;
      object_answers: Record<string, { classifications: Record<string, unknown>[] }>;
      data_units: Record<string, { labels: Record<string, unknown> }>;
    };
    const answers = Object.values(dict.classification_answers);
    const radio = answers.find((entry) => entry.featureHash === "NzIxNTU1");
    expect(radio?.classifications).toEqual([
      { name: "cl 1 2 text", value: "cl_1_2_text", answers: "why not", featureHash: "MTg0MjIw", manualAnnotation: false },
      {
        name: "Radio classification 1",
        value: "radio_classification_1",
        answers: [{ name: "cl 1 option 2", value: "cl_1_option_2", featureHash: "MjUzMTg1" }],
        featureHash: "MjI5MTA5",
        manualAnnotation: false,
      },
    ]);
    const global = answers.find((entry) => entry.featureHash === "globalClassificationTopLevelFeatureHash");
    expect(global?.classifications[0]?.["answers"]).toEqual([{ name: "Global Answer 1", value: "global_answer_1", featureHash: "3vLjF0q1" }]);
    expect(answers).toHaveLength(4);

    const boxHash = result.objects[0]?.objectHash as string;
    const frame0 = Object.values(dict.data_units).find((unit) => JSON.stringify(unit.labels).includes(boxHash));
    const frameObjects = (frame0?.labels as { objects: Record<string, unknown>[] }).objects;
    expect(frameObjects.find((entry) => entry["objectHash"] === boxHash)).toMatchObject({
      name: "Box",
      featureHash: "MjI2NzEy",
      confidence: 0.8,
      manualAnnotation: false,
      boundingBox: { h: 0.4, w: 0.3, x: 0.1, y: 0.2 },
    });
    const nestedHash = result.objects[2]?.objectHash as string;
    expect(dict.object_answers[nestedHash]?.classifications).toContainEqual({
      name: "First name",
      value: "first_name",
      answers: "Ann",
      featureHash: "OTkxMjU1",
      manualAnnotation: false,
    });
  });

  it("leaves the row as it was when an instance cannot be added, and takes frames over with force", () => {
    const row = freshRow();
    model.addTo(row, { text_classification: "first" });
    const clash = labelError(() => model.addTo(row, { box: [{ box }], text_classification: "second" }));
    expect(clash.message).toContain("already on frame");
    expect(row.getClassificationInstances().map((c) => c.getAnswer())).toEqual(["first"]);
    expect(row.getObjectInstances()).toEqual([]);

    model.addTo(row, { text_classification: "second" }, { force: true });
    expect(row.getClassificationInstances({ filterFrames: 0 }).map((c) => c.getAnswer())).toEqual(["second"]);
  });

  it("refuses items the row's ontology does not have", () => {
    const other = Ontology.fromDict({
      objects: [{ id: "9", name: "Car", color: "#000000", shape: "bounding_box", featureNodeHash: "carHash" }],
      classifications: [],
    });
    const error = labelError(() => new OntologyDataModel(other).addTo(freshRow(), { car: [{ box }] }));
    expect(error.message).toContain('no object "Car"');
  });
});

describe("OntologyDataModel failures", () => {
  it("refuses output that is not JSON, quoting what it got", () => {
    const error = labelError(() => model.parse("Sure! Here are the labels: {box: []}"));
    expect(error.code).toBe("TA_INVALID_LABEL");
    expect(error.message).toContain("not valid JSON");
    expect(error.message).toContain('"radio_classification_1"');
    expect(error.message).toContain("Received: Sure! Here are the labels");
  });

  it("lists each schema problem with its path", () => {
    const error = labelError(() =>
      model.parse({
        checklist_classification: ["maybe"],
        radio_classification_1: { choice: "cl_1_option_3" },
        box: [{ box: { ...box, width: 1.5, topLeftX: -0.1 } }],
        keypoint_dynamic_answers: [{ point: { x: 0.5, y: 0.5 }, confidence: 7 }],
        unknown_item: 1,
      }),
    );
    expect(error.message).toContain("(6 problems)");
    expect(error.message).toMatch(
      /checklist_classification\[0\]: Invalid option: expected one of "checklist_classification_answer_1"\|"checklist_classification_answer_2"/,
    );
    expect(error.message).toContain("radio_classification_1.choice:");
    expect(error.message).toContain("box[0].box.topLeftX: Too small");
    expect(error.message).toContain("box[0].box.width: Too big: expected number to be <=1");
    expect(error.message).toContain("keypoint_dynamic_answers[0].confidence: Too big");
    expect(error.message).toContain('(top level): Unrecognized key: "unknown_item"');
    expect(error.message).toContain('Received: {"checklist_classification":["maybe"]');
  });

  it("refuses a wrong type at the top and bad frames", () => {
    expect(labelError(() => model.parse("[1, 2]")).message).toContain("(top level): Invalid input: expected object, received array");
    expect(labelError(() => model.parse("{}", { frames: -1 })).message).toContain("Frame -1 is not accepted");
  });
});
