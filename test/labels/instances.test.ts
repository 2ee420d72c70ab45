/** Object and classification instances through the public API: frames, answers, metadata, rows. */
import { describe, expect, it } from "vitest";
import {
  AudioCoordinates,
  BoundingBoxCoordinates,
  LabelError,
  LabelRow,
  Ontology,
  PointCoordinate,
  PolygonCoordinates,
  TextCoordinates,
  type Attribute,
  type AttributeOption,
  type ObjectInstance,
} from "../../src/index.js";
import {
  allTypesStructure,
  audioObject,
  audioRow,
  box,
  checklistClassification,
  deeplyNestedPolygon,
  globalClassification,
  HASH,
  imageGroupRow,
  keypoint,
  nestedBox,
  opsStart,
  plainTextRow,
  radioClassification,
  textClassification,
  textObject,
  videoRow,
} from "./label-fixtures.js";

type Json = Record<string, unknown>;

const MARCH_1 = new Date("2024-03-01T10:00:00Z");
const MARCH_2 = new Date("2024-03-02T10:00:00Z");

function boxAt(x: number): BoundingBoxCoordinates {
  return new BoundingBoxCoordinates({ height: 0.1, width: 0.2, topLeftX: x, topLeftY: 0.4 });
}

function point(x: number): PointCoordinate {
  return new PointCoordinate({ x, y: 0.5 });
}

function placedBox(frames: number | number[] = 0, objectHash?: string): ObjectInstance {
  const instance = box.createInstance(objectHash === undefined ? {} : { objectHash });
  instance.setForFrames(boxAt(0.1), { frames });
  return instance;
}

const attribute = (owner: { attributes: readonly Attribute[] }, index: number): Attribute => owner.attributes[index] as Attribute;
const option = (owner: Attribute, index: number): AttributeOption => owner.options[index] as AttributeOption;

// Nested Box: "First name" (text) and "Mood" (checklist), both static.
const firstName = attribute(nestedBox, 0);
const mood = attribute(nestedBox, 1);
const [angry, sad] = [option(mood, 0), option(mood, 1)];
// Deeply Nested Polygon: a static radio whose second option holds a nested checklist.
const deepRadio = attribute(deeplyNestedPolygon, 2);
// Keypoint Dynamic Answers: "First name" (text), "Mood" (checklist), both dynamic.
const dynamicName = attribute(keypoint, 0);
const dynamicMood = attribute(keypoint, 1);

/** The all-types ontology plus a box with a numeric attribute (the all-types one has none). */
const numericOntology = Ontology.fromDict({
  ...allTypesStructure(),
  objects: [
    ...(allTypesStructure()["objects"] as Json[]),
    {
      id: "99",
      name: "Counted Box",
      color: "#000000",
      shape: "bounding_box",
      featureNodeHash: "counted1",
      attributes: [{ id: "99.1", name: "Count", type: "numeric", featureNodeHash: "count001" }],
    },
  ],
});

