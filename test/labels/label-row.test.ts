/** LabelRow behaviour through the public API: metadata, priority, what it reads and writes back. */
import { describe, expect, it } from "vitest";
import { BoundingBoxCoordinates, LabelError, LabelRow, PointCoordinate, type LabelRowJson, type LabelRowMetadataJson } from "../../src/index.js";
import {
  HASH,
  imageGroupRow,
  keypoint,
  nestedBox,
  ontology,
  opsStart,
  plainTextRow,
  radioClassification,
  roundTripInput,
  videoRow,
  textClassification,
  allTypesStructure,
  globalClassification,
} from "./label-fixtures.js";

type Json = Record<string, unknown>;

const MARCH_1 = new Date("2024-03-01T10:00:00Z");
const MARCH_1_TEXT = "Fri, 01 Mar 2024 10:00:00 UTC";
const times = { createdAt: MARCH_1, lastEditedAt: MARCH_1 };

function boxAt(x: number): BoundingBoxCoordinates {
  return new BoundingBoxCoordinates({ height: 0.1, width: 0.2, topLeftX: x, topLeftY: 0.4 });
}

/**
 * An image group with a static-answered Nested Box on frames 0 and 2, a radio classification on
 * frame 1 and a global classification, as Encord JSON.
 */
function labelledImageGroup(): LabelRowJson {
  const row = imageGroupRow();
  const object = nestedBox.createInstance({ objectHash: "obj00001" });
  object.setForFrames(boxAt(0.3), { frames: [0, 2], ...times });
  object.setAnswer("Ann", { attribute: HASH.firstName });
  row.addObjectInstance(object);
  const classification = radioClassification.createInstance({ classificationHash: "cls00001" });
  classification.setForFrames({ frames: 1, ...times });
  classification.setAnswer(radioClassification.attributes[0]!.options[0]!);
  row.addClassificationInstance(classification);
  const global = globalClassification.createInstance({ classificationHash: "glob0001" });
  global.setAnswer([globalClassification.attributes[0]!.options[1]!]);
  global.createdAt = MARCH_1;
  global.lastEditedAt = MARCH_1;
  row.addClassificationInstance(global);
  return row.toEncordDict();
}

/** A video with a Keypoint on frames 0..2 and a dynamic answer on 0..1, as Encord JSON. */
function labelledVideo(): { dict: LabelRowJson; metadata: LabelRowMetadataJson } {
  const row = videoRow();
  const point = keypoint.createInstance({ objectHash: "kp000001" });
  point.setForFrames(new PointCoordinate({ x: 0.1, y: 0.2 }), { frames: { start: 0, end: 2 }, ...times });
  point.setAnswer("Bob", { attribute: HASH.firstName, frames: { start: 0, end: 1 } });
  row.addObjectInstance(point);
  return { dict: row.toEncordDict(), metadata: opsStart("video_dynamic_attributes").metadata };
}

function unitsOf(dict: LabelRowJson): Json[] {
  return Object.values(dict.data_units) as Json[];
}

function labelsOf(unit: Json): { objects: Json[]; classifications: Json[] } {
  return unit["labels"] as { objects: Json[]; classifications: Json[] };
}

