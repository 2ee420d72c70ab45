/**
 * Shared starting points of the label-model behaviour tests: the SDK's all-types ontology and the
 * empty rows the ops vectors start from (test/fixtures/encord/README explains them).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LabelRow, Ontology, type LabelRowJson, type LabelRowMetadataJson } from "../../src/index.js";
import { paths } from "../support/paths.js";

type Json = Record<string, unknown>;

function loadJson(...parts: string[]): Json {
  return JSON.parse(readFileSync(join(paths.encordFixtures, ...parts), "utf8")) as Json;
}

/** `expected` of the all-types ontology vector: what the SDK's `to_dict()` gives. */
export function allTypesStructure(): Json {
  return structuredClone(loadJson("ontology", "all_types_structure.json")["expected"] as Json);
}

export const ontology = Ontology.fromDict(allTypesStructure());

/** Feature node hashes of the all-types ontology used below. */
export const HASH = {
  box: "MjI2NzEy",
  polygon: "ODkxMzAx",
  keypoint: "MTY2MTQx",
  nestedBox: "MTA2MjAx",
  deeplyNestedPolygon: "MTM1MTQy",
  audio1: "KVfzNkFy",
  text: "textFeatureNodeHash",
  /** Text attribute "First name": dynamic on Keypoint, static on Nested Box. */
  firstName: "OTkxMjU1",
  /** Checklist "Mood": dynamic on Keypoint, static on Nested Box. */
  mood: "ODcxMDAy",
  angry: "MTE5MjQ3",
  sad: "Nzg3MDE3",
  /** Radio "Radio level 1 " of Deeply Nested Polygon and its options. */
  deepRadio: "MTExMjI3",
  deepOption1: "MTExNDQ5",
  deepOption2: "MTcxMjAy",
  /** Frame classifications. */
  radioClassification: "NzIxNTU1",
  radioClassificationAttribute: "MjI5MTA5",
  clOption1: "MTcwMjM5",
  clOption2: "MjUzMTg1",
  clNestedText: "MTg0MjIw",
  textClassification: "jPOcEsbw",
  textClassificationAttribute: "OxrtEM+v",
  checklistClassification: "3DuQbFxo",
  global: "globalClassificationTopLevelFeatureHash",
  globalAttribute: "globalClassificationFeatureHash",
} as const;

interface OpsVector {
  start: LabelRowJson;
  ontology: Json;
  label_row_metadata: LabelRowMetadataJson;
}

/** `start` (the row), `ontology` and `label_row_metadata` of an ops vector, fresh copies. */
export function opsStart(name: string): { dict: LabelRowJson; ontology: Json; metadata: LabelRowMetadataJson } {
  const vector = loadJson("labels", "ops", `${name}.json`) as unknown as OpsVector;
  return { dict: vector.start, ontology: vector.ontology, metadata: vector.label_row_metadata };
}

/** The row of a round-trip vector (`input`) with its metadata. */
export function roundTripInput(name: string): { dict: LabelRowJson; metadata: LabelRowMetadataJson } {
  const vector = loadJson("labels", "roundtrip", `${name}.json`);
  return { dict: vector["input"] as LabelRowJson, metadata: vector["label_row_metadata"] as LabelRowMetadataJson };
}

/** An image group of 5 images, no labels (metadata says 5 frames). */
export function imageGroupRow(): LabelRow {
  const { dict, metadata } = opsStart("image_group_bbox_frame0");
  return LabelRow.fromEncordDict(dict, { ontology, metadata });
}

/** A video with no labels; its metadata says 2500 frames. */
export function videoRow(): LabelRow {
  const { dict, metadata } = opsStart("video_dynamic_attributes");
  return LabelRow.fromEncordDict(dict, { ontology, metadata });
}

/** A plain-text item with no labels. */
export function plainTextRow(): LabelRow {
  const { dict, metadata } = opsStart("plain_text_object_and_range_classification");
  return LabelRow.fromEncordDict(dict, { ontology, metadata });
}

/** An audio item with its objects removed. */
export function audioRow(): LabelRow {
  const { dict, metadata } = roundTripInput("audio_objects");
  return LabelRow.fromEncordDict({ ...dict, object_answers: {} }, { ontology, metadata });
}

export const box = ontology.getChildByHash(HASH.box, "object");
export const keypoint = ontology.getChildByHash(HASH.keypoint, "object");
export const nestedBox = ontology.getChildByHash(HASH.nestedBox, "object");
export const deeplyNestedPolygon = ontology.getChildByHash(HASH.deeplyNestedPolygon, "object");
export const audioObject = ontology.getChildByHash(HASH.audio1, "object");
export const textObject = ontology.getChildByHash(HASH.text, "object");
export const radioClassification = ontology.getChildByHash(HASH.radioClassification, "classification");
export const textClassification = ontology.getChildByHash(HASH.textClassification, "classification");
export const checklistClassification = ontology.getChildByHash(HASH.checklistClassification, "classification");
export const globalClassification = ontology.getChildByHash(HASH.global, "classification");