describe("object instances: frames and annotations", () => {
  it("places an object on frames and reads its annotations back", () => {
    const row = imageGroupRow();
    const instance = box.createInstance({ objectHash: "box00001" });
    expect(instance.objectHash).toBe("box00001");
    expect(instance.ontologyItem).toBe(box);
    instance.setForFrames(boxAt(0.1), { frames: [3, 1] });
    instance.setForFrames(boxAt(0.2), { frames: { start: 4, end: 4 } });
    row.addObjectInstance(instance);
    expect(instance.isAssignedToLabelRow).toBe(true);
    expect(instance.getAnnotationFrames()).toEqual([1, 3, 4]);
    expect(instance.getAnnotations().map((annotation) => annotation.frame)).toEqual([1, 3, 4]);
    expect(instance.getAnnotation(4).coordinates).toMatchObject({ topLeftX: 0.2 });
    expect(instance.getAnnotation(1).coordinates).toBeInstanceOf(BoundingBoxCoordinates);
    expect(() => instance.getAnnotation(2)).toThrow(LabelError);
    expect(() => instance.getAnnotation(2)).toThrow(/is not on frame 2; its frames are 1, 3, 4/);
  });

  it("draws a fresh 8-character hash when none is given", () => {
    const [a, b] = [box.createInstance(), box.createInstance()];
    expect(a.objectHash).toMatch(/^[A-Za-z0-9+/]{8}$/);
    expect(a.objectHash).not.toBe(b.objectHash);
    expect(() => box.createInstance({ objectHash: "" })).toThrow(/objectHash "" is not accepted/);
  });

  it("gives new frames the SDK's default metadata", () => {
    const before = Date.now();
    const instance = placedBox(0);
    const annotation = instance.getAnnotation(0);
    expect(annotation.confidence).toBe(1);
    expect(annotation.manualAnnotation).toBe(true);
    expect(annotation.createdBy).toBeNull();
    expect(annotation.lastEditedBy).toBeNull();
    expect(annotation.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(annotation.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("takes the metadata given to setForFrames", () => {
    const instance = box.createInstance();
    instance.setForFrames(boxAt(0.1), {
      frames: 2,
      createdAt: MARCH_1,
      createdBy: "alice@example.com",
      lastEditedAt: "2024-03-02T10:00:00Z",
      lastEditedBy: "bob@example.com",
      confidence: 0.4,
      manualAnnotation: false,
    });
    expect(instance.getAnnotation(2)).toMatchObject({
      createdAt: MARCH_1,
      createdBy: "alice@example.com",
      lastEditedAt: MARCH_2,
      lastEditedBy: "bob@example.com",
      confidence: 0.4,
      manualAnnotation: false,
    });
  });

  it("refuses to replace coordinates without overwrite, naming the frames", () => {
    const instance = placedBox([0, 1, 2]);
    expect(() => instance.setForFrames(boxAt(0.5), { frames: [2, 3] })).toThrow(LabelError);
    expect(() => instance.setForFrames(boxAt(0.5), { frames: [2, 3] })).toThrow(/already has coordinates on frame 2; pass overwrite: true/);
    expect(() => instance.setForFrames(boxAt(0.5), { frames: [0, 1] })).toThrow(/on frames 0, 1;/);
    // Nothing changed, not even the free frame 3.
    expect(instance.getAnnotationFrames()).toEqual([0, 1, 2]);
    expect(instance.getAnnotation(2).coordinates).toMatchObject({ topLeftX: 0.1 });
  });

  it("with overwrite replaces the coordinates and keeps the metadata not given", () => {
    const instance = box.createInstance();
    instance.setForFrames(boxAt(0.1), {
      frames: 0,
      createdAt: MARCH_1,
      createdBy: "alice@example.com",
      confidence: 0.4,
      manualAnnotation: false,
      lastEditedAt: MARCH_1,
    });
    instance.setForFrames(boxAt(0.5), { frames: [0, 1], overwrite: true, lastEditedAt: MARCH_2, lastEditedBy: "bob@example.com" });
    expect(instance.getAnnotation(0).coordinates).toMatchObject({ topLeftX: 0.5 });
    expect(instance.getAnnotation(0)).toMatchObject({
      createdAt: MARCH_1,
      createdBy: "alice@example.com",
      confidence: 0.4,
      manualAnnotation: false,
      lastEditedAt: MARCH_2,
      lastEditedBy: "bob@example.com",
    });
    // A frame new to the object takes the defaults for what was not given.
    expect(instance.getAnnotation(1)).toMatchObject({ confidence: 1, manualAnnotation: true, createdBy: null, lastEditedAt: MARCH_2 });
  });

  it("refuses coordinates that do not fit the object's shape", () => {
    const instance = box.createInstance();
    expect(() => instance.setForFrames(point(0.1))).toThrow(LabelError);
    expect(() => instance.setForFrames(point(0.1))).toThrow(/Object "Box" has shape bounding_box; .* do not fit it \(use BoundingBoxCoordinates\)/);
    expect(() => keypoint.createInstance().setForFrames(boxAt(0.1))).toThrow(/has shape point/);
    expect(instance.getAnnotationFrames()).toEqual([]);
  });

  it("refuses bad frames", () => {
    const instance = box.createInstance();
    expect(() => instance.setForFrames(boxAt(0.1), { frames: -1 })).toThrow(/Frame -1 is not accepted; a frame is an integer ≥ 0/);
    expect(() => instance.setForFrames(boxAt(0.1), { frames: 1.5 })).toThrow(LabelError);
    expect(() => instance.setForFrames(boxAt(0.1), { frames: { start: 3, end: 1 } })).toThrow(/ends before it starts/);
  });

  it("refuses frames outside an image group, saying how many frames it has", () => {
    const row = imageGroupRow();
    const attached = placedBox(4);
    row.addObjectInstance(attached);
    expect(() => attached.setForFrames(boxAt(0.1), { frames: 5 })).toThrow(LabelError);
    expect(() => attached.setForFrames(boxAt(0.1), { frames: 5 })).toThrow(/Frame 5 is outside this image group, which has 5 frames \(0\.\.4\)/);
    expect(() => attached.setForFrames(boxAt(0.1), { frames: [3, 7, 9] })).toThrow(/Frames 7 and 9 are outside this image group/);
    expect(attached.getAnnotationFrames()).toEqual([4]);
    // An instance placed before it joins the row is checked when it is added.
    const detached = placedBox([0, 6]);
    expect(() => row.addObjectInstance(detached)).toThrow(/Frame 6 is outside this image group, which has 5 frames/);
    expect(detached.isAssignedToLabelRow).toBe(false);
    expect(row.getObjectInstances()).toEqual([attached]);
  });

  it("refuses frames outside a video, using the metadata's frame count", () => {
    const row = videoRow();
    const instance = keypoint.createInstance();
    instance.setForFrames(point(0.1), { frames: 2499 });
    row.addObjectInstance(instance);
    expect(() => instance.setForFrames(point(0.1), { frames: 2500 })).toThrow(LabelError);
    expect(() => instance.setForFrames(point(0.1), { frames: 2500 })).toThrow(/Frame 2500 is outside this video, which has 2500 frames \(0\.\.2499\)/);
  });

  it("takes the object off frames", () => {
    const row = imageGroupRow();
    const instance = placedBox([0, 1, 2]);
    row.addObjectInstance(instance);
    instance.removeFromFrames([0, 2, 4]);
    expect(instance.getAnnotationFrames()).toEqual([1]);
    expect(row.getObjectInstances({ filterFrames: 0 })).toEqual([]);
    expect(row.getObjectInstances({ filterFrames: 1 })).toEqual([instance]);
  });
});

describe("labelRow.addObjectInstance / removeObject / getObjectInstances", () => {
  it("refuses an object without coordinates", () => {
    const row = imageGroupRow();
    const instance = box.createInstance({ objectHash: "empty001" });
    expect(() => row.addObjectInstance(instance)).toThrow(LabelError);
    expect(() => row.addObjectInstance(instance)).toThrow(/Object "Box" \(empty001\) has no coordinates yet; call setForFrames before adding it/);
  });

  it("refuses an instance that already belongs to a row, this one or another", () => {
    const row = imageGroupRow();
    const other = imageGroupRow();
    const instance = placedBox(0, "twice001");
    row.addObjectInstance(instance);
    expect(() => row.addObjectInstance(instance)).toThrow(LabelError);
    expect(() => row.addObjectInstance(instance)).toThrow(/Object twice001 already belongs to a label row/);
    expect(() => other.addObjectInstance(instance)).toThrow(/already belongs to a label row; an instance belongs to one row at a time/);
    expect(other.getObjectInstances()).toEqual([]);
    // Once removed, it can go elsewhere.
    row.removeObject(instance);
    expect(instance.isAssignedToLabelRow).toBe(false);
    other.addObjectInstance(instance);
    expect(other.getObjectInstances()).toEqual([instance]);
  });

  it("refuses an object of another ontology", () => {
    const foreign = Ontology.fromDict({ objects: [{ id: "1", name: "Car", color: "#fff", shape: "bounding_box", featureNodeHash: "car00001" }] });
    const instance = foreign.getChildByHash("car00001", "object").createInstance();
    instance.setForFrames(boxAt(0.1));
    expect(() => imageGroupRow().addObjectInstance(instance)).toThrow(/Object "Car" is not part of this row's ontology/);
  });

  it("replaces an instance with the same hash (force is the default); force: false refuses", () => {
    const row = imageGroupRow();
    const first = placedBox(0, "same0001");
    row.addObjectInstance(first);
    const second = placedBox(1, "same0001");
    expect(() => row.addObjectInstance(second, { force: false })).toThrow(LabelError);
    expect(() => row.addObjectInstance(second, { force: false })).toThrow(/already has an object with hash same0001; pass force: true to replace it/);
    expect(row.getObjectInstances()).toEqual([first]);
    row.addObjectInstance(second);
    expect(row.getObjectInstances()).toEqual([second]);
    expect(first.isAssignedToLabelRow).toBe(false);
    expect(row.getObjectInstances({ filterFrames: 0 })).toEqual([]);
    const third = placedBox(2, "same0001");
    row.addObjectInstance(third, { force: true });
    expect(row.getObjectInstances()).toEqual([third]);
  });

  it("keeps the instance it would replace when the new one is refused", () => {
    const row = imageGroupRow();
    const first = placedBox(0, "keep0001");
    row.addObjectInstance(first);
    const outside = placedBox(9, "keep0001");
    expect(() => row.addObjectInstance(outside)).toThrow(/Frame 9 is outside this image group/);
    expect(row.getObjectInstances()).toEqual([first]);
    expect(first.isAssignedToLabelRow).toBe(true);
    expect(row.getObjectInstances({ filterFrames: 0 })).toEqual([first]);
  });

  it("removes objects from the row and from its output", () => {
    const row = imageGroupRow();
    const keep = placedBox(0, "keep0001");
    const drop = placedBox([0, 1], "drop0001");
    row.addObjectInstance(keep);
    row.addObjectInstance(drop);
    row.removeObject(drop);
    expect(row.getObjectInstances()).toEqual([keep]);
    expect(drop.isAssignedToLabelRow).toBe(false);
    const out = row.toEncordDict();
    expect(Object.keys(out.object_answers)).toEqual(["keep0001"]);
    expect(JSON.stringify(out.data_units)).not.toContain("drop0001");
    expect(() => row.removeObject(drop)).toThrow(LabelError);
    expect(() => row.removeObject(drop)).toThrow(/Object drop0001 is not part of this label row/);
    // An unrelated instance that merely shares the hash is not removed either.
    expect(() => row.removeObject(placedBox(0, "keep0001"))).toThrow(/is not part of this label row/);
    expect(row.getObjectInstances()).toEqual([keep]);
  });

  it("filters by ontology object (the object or its hash) and by frames, in the order added", () => {
    const row = imageGroupRow();
    const box1 = placedBox([0, 1]);
    const nested = nestedBox.createInstance();
    nested.setForFrames(boxAt(0.2), { frames: [1, 2] });
    const box2 = placedBox(3);
    for (const instance of [box1, nested, box2]) row.addObjectInstance(instance);
    expect(row.getObjectInstances()).toEqual([box1, nested, box2]);
    expect(row.getObjectInstances({ filterOntologyObject: box })).toEqual([box1, box2]);
    expect(row.getObjectInstances({ filterOntologyObject: HASH.nestedBox })).toEqual([nested]);
    expect(row.getObjectInstances({ filterOntologyObject: HASH.polygon })).toEqual([]);
    expect(row.getObjectInstances({ filterFrames: 1 })).toEqual([box1, nested]);
    expect(row.getObjectInstances({ filterFrames: [2, 3] })).toEqual([nested, box2]);
    expect(row.getObjectInstances({ filterFrames: { start: 0, end: 4 } })).toEqual([box1, nested, box2]);
    expect(row.getObjectInstances({ filterFrames: 4 })).toEqual([]);
    expect(row.getObjectInstances({ filterOntologyObject: box, filterFrames: [1, 2] })).toEqual([box1]);
  });
});

describe("object answers: static attributes", () => {
  it("answers text, radio (with a nested attribute) and checklist attributes, and reads them back", () => {
    const instance = nestedBox.createInstance();
    instance.setAnswer("Ann", { attribute: firstName });
    instance.setAnswer([sad, angry, sad], { attribute: HASH.mood });
    expect(instance.getAnswer(firstName)).toBe("Ann");
    expect(instance.getAnswer(HASH.firstName)).toBe("Ann");
    expect(instance.getAnswer(mood)).toEqual([sad, angry]);

    const polygon = deeplyNestedPolygon.createInstance();
    const second = option(deepRadio, 1);
    const nestedMood = second.attributes[0] as Attribute;
    polygon.setAnswer(second, { attribute: deepRadio });
    polygon.setAnswer([option(nestedMood, 1)], { attribute: nestedMood });
    expect(polygon.getAnswer(deepRadio)).toBe(second);
    expect(polygon.getAnswer(nestedMood)).toEqual([option(nestedMood, 1)]);
    expect(polygon.getStaticAnswers().map(([answered]) => answered.name)).toEqual(["Radio level 1 ", "Mood"]);
    expect(polygon.getAnswer(attribute(deeplyNestedPolygon, 0))).toBeUndefined();
  });

  it("answers numeric attributes", () => {
    const counted = numericOntology.getChildByHash("counted1", "object");
    const instance = counted.createInstance({ objectHash: "count001" });
    instance.setForFrames(boxAt(0.1));
    instance.setAnswer(3.5, { attribute: "count001" });
    expect(instance.getAnswer("count001")).toBe(3.5);
    expect(() => instance.setAnswer("3", { attribute: "count001", overwrite: true })).toThrow(
      /Attribute "Count" is a numeric question; answer it with a finite number, got "3"/,
    );
    expect(() => instance.setAnswer(Number.NaN, { attribute: "count001", overwrite: true })).toThrow(LabelError);
    const { dict, metadata } = opsStart("image_group_bbox_frame0");
    const row = LabelRow.fromEncordDict(dict, { ontology: numericOntology, metadata });
    row.addObjectInstance(instance);
    expect((row.toEncordDict().object_answers["count001"] as Json)["classifications"]).toEqual([
      { name: "Count", value: "count", answers: 3.5, featureHash: "count001", manualAnnotation: true },
    ]);
  });

  it("refuses answers of the wrong type, naming the attribute and what it takes", () => {
    const instance = deeplyNestedPolygon.createInstance();
    expect(() => instance.setAnswer("1 option 1", { attribute: deepRadio })).toThrow(LabelError);
    expect(() => instance.setAnswer("1 option 1", { attribute: deepRadio })).toThrow(
      /Attribute "Radio level 1 " is a radio question; answer it with one of its options \(its options are "1 option 1" and "1 option 2"\), got "1 option 1"/,
    );
    expect(() => instance.setAnswer([option(deepRadio, 0)], { attribute: deepRadio })).toThrow(/is a radio question; answer it with one option, not a list/);
    // An option of another attribute (even one with the same label).
    expect(() => instance.setAnswer(option(attribute(deeplyNestedPolygon, 1), 0), { attribute: deepRadio })).toThrow(
      /Option "Angry" does not belong to attribute "Radio level 1 "; its options are "1 option 1" and "1 option 2"/,
    );
    expect(() => nestedBox.createInstance().setAnswer(angry, { attribute: mood })).toThrow(/"Mood" is a checklist; answer it with a list of its options/);
    expect(() => nestedBox.createInstance().setAnswer(42, { attribute: firstName })).toThrow(
      /Attribute "First name" is a text question; answer it with a string, got 42/,
    );
    expect(() => nestedBox.createInstance().setAnswer([option(deepRadio, 0)], { attribute: mood })).toThrow(
      /Option "1 option 1" does not belong to attribute "Mood"/,
    );
    expect(instance.getStaticAnswers()).toEqual([]);
  });

  it("refuses attributes that are not the object's own", () => {
    const instance = box.createInstance();
    expect(() => instance.setAnswer("x", { attribute: HASH.firstName })).toThrow(LabelError);
    expect(() => instance.setAnswer("x", { attribute: HASH.firstName })).toThrow(
      /The object "Box" has no attribute with feature node hash "OTkxMjU1"; its attributes are none/,
    );
    expect(() => nestedBox.createInstance().setAnswer("x", { attribute: attribute(radioClassification, 0) })).toThrow(
      /The object "Nested Box" has no attribute "Radio classification 1"; its attributes are "First name" and "Mood"/,
    );
    expect(() => nestedBox.createInstance().setAnswer("x", {} as never)).toThrow(/setAnswer needs \{ attribute \}/);
  });

  it("looks attribute hashes up inside the object when the ontology reuses them", () => {
    // OTkxMjU1 is dynamic on Keypoint and static on Nested Box: on Nested Box it is static.
    const instance = nestedBox.createInstance();
    instance.setAnswer("Ann", { attribute: HASH.firstName });
    expect(instance.getAnswer(HASH.firstName)).toBe("Ann");
    // The Keypoint's attribute object resolves to Nested Box's own attribute with that hash.
    expect(instance.getAnswer(dynamicName)).toBe("Ann");
  });

  it("refuses to replace an answer without overwrite; deleteAnswer removes it", () => {
    const instance = nestedBox.createInstance();
    instance.setAnswer("Ann", { attribute: firstName });
    expect(() => instance.setAnswer("Bob", { attribute: firstName })).toThrow(LabelError);
    expect(() => instance.setAnswer("Bob", { attribute: firstName })).toThrow(/Attribute "First name" is already answered; pass overwrite: true/);
    expect(instance.getAnswer(firstName)).toBe("Ann");
    instance.setAnswer("Bob", { attribute: firstName, overwrite: true, manualAnnotation: false });
    expect(instance.getAnswer(firstName)).toBe("Bob");
    instance.deleteAnswer(firstName);
    expect(instance.getAnswer(firstName)).toBeUndefined();
    instance.setAnswer("Cleo", { attribute: firstName });
    expect(instance.getAnswer(firstName)).toBe("Cleo");
  });

  it("refuses frames for a static attribute", () => {
    const instance = nestedBox.createInstance();
    instance.setForFrames(boxAt(0.1), { frames: [0, 1] });
    expect(() => instance.setAnswer("Ann", { attribute: firstName, frames: 1 })).toThrow(LabelError);
    expect(() => instance.setAnswer("Ann", { attribute: firstName, frames: 1 })).toThrow(
      /Attribute "First name" is static \(one answer for the whole object\); leave frames out/,
    );
    expect(instance.getAnswer(firstName)).toBeUndefined();
  });

  it("writes static answers into object_answers", () => {
    const row = imageGroupRow();
    const instance = nestedBox.createInstance({ objectHash: "nest0001" });
    instance.setForFrames(boxAt(0.1));
    instance.setAnswer("Ann", { attribute: firstName, manualAnnotation: false });
    instance.setAnswer([angry], { attribute: mood });
    row.addObjectInstance(instance);
    const entry = row.toEncordDict().object_answers["nest0001"] as Json;
    expect(entry["objectHash"]).toBe("nest0001");
    expect(entry["classifications"]).toEqual(
      expect.arrayContaining([
        { name: "First name", value: "first_name", answers: "Ann", featureHash: HASH.firstName, manualAnnotation: false },
        { name: "Mood", value: "mood", answers: [{ name: "Angry", value: "angry", featureHash: HASH.angry }], featureHash: HASH.mood, manualAnnotation: true },
      ]),
    );
  });
});

describe("object answers: dynamic attributes", () => {
  function trackedPoint(): ObjectInstance {
    const instance = keypoint.createInstance({ objectHash: "kp000001" });
    instance.setForFrames(point(0.1), { frames: { start: 0, end: 5 } });
    return instance;
  }

  it("answers per frame and groups equal answers into ranges", () => {
    const instance = trackedPoint();
    instance.setAnswer("Ann", { attribute: dynamicName, frames: [0, 1, 2] });
    instance.setAnswer("Bob", { attribute: dynamicName, frames: 4 });
    instance.setAnswer("Ann", { attribute: HASH.firstName, frames: 5 });
    expect(instance.getAnswer(dynamicName, { frame: 1 })).toBe("Ann");
    expect(instance.getAnswer(dynamicName, { frame: 4 })).toBe("Bob");
    expect(instance.getAnswer(dynamicName, { frame: 3 })).toBeUndefined();
    const tracks = instance.getDynamicAnswers(dynamicName);
    expect(tracks.map((track) => [track.value, track.ranges])).toEqual([
      [
        "Ann",
        [
          [0, 2],
          [5, 5],
        ],
      ],
      ["Bob", [[4, 4]]],
    ]);
    expect(tracks[0]?.frames).toEqual([0, 1, 2, 5]);
    expect(tracks[0]?.manualAnnotation).toBe(true);
    expect(() => instance.getAnswer(dynamicName)).toThrow(LabelError);
    expect(() => instance.getAnswer(dynamicName)).toThrow(/Attribute "First name" is dynamic; pass \{ frame \}/);
  });

  it("answers every frame of the object when frames are omitted", () => {
    const instance = trackedPoint();
    instance.setAnswer([angry, sad], { attribute: dynamicMood });
    expect(instance.getDynamicAnswers(dynamicMood).map((track) => track.ranges)).toEqual([[[0, 5]]]);
    expect(instance.getAnswer(dynamicMood, { frame: 5 })).toEqual([angry, sad]);
  });

  it("refuses answers on frames the object is not on", () => {
    const instance = trackedPoint();
    expect(() => instance.setAnswer("Ann", { attribute: dynamicName, frames: [5, 6, 7] })).toThrow(LabelError);
    expect(() => instance.setAnswer("Ann", { attribute: dynamicName, frames: [5, 6, 7] })).toThrow(
      /Object "Keypoint Dynamic Answers" is not on frames 6, 7; a dynamic answer can only be set on the object's frames \(0, 1, 2, 3, 4, 5\)/,
    );
    expect(instance.getDynamicAnswers(dynamicName)).toEqual([]);
  });

  it("refuses to replace a frame's answer without overwrite", () => {
    const instance = trackedPoint();
    instance.setAnswer("Ann", { attribute: dynamicName, frames: [0, 1] });
    expect(() => instance.setAnswer("Bob", { attribute: dynamicName, frames: [1, 2] })).toThrow(
      /Attribute "First name" is already answered on frame 1; pass overwrite: true/,
    );
    instance.setAnswer("Bob", { attribute: dynamicName, frames: [1, 2], overwrite: true });
    expect(instance.getDynamicAnswers(dynamicName).map((track) => [track.value, track.frames])).toEqual([
      ["Ann", [0]],
      ["Bob", [1, 2]],
    ]);
  });

  it("deletes answers by attribute, answer or frame", () => {
    const instance = trackedPoint();
    instance.setAnswer("Ann", { attribute: dynamicName, frames: [0, 1] });
    instance.setAnswer("Bob", { attribute: dynamicName, frames: [2, 3] });
    instance.deleteAnswer(dynamicName, { filterFrame: 1 });
    expect(instance.getAnswer(dynamicName, { frame: 1 })).toBeUndefined();
    instance.deleteAnswer(dynamicName, { filterAnswer: "Bob" });
    expect(instance.getDynamicAnswers(dynamicName).map((track) => track.frames)).toEqual([[0]]);
    instance.deleteAnswer(dynamicName);
    expect(instance.getDynamicAnswers(dynamicName)).toEqual([]);
  });

  it("drops the dynamic answers of frames the object leaves", () => {
    const row = videoRow();
    const instance = trackedPoint();
    instance.setAnswer("Ann", { attribute: dynamicName });
    row.addObjectInstance(instance);
    instance.removeFromFrames({ start: 2, end: 3 });
    expect(instance.getDynamicAnswers(dynamicName).map((track) => track.ranges)).toEqual([
      [
        [0, 1],
        [4, 5],
      ],
    ]);
    // Placed there again, the frames have no answer.
    instance.setForFrames(point(0.3), { frames: 2 });
    expect(instance.getAnswer(dynamicName, { frame: 2 })).toBeUndefined();
    const actions = (row.toEncordDict().object_actions["kp000001"] as Json)["actions"] as Json[];
    expect(actions.map((action) => action["range"])).toEqual([
      [
        [0, 1],
        [4, 5],
      ],
    ]);
  });
});

describe("annotation metadata setters", () => {
  it("read and change the instance's frame", () => {
    const instance = placedBox([0, 1]);
    const annotation = instance.getAnnotation(1);
    annotation.confidence = 0.25;
    annotation.manualAnnotation = false;
    annotation.createdBy = "alice@example.com";
    annotation.lastEditedBy = null;
    annotation.createdAt = MARCH_1;
    annotation.lastEditedAt = "2024-03-02T10:00:00Z";
    expect(instance.getAnnotation(1)).toMatchObject({
      confidence: 0.25,
      manualAnnotation: false,
      createdBy: "alice@example.com",
      lastEditedBy: null,
      createdAt: MARCH_1,
      lastEditedAt: MARCH_2,
    });
    expect(instance.getAnnotation(0).confidence).toBe(1);
    // Dates handed out are copies.
    annotation.createdAt.setUTCFullYear(1999);
    expect(instance.getAnnotation(1).createdAt).toEqual(MARCH_1);
  });

  it("refuses values the SDK refuses, keeping the old ones", () => {
    const annotation = placedBox(0).getAnnotation(0);
    expect(() => {
      annotation.confidence = 1.5;
    }).toThrow(LabelError);
    expect(() => {
      annotation.confidence = 1.5;
    }).toThrow(/Confidence 1.5 is not accepted; confidence is a number from 0 to 1/);
    expect(() => {
      annotation.confidence = -0.1;
    }).toThrow(/Confidence -0.1 is not accepted/);
    expect(() => {
      annotation.createdBy = "alice";
    }).toThrow(/createdBy "alice" is not accepted; give an e-mail address \(or null/);
    expect(() => {
      annotation.lastEditedBy = "bob at example.com";
    }).toThrow(LabelError);
    expect(() => {
      annotation.manualAnnotation = "yes" as unknown as boolean;
    }).toThrow(/manualAnnotation must be true or false; got "yes"/);
    expect(annotation).toMatchObject({ confidence: 1, createdBy: null, lastEditedBy: null, manualAnnotation: true });
  });

  it("refuses the same values in setForFrames", () => {
    const instance = box.createInstance();
    expect(() => instance.setForFrames(boxAt(0.1), { confidence: 2 })).toThrow(/Confidence 2 is not accepted/);
    expect(() => instance.setForFrames(boxAt(0.1), { createdBy: "alice" })).toThrow(/createdBy "alice" is not accepted/);
    expect(instance.getAnnotationFrames()).toEqual([]);
  });
});

describe("classification instances", () => {
  const radioAttribute = attribute(radioClassification, 0);
  const [clOption1, clOption2] = [option(radioAttribute, 0), option(radioAttribute, 1)];

  it("are created from the ontology, placed on frames and added to the row", () => {
    const row = imageGroupRow();
    const instance = radioClassification.createInstance({ classificationHash: "cls00001" });
    expect(instance.classificationHash).toBe("cls00001");
    expect(instance.ontologyItem).toBe(radioClassification);
    instance.setForFrames({ frames: [0, 1, 3], createdAt: MARCH_1, createdBy: "alice@example.com", confidence: 0.5 });
    instance.setAnswer(clOption1);
    row.addClassificationInstance(instance);
    expect(row.getClassificationInstances()).toEqual([instance]);
    expect(instance.getAnnotationFrames()).toEqual([0, 1, 3]);
    expect(instance.range).toEqual([
      [0, 1],
      [3, 3],
    ]);
    expect(instance.getAnnotation(3)).toMatchObject({ createdAt: MARCH_1, createdBy: "alice@example.com", confidence: 0.5, manualAnnotation: true });
    expect(() => instance.getAnnotation(2)).toThrow(/Classification "Radio classification 1" \(cls00001\) is not on frame 2; its frames are 0, 1, 3/);
    expect(row.getClassificationInstances({ filterFrames: 2 })).toEqual([]);
    expect(row.getClassificationInstances({ filterFrames: [2, 3], filterOntologyClassification: radioClassification })).toEqual([instance]);
    expect(row.getClassificationInstances({ filterOntologyClassification: HASH.textClassification })).toEqual([]);

    const entry = row.toEncordDict().classification_answers["cls00001"] as Json;
    expect(entry).toMatchObject({
      classificationHash: "cls00001",
      featureHash: HASH.radioClassification,
      range: [
        [0, 1],
        [3, 3],
      ],
      createdBy: "alice@example.com",
    });
  });

  it("refuses frames already taken without overwrite", () => {
    const instance = radioClassification.createInstance();
    instance.setForFrames({ frames: [0, 1] });
    expect(() => instance.setForFrames({ frames: 1 })).toThrow(LabelError);
    expect(() => instance.setForFrames({ frames: 1 })).toThrow(/is already on frame 1; pass overwrite: true/);
    instance.setForFrames({ frames: [1, 2], overwrite: true, confidence: 0.3 });
    expect(instance.getAnnotation(1).confidence).toBe(0.3);
  });

  it("refuses to be added without frames", () => {
    const instance = radioClassification.createInstance();
    instance.setAnswer(clOption1);
    expect(() => imageGroupRow().addClassificationInstance(instance)).toThrow(LabelError);
    expect(() => imageGroupRow().addClassificationInstance(instance)).toThrow(/is on no frames; call setForFrames before adding it/);
  });

  it("refuses frames outside the media", () => {
    const row = imageGroupRow();
    const attached = radioClassification.createInstance();
    attached.setForFrames({ frames: 0 });
    row.addClassificationInstance(attached);
    expect(() => attached.setForFrames({ frames: 5 })).toThrow(/Frame 5 is outside this image group, which has 5 frames/);
    const detached = textClassification.createInstance();
    detached.setForFrames({ frames: [4, 5] });
    expect(() => row.addClassificationInstance(detached)).toThrow(LabelError);
    expect(() => row.addClassificationInstance(detached)).toThrow(/Frame 5 is outside this image group, which has 5 frames/);
    expect(row.getClassificationInstances()).toEqual([attached]);
  });

  it("holds one instance of a classification per frame: refused on add unless forced, which moves the frames", () => {
    const row = imageGroupRow();
    const first = radioClassification.createInstance({ classificationHash: "first001" });
    first.setForFrames({ frames: [0, 1, 2] });
    first.setAnswer(clOption1);
    row.addClassificationInstance(first);
    const second = radioClassification.createInstance({ classificationHash: "second01" });
    second.setForFrames({ frames: [2, 3] });
    second.setAnswer(clOption2);
    expect(() => row.addClassificationInstance(second)).toThrow(LabelError);
    expect(() => row.addClassificationInstance(second)).toThrow(
      /Classification "Radio classification 1" is already on frame 2 through another instance; pass force: true/,
    );
    expect(row.getClassificationInstances()).toEqual([first]);
    expect(first.getAnnotationFrames()).toEqual([0, 1, 2]);

    // Another classification on the same frames is fine.
    const text = textClassification.createInstance();
    text.setForFrames({ frames: [0, 1, 2, 3] });
    text.setAnswer("hello");
    row.addClassificationInstance(text);

    row.addClassificationInstance(second, { force: true });
    expect(first.getAnnotationFrames()).toEqual([0, 1]);
    expect(second.getAnnotationFrames()).toEqual([2, 3]);
    expect(row.getClassificationInstances({ filterFrames: 2 })).toEqual([text, second]);
    expect(text.getAnnotationFrames()).toEqual([0, 1, 2, 3]);

    // Once in the row, setForFrames refuses another instance's frames.
    expect(() => second.setForFrames({ frames: 1 })).toThrow(
      /is already on frame 1 through another instance; a frame holds one instance of each classification/,
    );
    expect(second.getAnnotationFrames()).toEqual([2, 3]);

    const out = row.toEncordDict();
    expect((out.classification_answers["first001"] as Json)["range"]).toEqual([[0, 1]]);
    expect((out.classification_answers["second01"] as Json)["range"]).toEqual([[2, 3]]);
  });

  it("refuses a second instance with the same hash unless forced", () => {
    const row = imageGroupRow();
    const first = textClassification.createInstance({ classificationHash: "same0001" });
    first.setForFrames({ frames: 0 });
    first.setAnswer("a");
    row.addClassificationInstance(first);
    const second = textClassification.createInstance({ classificationHash: "same0001" });
    second.setForFrames({ frames: 0 });
    second.setAnswer("b");
    expect(() => row.addClassificationInstance(second)).toThrow(/already has a classification with hash same0001; pass force: true/);
    row.addClassificationInstance(second, { force: true });
    expect(row.getClassificationInstances()).toEqual([second]);
    expect(first.isAssignedToLabelRow).toBe(false);
    expect(() => imageGroupRow().addClassificationInstance(second)).toThrow(/Classification same0001 already belongs to a label row/);
  });

  it("removes classifications", () => {
    const row = imageGroupRow();
    const instance = textClassification.createInstance({ classificationHash: "gone0001" });
    instance.setForFrames({ frames: 0 });
    instance.setAnswer("x");
    row.addClassificationInstance(instance);
    row.removeClassificationInstance(instance);
    expect(row.getClassificationInstances()).toEqual([]);
    expect(row.toEncordDict().classification_answers).toEqual({});
    expect(() => row.removeClassification(instance)).toThrow(/Classification gone0001 is not part of this label row/);
  });

  it("answers the first attribute by default; getAnswer and deleteAnswer", () => {
    const instance = radioClassification.createInstance();
    instance.setAnswer(clOption2);
    expect(instance.getAnswer()).toBe(clOption2);
    expect(instance.getAnswer(radioAttribute)).toBe(clOption2);
    const nestedText = clOption2.attributes[0] as Attribute;
    instance.setAnswer("why", { attribute: nestedText });
    expect(instance.getAnswer(HASH.clNestedText)).toBe("why");
    expect(() => instance.setAnswer(clOption1)).toThrow(/Attribute "Radio classification 1" is already answered; pass overwrite: true/);
    instance.setAnswer(clOption1, { overwrite: true });
    expect(instance.getAnswer()).toBe(clOption1);
    instance.deleteAnswer();
    expect(instance.getAnswer()).toBeUndefined();
    expect(instance.getAnswers().map(([answered]) => answered.name)).toEqual(["cl 1 2 text"]);
    instance.deleteAnswer(nestedText);
    expect(instance.getAnswers()).toEqual([]);

    const checklist = checklistClassification.createInstance();
    const checklistAttribute = attribute(checklistClassification, 0);
    checklist.setAnswer([option(checklistAttribute, 1)]);
    expect(checklist.getAnswer()).toEqual([option(checklistAttribute, 1)]);
    expect(() => checklist.setAnswer(option(checklistAttribute, 0), { overwrite: true })).toThrow(
      /"Checklist classification" is a checklist; answer it with a list/,
    );
    expect(() => textClassification.createInstance().setAnswer(3)).toThrow(
      /Attribute "Text classification" is a text question; answer it with a string, got 3/,
    );
    expect(() => textClassification.createInstance().setAnswer("x", { attribute: HASH.firstName })).toThrow(
      /The classification "Text classification" has no attribute with feature node hash "OTkxMjU1"/,
    );
  });

  it("keep their own metadata, set through the instance's setters", () => {
    const row = imageGroupRow();
    const instance = textClassification.createInstance({ classificationHash: "meta0001" });
    instance.setForFrames({ frames: 0, createdAt: MARCH_1, lastEditedAt: MARCH_1 });
    instance.setAnswer("x");
    instance.createdBy = "alice@example.com";
    instance.lastEditedBy = "bob@example.com";
    instance.lastEditedAt = "2024-03-02 10:00:00";
    instance.manualAnnotation = false;
    instance.confidence = 0.7;
    expect(instance).toMatchObject({
      createdBy: "alice@example.com",
      lastEditedBy: "bob@example.com",
      lastEditedAt: MARCH_2,
      manualAnnotation: false,
      confidence: 0.7,
    });
    expect(() => {
      instance.confidence = 1.5;
    }).toThrow(/Confidence 1.5 is not accepted/);
    expect(() => {
      instance.createdBy = "alice";
    }).toThrow(LabelError);
    expect(() => {
      instance.createdAt = "noon";
    }).toThrow(/createdAt "noon" is not a time/);
    row.addClassificationInstance(instance);
    const entry = row.toEncordDict().classification_answers["meta0001"] as Json;
    expect(entry).toMatchObject({
      createdBy: "alice@example.com",
      createdAt: "Fri, 01 Mar 2024 10:00:00 UTC",
      lastEditedBy: "bob@example.com",
      lastEditedAt: "Sat, 02 Mar 2024 10:00:00 UTC",
      manualAnnotation: false,
    });
    // The frame's own metadata is separate.
    expect(instance.getAnnotation(0)).toMatchObject({ createdBy: null, manualAnnotation: true, confidence: 1 });
  });
});

describe("global classifications", () => {
  const globalAttribute = attribute(globalClassification, 0);

  it("have no frames", () => {
    const instance = globalClassification.createInstance();
    expect(instance.isGlobal).toBe(true);
    expect(() => instance.setForFrames({ frames: 0 })).toThrow(LabelError);
    expect(() => instance.setForFrames({ frames: 0 })).toThrow(
      /Classification "Global classification" is global: it applies to the whole data item and has no frames/,
    );
    expect(() => instance.setForFrames()).toThrow(/is global/);
  });

  it("are added without frames and written with an empty range", () => {
    const row = imageGroupRow();
    const instance = globalClassification.createInstance({ classificationHash: "glob0001" });
    instance.setAnswer([option(globalAttribute, 0)]);
    row.addClassificationInstance(instance);
    const entry = row.toEncordDict().classification_answers["glob0001"] as Json;
    expect(entry).toMatchObject({ featureHash: HASH.global, range: [] });
    expect(JSON.stringify(row.toEncordDict().data_units)).not.toContain("glob0001");
  });

  it("hold one instance per item: a second is refused unless forced, which replaces the first", () => {
    const row = imageGroupRow();
    const first = globalClassification.createInstance({ classificationHash: "glob0001" });
    first.setAnswer([option(globalAttribute, 0)]);
    row.addClassificationInstance(first);
    const second = globalClassification.createInstance({ classificationHash: "glob0002" });
    second.setAnswer([option(globalAttribute, 1)]);
    expect(() => row.addClassificationInstance(second)).toThrow(LabelError);
    expect(() => row.addClassificationInstance(second)).toThrow(/already has an instance of global classification "Global classification"; pass force: true/);
    expect(row.getClassificationInstances()).toEqual([first]);
    row.addClassificationInstance(second, { force: true });
    expect(row.getClassificationInstances()).toEqual([second]);
    expect(first.isAssignedToLabelRow).toBe(false);
    expect(Object.keys(row.toEncordDict().classification_answers)).toEqual(["glob0002"]);
  });
});

describe("range-only classifications (plain text, audio)", () => {
  it("cover ranges and are written as [[start, end]]", () => {
    const row = plainTextRow();
    const instance = textClassification.createInstance({ classificationHash: "range001", rangeOnly: true });
    expect(instance.isRangeOnly).toBe(true);
    instance.setForFrames({ frames: { start: 0, end: 1_000_000 }, createdAt: MARCH_1, lastEditedAt: MARCH_1 });
    instance.setForFrames({ frames: [{ start: 2_000_000, end: 2_000_010 }] });
    instance.setAnswer("document level");
    row.addClassificationInstance(instance);
    expect(instance.range).toEqual([
      [0, 1_000_000],
      [2_000_000, 2_000_010],
    ]);
    expect(instance.getAnnotationFrames()).toEqual([]);
    instance.removeFromFrames({ start: 10, end: 1_000_000 });
    const out = row.toEncordDict();
    expect(out.classification_answers["range001"]).toMatchObject({
      classificationHash: "range001",
      featureHash: HASH.textClassification,
      range: [
        [0, 9],
        [2_000_000, 2_000_010],
      ],
      classifications: [
        {
          name: "Text classification",
          value: "text_classification",
          answers: "document level",
          featureHash: HASH.textClassificationAttribute,
          manualAnnotation: true,
        },
      ],
    });
    expect((Object.values(out.data_units)[0] as Json)["labels"]).toEqual({});
  });

  it("replace their ranges with overwrite", () => {
    const instance = textClassification.createInstance({ rangeOnly: true });
    instance.setForFrames({ frames: { start: 0, end: 5 } });
    instance.setForFrames({ frames: { start: 3, end: 9 } });
    expect(instance.range).toEqual([[0, 9]]);
    instance.setForFrames({ frames: { start: 20, end: 30 }, overwrite: true });
    expect(instance.range).toEqual([[20, 30]]);
    expect(() => instance.setForFrames({ frames: { start: 5, end: 1 } })).toThrow(/Range 5\.\.1 ends before it starts/);
  });
});

describe("audio and text objects", () => {
  it("place an audio object by its ranges and write it into object_answers", () => {
    const row = audioRow();
    const instance = audioObject.createInstance({ objectHash: "audio001" });
    instance.setForFrames(new AudioCoordinates({ range: [{ start: 100, end: 2000 }] }), {
      createdAt: MARCH_1,
      lastEditedAt: MARCH_1,
      createdBy: "alice@example.com",
    });
    instance.setAnswer("hello", { attribute: "transcriptFeatureHash" });
    row.addObjectInstance(instance);
    expect(instance.getAnnotationFrames()).toEqual([0]);
    expect(instance.getAnnotation().coordinates).toBeInstanceOf(AudioCoordinates);
    const out = row.toEncordDict();
    expect(out.object_answers["audio001"]).toEqual({
      classifications: [{ name: "Transcript", value: "transcript", answers: "hello", featureHash: "transcriptFeatureHash", manualAnnotation: true }],
      objectHash: "audio001",
      createdBy: "alice@example.com",
      createdAt: "Fri, 01 Mar 2024 10:00:00 UTC",
      lastEditedBy: null,
      lastEditedAt: "Fri, 01 Mar 2024 10:00:00 UTC",
      manualAnnotation: true,
      featureHash: HASH.audio1,
      name: "audio object 1",
      color: "#A4FF00",
      shape: "audio",
      value: "audio_object_1",
      range: [[100, 2000]],
    });
    expect((Object.values(out.data_units)[0] as Json)["labels"]).toEqual({});
  });

  it("place a text object on a plain-text row", () => {
    const row = plainTextRow();
    const instance = textObject.createInstance({ objectHash: "text0001" });
    instance.setForFrames(
      new TextCoordinates({
        range: [
          { start: 0, end: 50 },
          { start: 60, end: 70 },
        ],
      }),
    );
    row.addObjectInstance(instance);
    expect((row.toEncordDict().object_answers["text0001"] as Json)["range"]).toEqual([
      [0, 50],
      [60, 70],
    ]);
  });

  it("refuse frames other than 0: their ranges are in the coordinates", () => {
    const instance = audioObject.createInstance();
    expect(() => instance.setForFrames(new AudioCoordinates({ range: [{ start: 0, end: 1 }] }), { frames: 3 })).toThrow(LabelError);
    expect(() => instance.setForFrames(new AudioCoordinates({ range: [{ start: 0, end: 1 }] }), { frames: 3 })).toThrow(
      /Object "audio object 1" is an audio object; its ranges are in the coordinates, so leave frames out/,
    );
  });

  it("refuse a box on an audio row, and an audio object on an image row", () => {
    const audio = audioRow();
    expect(() => audio.addObjectInstance(placedBox(0))).toThrow(LabelError);
    expect(() => audio.addObjectInstance(placedBox(0))).toThrow(
      /Object "Box" is a bounding_box object; this label row is for audio or text and takes audio or text objects only/,
    );
    expect(audio.getObjectInstances()).toEqual([]);

    const image = imageGroupRow();
    const sound = audioObject.createInstance();
    sound.setForFrames(new AudioCoordinates({ range: [{ start: 0, end: 10 }] }));
    expect(() => image.addObjectInstance(sound)).toThrow(LabelError);
    expect(() => image.addObjectInstance(sound)).toThrow(/Object "audio object 1" is an audio object; it belongs on audio or text data, not on an image group/);
    expect(image.getObjectInstances()).toEqual([]);
  });

  it("refuse an empty range", () => {
    expect(() => new AudioCoordinates({ range: [] })).toThrow(LabelError);
  });
});

describe("other shapes on a video", () => {
  it("writes a polygon per frame under the frame's number", () => {
    const row = videoRow();
    const polygon = deeplyNestedPolygon.createInstance({ objectHash: "poly0001" });
    const coordinates = new PolygonCoordinates({
      values: [
        { x: 0.1, y: 0.1 },
        { x: 0.5, y: 0.1 },
        { x: 0.3, y: 0.6 },
      ],
    });
    polygon.setForFrames(coordinates, { frames: [10, 2400] });
    row.addObjectInstance(polygon);
    const labels = (Object.values(row.toEncordDict().data_units)[0] as Json)["labels"] as Json;
    expect(Object.keys(labels).sort()).toEqual(["10", "2400"]);
    expect((labels["2400"] as { objects: Json[] }).objects[0]).toMatchObject({ objectHash: "poly0001", shape: "polygon" });
  });
});