describe("LabelRow metadata", () => {
  const workflowMetadata = (): LabelRowMetadataJson => ({
    ...opsStart("image_group_bbox_frame0").metadata,
    data_type: "IMG_GROUP",
    task_uuid: "3b0e2c9a-1111-4222-8333-944455556666",
    priority: 0.25,
    backing_item_uuid: "7a1b2c3d-aaaa-4bbb-8ccc-dddddddddddd",
    workflow_graph_node: { uuid: "5c6d7e8f-0000-4111-8222-333344445555", title: "Agent stage" },
    file_type: "image/png",
    client_metadata: { source: "camera 3" },
  });

  it("reads the row's own fields and the workflow fields of its metadata", () => {
    const { dict } = opsStart("image_group_bbox_frame0");
    const row = LabelRow.fromEncordDict(dict, { ontology, metadata: workflowMetadata() });
    expect(row.dataHash).toBe("aaa6bc82-9f89-4545-adbb-f271bf28cf99");
    expect(row.dataTitle).toBe("image-group-8375e");
    expect(row.dataType).toBe("img_group");
    expect(row.labelHash).toBe("f1e6bc82-9f89-4545-8abb-f271bf28cf99");
    expect(row.branchName).toBe("main");
    expect(row.datasetTitle).toBe("One image group");
    expect(row.backingItemUuid).toBe("7a1b2c3d-aaaa-4bbb-8ccc-dddddddddddd");
    expect(row.workflowGraphNode).toEqual({ uuid: "5c6d7e8f-0000-4111-8222-333344445555", title: "Agent stage" });
    expect(row.taskUuid).toBe("3b0e2c9a-1111-4222-8333-944455556666");
    expect(row.priority).toBe(0.25);
    expect(row.isPriorityChanged).toBe(false);
    expect(row.numberOfFrames).toBe(5);
    expect(row.width).toBe(10);
    expect(row.height).toBe(100);
    expect(row.fileType).toBe("image/png");
    expect(row.clientMetadata).toEqual({ source: "camera 3" });
    expect(row.dataUnits.map((unit) => unit.frame)).toEqual([0, 1, 2, 3, 4]);
    expect(row.dataUnits[0]).toMatchObject({ dataHash: "f850dfb4-7146-49e0-9afc-2b9434a64a9f", mimeType: "image/png", width: 952, height: 678 });
  });

  it("lowercases the metadata's data type when the dict has none", () => {
    const { dict } = opsStart("image_group_bbox_frame0");
    const { data_type: _dropped, ...withoutType } = dict;
    const row = LabelRow.fromEncordDict(withoutType as LabelRowJson, { ontology, metadata: workflowMetadata() });
    expect(row.dataType).toBe("img_group");
    expect(row.numberOfFrames).toBe(5);
  });

  it("has no workflow fields without metadata, and takes frames and size from the data units", () => {
    const { dict } = opsStart("image_group_bbox_frame0");
    const row = LabelRow.fromEncordDict(dict, { ontology });
    expect(row.taskUuid).toBeNull();
    expect(row.priority).toBeNull();
    expect(row.backingItemUuid).toBeNull();
    expect(row.workflowGraphNode).toBeNull();
    expect(row.numberOfFrames).toBe(5);
    expect(row.width).toBe(952);
    expect(row.height).toBe(678);
  });

  it("takes a video's frame count from its metadata", () => {
    expect(videoRow().numberOfFrames).toBe(2500);
    expect(videoRow().dataType).toBe("video");
    expect(plainTextRow().dataType).toBe("plain_text");
  });
});

describe("labelRow.setPriority", () => {
  it("accepts 0..1 and reports the change", () => {
    const row = imageGroupRow();
    row.setPriority(0);
    expect(row.priority).toBe(0);
    expect(row.isPriorityChanged).toBe(true);
    row.setPriority(1);
    expect(row.priority).toBe(1);
    row.setPriority(0.5);
    expect(row.priority).toBe(0.5);
  });

  it("refuses priorities outside 0..1 and NaN, keeping the old one", () => {
    const row = imageGroupRow();
    row.setPriority(0.3);
    for (const bad of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => row.setPriority(bad)).toThrow(LabelError);
      expect(() => row.setPriority(bad)).toThrow(/Priority .* is not accepted; a priority is a number from 0 to 1/);
    }
    expect(() => row.setPriority("0.5" as unknown as number)).toThrow(/Priority "0.5" is not accepted/);
    expect(row.priority).toBe(0.3);
  });

  it("is not written into the labels dict", () => {
    const row = imageGroupRow();
    row.setPriority(0.9);
    expect(row.toEncordDict()).not.toHaveProperty("priority");
  });
});

describe("LabelRow.fromEncordDict / toEncordDict", () => {
  it("refuses a dict that is not an object", () => {
    expect(() => LabelRow.fromEncordDict(null as unknown as LabelRowJson)).toThrow(LabelError);
    expect(() => LabelRow.fromEncordDict([] as unknown as LabelRowJson)).toThrow(/A label row dict must be an object/);
  });

  it("does not change its input, neither on read nor after edits and writes", () => {
    const dict = labelledImageGroup();
    const before = structuredClone(dict);
    const metadata = opsStart("image_group_bbox_frame0").metadata;
    const metadataBefore = structuredClone(metadata);
    const structure = allTypesStructure();
    const structureBefore = structuredClone(structure);
    const row = LabelRow.fromEncordDict(dict, { ontology: structure, metadata });
    expect(dict).toEqual(before);

    const [object] = row.getObjectInstances();
    object!.setForFrames(boxAt(0.5), { frames: 0, overwrite: true, confidence: 0.5 });
    object!.setAnswer("Zoe", { attribute: HASH.firstName, overwrite: true });
    row.getClassificationInstances()[0]!.removeFromFrames(1);
    row.setPriority(0.1);
    const out = row.toEncordDict();
    out.data_units = {};
    expect(dict).toEqual(before);
    expect(metadata).toEqual(metadataBefore);
    expect(structure).toEqual(structureBefore);
  });

  it("does not keep its input: changing the dict afterwards does not change the row", () => {
    const { dict, metadata } = labelledVideo();
    const note = { by: "model", scores: [0.5] };
    (((dict.object_actions["kp000001"] as Json)["actions"] as Json[])[0] as Json)["note"] = note;
    const row = LabelRow.fromEncordDict(dict, { ontology, metadata });
    const written = row.toEncordDict();
    const frame0 = ((unitsOf(dict)[0]!["labels"] as Json)["0"] as { objects: Json[] }).objects[0]!;
    (frame0["point"] as Json)["0"] = { x: 0.9, y: 0.9 };
    frame0["createdBy"] = "mallory@example.com";
    const actions = (dict.object_actions["kp000001"] as Json)["actions"] as Json[];
    actions.length = 0;
    dict.data_title = "changed";
    metadata.number_of_frames = 3;
    note.by = "someone else";
    note.scores.push(1);
    expect(row.toEncordDict()).toEqual(written);
    expect(row.numberOfFrames).toBe(2500);
  });

  it("returns a new object each call: changing one does not change the row", () => {
    const row = LabelRow.fromEncordDict(labelledImageGroup(), { ontology, metadata: opsStart("image_group_bbox_frame0").metadata });
    const first = row.toEncordDict();
    const second = row.toEncordDict();
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    const reference = structuredClone(first);
    const objects = labelsOf(unitsOf(first)[0]!).objects;
    (objects[0]!["boundingBox"] as Json)["x"] = 0.99;
    objects.push({ objectHash: "injected" });
    ((first.object_answers["obj00001"] as Json)["classifications"] as Json[]).length = 0;
    (((first.classification_answers["cls00001"] as Json)["range"] as number[][])[0] as number[])[0] = 4;
    first.spaces["x"] = {};
    first.data_title = "changed";
    expect(row.toEncordDict()).toEqual(reference);
    expect(row.getObjectInstances()[0]!.getAnnotation(0).coordinates).toMatchObject({ topLeftX: 0.3 });
  });

  it("writes times the SDK's way and re-formats the row's own times", () => {
    const { dict, metadata } = opsStart("video_dynamic_attributes");
    expect(dict.created_at).toBe("2023-02-09 14:12:03");
    const row = LabelRow.fromEncordDict(dict, { ontology, metadata });
    const point = keypoint.createInstance({ objectHash: "kp000001" });
    point.setForFrames(new PointCoordinate({ x: 0.1, y: 0.2 }), { frames: 3, createdAt: "2024-03-01T10:00:00+00:00", lastEditedAt: "2024-03-01 11:00:00" });
    row.addObjectInstance(point);
    const out = row.toEncordDict();
    expect(out.created_at).toBe("Thu, 09 Feb 2023 14:12:03 UTC");
    const entry = ((unitsOf(out)[0]!["labels"] as Json)["3"] as { objects: Json[] }).objects[0]!;
    expect(entry["createdAt"]).toBe(MARCH_1_TEXT);
    expect(entry["lastEditedAt"]).toBe("Fri, 01 Mar 2024 11:00:00 UTC");
  });

  it("passes unknown keys of data units, frames, frame entries and answer entries through", () => {
    const dict = labelledImageGroup();
    const [unit0, unit1] = unitsOf(dict);
    unit0!["customUnitKey"] = { nested: [1, 2] };
    const labels0 = unit0!["labels"] as Json;
    labels0["frameNote"] = "kept";
    labelsOf(unit0!).objects[0]!["isDeleted"] = false;
    labelsOf(unit0!).objects[0]!["customObjectKey"] = { a: 1 };
    labelsOf(unit1!).classifications[0]!["customClassificationKey"] = "c";
    (dict.object_answers["obj00001"] as Json)["customAnswerKey"] = [{ b: 2 }];
    (dict.classification_answers["cls00001"] as Json)["customAnswerKey"] = "d";
    // Inside the answer lists too.
    (((dict.object_answers["obj00001"] as Json)["classifications"] as Json[])[0] as Json)["note"] = { by: "model" };
    (((dict.classification_answers["cls00001"] as Json)["classifications"] as Json[])[0] as Json)["note"] = "e";
    (dict.classification_answers["cls00001"] as Json)["spaces"] = { root: { type: "frame" } };

    const out = LabelRow.fromEncordDict(dict, { ontology, metadata: opsStart("image_group_bbox_frame0").metadata }).toEncordDict();
    const [outUnit0, outUnit1] = unitsOf(out);
    expect(outUnit0!["customUnitKey"]).toEqual({ nested: [1, 2] });
    expect((outUnit0!["labels"] as Json)["frameNote"]).toBe("kept");
    expect(labelsOf(outUnit0!).objects[0]).toMatchObject({ isDeleted: false, customObjectKey: { a: 1 }, objectHash: "obj00001" });
    expect(labelsOf(outUnit1!).classifications[0]).toMatchObject({ customClassificationKey: "c", classificationHash: "cls00001" });
    expect(out.object_answers["obj00001"]).toMatchObject({ customAnswerKey: [{ b: 2 }] });
    expect(out.classification_answers["cls00001"]).toMatchObject({ customAnswerKey: "d", spaces: { root: { type: "frame" } } });
    expect((out.object_answers["obj00001"] as Json)["classifications"]).toEqual([expect.objectContaining({ answers: "Ann", note: { by: "model" } })]);
    expect((out.classification_answers["cls00001"] as Json)["classifications"]).toEqual([expect.objectContaining({ note: "e" })]);
    // Everything else is as it was.
    expect(out).toEqual(dict);
  });

  it("passes unknown keys of dynamic answer entries through", () => {
    const { dict, metadata } = labelledVideo();
    const action = ((dict.object_actions["kp000001"] as Json)["actions"] as Json[])[0]!;
    action["spaceId"] = "space-1";
    action["note"] = { by: "model" };
    const out = LabelRow.fromEncordDict(dict, { ontology, metadata }).toEncordDict();
    expect(((out.object_actions["kp000001"] as Json)["actions"] as Json[])[0]).toMatchObject({ spaceId: "space-1", note: { by: "model" }, answers: "Bob" });
    expect(out).toEqual(dict);
  });

  it("keeps entries whose feature hashes the ontology does not know, and writes them back unchanged", () => {
    const dict = labelledImageGroup();
    // An object and a classification of another ontology, and a static answer to an unknown attribute.
    const foreignObject = {
      ...labelsOf(unitsOf(dict)[3]!).objects[0],
      ...structuredClone(labelsOf(unitsOf(dict)[0]!).objects[0]!),
      objectHash: "foreign1",
      featureHash: "unknown1",
    };
    labelsOf(unitsOf(dict)[3]!).objects.push(foreignObject);
    dict.object_answers["foreign1"] = {
      classifications: [{ name: "Old", value: "old", answers: "x", featureHash: "unknownA", manualAnnotation: true }],
      objectHash: "foreign1",
    };
    const foreignClassification = {
      ...structuredClone(labelsOf(unitsOf(dict)[1]!).classifications[0]!),
      classificationHash: "foreign2",
      featureHash: "unknown2",
    };
    labelsOf(unitsOf(dict)[4]!).classifications.push(foreignClassification);
    dict.classification_answers["foreign2"] = {
      classifications: [{ name: "Old", value: "old", answers: "y", featureHash: "unknownB", manualAnnotation: true }],
      classificationHash: "foreign2",
      featureHash: "unknown2",
      spaces: {},
    };
    ((dict.object_answers["obj00001"] as Json)["classifications"] as Json[]).push({
      name: "Gone",
      value: "gone",
      answers: "z",
      featureHash: "unknownC",
      manualAnnotation: false,
    });
    const before = structuredClone(dict);

    const row = LabelRow.fromEncordDict(dict, { ontology, metadata: opsStart("image_group_bbox_frame0").metadata });
    expect(row.getObjectInstances().map((instance) => instance.objectHash)).toEqual(["obj00001"]);
    expect(row.getClassificationInstances().map((instance) => instance.classificationHash)).toEqual(["cls00001", "glob0001"]);
    expect(row.toEncordDict()).toEqual(before);

    // Edits of the known instances leave the unknown entries alone.
    row.removeObject(row.getObjectInstances()[0]!);
    const out = row.toEncordDict();
    expect(labelsOf(unitsOf(out)[3]!).objects).toEqual([foreignObject]);
    expect(labelsOf(unitsOf(out)[4]!).classifications).toEqual([foreignClassification]);
    expect(out.object_answers).toEqual({ foreign1: before.object_answers["foreign1"] });
    expect(out.classification_answers["foreign2"]).toEqual(before.classification_answers["foreign2"]);
  });

  it("keeps everything of a row read without an ontology", () => {
    const imageGroup = labelledImageGroup();
    const metadata = opsStart("image_group_bbox_frame0").metadata;
    const row = LabelRow.fromEncordDict(imageGroup, { metadata });
    expect(row.getObjectInstances()).toEqual([]);
    expect(row.getClassificationInstances()).toEqual([]);
    expect(row.toEncordDict()).toEqual(imageGroup);
    expect(LabelRow.fromEncordDict(imageGroup, { ontology: null, metadata }).toEncordDict()).toEqual(imageGroup);

    const video = labelledVideo();
    expect(LabelRow.fromEncordDict(video.dict, { metadata: video.metadata }).toEncordDict()).toEqual(video.dict);

    const audio = roundTripInput("audio_objects");
    const audioOut = LabelRow.fromEncordDict(audio.dict, { metadata: audio.metadata }).toEncordDict();
    expect(audioOut.object_answers).toEqual(audio.dict.object_answers);
  });

  it("reads the SDK's output back into the same instances", () => {
    const dict = labelledImageGroup();
    const row = LabelRow.fromEncordDict(dict, { ontology, metadata: opsStart("image_group_bbox_frame0").metadata });
    const [object] = row.getObjectInstances();
    expect(object!.objectHash).toBe("obj00001");
    expect(object!.getAnnotationFrames()).toEqual([0, 2]);
    expect(object!.getAnnotation(2).createdAt).toEqual(MARCH_1);
    expect(object!.getAnswer(HASH.firstName)).toBe("Ann");
    const [classification, global] = row.getClassificationInstances();
    expect(classification!.getAnnotationFrames()).toEqual([1]);
    expect(classification!.getAnswer()).toBe(radioClassification.attributes[0]!.options[0]);
    expect(global!.isGlobal).toBe(true);
    expect(global!.getAnswer()).toEqual([globalClassification.attributes[0]!.options[1]]);
    expect(row.toEncordDict()).toEqual(dict);
  });
});

describe("dates given by the user", () => {
  it("accepts Date, ISO 8601, Python's str(datetime) and the SDK's own format", () => {
    const instance = textClassification.createInstance();
    for (const value of [MARCH_1, "2024-03-01T10:00:00Z", "2024-03-01T11:00:00+01:00", "2024-03-01 10:00:00", MARCH_1_TEXT, "Fri, 01 Mar 2024 10:00:00 GMT"]) {
      instance.createdAt = value;
      expect(instance.createdAt).toEqual(MARCH_1);
    }
  });

  it("refuses an unreadable date string with a LabelError naming the field and the formats", () => {
    const row = imageGroupRow();
    const object = nestedBox.createInstance();
    expect(() => object.setForFrames(boxAt(0.1), { createdAt: "yesterday" })).toThrow(LabelError);
    expect(() => object.setForFrames(boxAt(0.1), { createdAt: "yesterday" })).toThrow(/createdAt "yesterday" is not a time; accepted: .*ISO 8601/);
    expect(object.getAnnotationFrames()).toEqual([]);
    object.setForFrames(boxAt(0.1), times);
    row.addObjectInstance(object);
    const annotation = object.getAnnotation(0);
    expect(() => {
      annotation.lastEditedAt = "01/03/2024";
    }).toThrow(/lastEditedAt "01\/03\/2024" is not a time/);
    expect(() => {
      annotation.createdAt = new Date("not a date");
    }).toThrow(/createdAt is an invalid Date/);
    const classification = textClassification.createInstance();
    // Parts out of range are refused, not rolled over into another date.
    for (const impossible of ["2024-13-45", "2023-02-29 10:00:00", "2024-03-01T24:30:00Z", "Fri, 31 Apr 2024 10:00:00 UTC"]) {
      expect(() => classification.setForFrames({ lastEditedAt: impossible })).toThrow(LabelError);
      expect(() => classification.setForFrames({ lastEditedAt: impossible })).toThrow(/lastEditedAt ".*" is not a time/);
    }
    expect(classification.getAnnotationFrames()).toEqual([]);
    classification.setForFrames({ lastEditedAt: "2024-02-29 10:00:00" });
    expect(classification.lastEditedAt).toEqual(new Date("2024-02-29T10:00:00Z"));
    expect(annotation.lastEditedAt).toEqual(MARCH_1);
  });
});
