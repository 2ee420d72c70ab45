import { cloneJson } from "../clone-json.js";
import type { LabelRowJson, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import { LabelError } from "../../domain/errors.js";
import { ClassificationInstance } from "../classification-instance.js";
import { FRAME_COORDINATE_KEYS, frameCoordinatesFromEntry, rangeCoordinatesFromAnswer } from "../coordinates/index.js";
import { dataLayoutOf, type DataLayout } from "../data-layout.js";
import { rangesToFrames } from "../frames.js";
import { LabelContent, type DataUnit } from "../label-content.js";
import { ObjectInstance } from "../object-instance.js";
import type { Ontology } from "../ontology/ontology.js";
import { isRangeShape } from "../ontology/shapes.js";
import { isJsonObject, type JsonObject } from "../ontology/wire.js";
import { DateCache, extraKeys, readAnnotationInfo } from "./wire-values.js";

const INFO_KEYS = ["createdAt", "createdBy", "lastEditedAt", "lastEditedBy", "confidence", "manualAnnotation"];
// Reviews are read by the SDK but never written back; the model drops them the same way.
const OBJECT_ENTRY_KEYS = new Set(["name", "color", "shape", "value", "objectHash", "featureHash", "reviews", ...INFO_KEYS, ...FRAME_COORDINATE_KEYS]);
const CLASSIFICATION_ENTRY_KEYS = new Set(["name", "value", "featureHash", "classificationHash", "reviews", ...INFO_KEYS]);
const OBJECT_ANSWER_KEYS = new Set(["classifications", "objectHash"]);
const RANGE_OBJECT_ANSWER_KEYS = new Set([...OBJECT_ANSWER_KEYS, "featureHash", "name", "color", "shape", "value", "range", "range_html", ...INFO_KEYS]);
const CLASSIFICATION_ANSWER_KEYS = new Set(["classifications", "classificationHash", "featureHash", "range", ...INFO_KEYS]);
const FRAME_KEYS = new Set(["objects", "classifications"]);

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function readDataUnits(dict: LabelRowJson, copy: boolean): { units: DataUnit[]; labels: Map<DataUnit, unknown> } {
  const units: DataUnit[] = [];
  const labels = new Map<DataUnit, unknown>();
  if (!isJsonObject(dict.data_units)) return { units, labels };
  for (const [hash, value] of Object.entries(dict.data_units)) {
    if (!isJsonObject(value)) throw new LabelError("TA_INVALID_LABEL", `data_units[${JSON.stringify(hash)}] of label row ${dict.data_hash} is not an object.`);
    const { labels: unitLabels, ...rest } = value;
    // data_sequence is a string for image groups and a number elsewhere.
    const rawSequence = rest["data_sequence"] ?? 0;
    const sequence = typeof rawSequence === "number" || typeof rawSequence === "string" ? Number.parseInt(String(rawSequence), 10) : Number.NaN;
    const unit: DataUnit = { hash, dict: copy ? cloneJson(rest) : rest, frame: Number.isNaN(sequence) ? units.length : sequence };
    units.push(unit);
    labels.set(unit, unitLabels);
  }
  return { units, labels };
}

function frameCount(layout: DataLayout, units: readonly DataUnit[], metadata: LabelRowMetadataJson | undefined): number | null {
  if (layout === "single") return units.length;
  if (layout === "range") return null;
  return numberOrNull(metadata?.number_of_frames);
}

/** Reads a label-row dict into the model, as the SDK's `from_labels_dict` does. */
export function readLabelRow(dict: LabelRowJson, ontology: Ontology, metadata: LabelRowMetadataJson | undefined, options: { copy: boolean }): LabelContent {
  const layout = dataLayoutOf(String(dict.data_type ?? metadata?.data_type ?? "image"));
  const { units, labels } = readDataUnits(dict, options.copy);
  const mediaSize = (frame: number): { width: number; height: number } | null => {
    const unit = layout === "single" ? units.find((u) => u.frame === frame) : units[0];
    const width = numberOrNull(unit?.dict["width"]) ?? numberOrNull(metadata?.width);
    const height = numberOrNull(unit?.dict["height"]) ?? numberOrNull(metadata?.height);
    return width === null || height === null ? null : { width, height };
  };
  const content = new LabelContent(layout, units, frameCount(layout, units, metadata), mediaSize);
  const reader = new FrameReader(content, ontology);

  for (const unit of units) {
    const unitLabels = labels.get(unit);
    if (!isJsonObject(unitLabels)) continue;
    if (layout === "single") reader.readFrame(unit.frame, unitLabels);
    else if (layout === "perFrame") {
      for (const [key, frameLabels] of Object.entries(unitLabels)) {
        const frame = Number(key);
        if (Number.isInteger(frame) && frame >= 0 && isJsonObject(frameLabels)) reader.readFrame(frame, frameLabels);
      }
    }
  }
  reader.readObjectAnswers(dict.object_answers, layout);
  reader.readObjectActions(dict.object_actions);
  reader.readClassificationAnswers(dict.classification_answers, layout);
  reader.adoptAll();
  return content;
}

/** Builds instances from frame entries and answer maps, then hands them to the content. */
class FrameReader {
  readonly #dates = new DateCache();
  readonly #objects = new Map<string, ObjectInstance>();
  readonly #classifications = new Map<string, ClassificationInstance>();
  readonly #answered = new Set<ClassificationInstance>();
  /** Object hashes of frame entries kept unread (their answers are kept with them). */
  readonly #unreadObjectHashes = new Set<string>();

  constructor(
    private readonly content: LabelContent,
    private readonly ontology: Ontology,
  ) {}

  readFrame(frame: number, frameLabels: JsonObject): void {
    const extra = extraKeys(frameLabels, FRAME_KEYS);
    if (Object.keys(extra).length > 0) this.content.frameExtras.set(frame, extra);
    const objects = Array.isArray(frameLabels["objects"]) ? (frameLabels["objects"] as unknown[]) : [];
    for (const entry of objects) if (isJsonObject(entry)) this.#readObjectEntry(frame, entry);
    const classifications = Array.isArray(frameLabels["classifications"]) ? (frameLabels["classifications"] as unknown[]) : [];
    for (const entry of classifications) if (isJsonObject(entry)) this.#readClassificationEntry(frame, entry);
  }

  #unread(frame: number, kind: "objects" | "classifications", entry: JsonObject): void {
    let unread = this.content.unreadFrameEntries.get(frame);
    if (unread === undefined) {
      unread = { objects: [], classifications: [] };
      this.content.unreadFrameEntries.set(frame, unread);
    }
    unread[kind].push(cloneJson(entry));
    this.content.registeredFrames.add(frame);
    if (kind === "objects" && typeof entry["objectHash"] === "string") this.#unreadObjectHashes.add(entry["objectHash"]);
  }

  #readObjectEntry(frame: number, entry: JsonObject): void {
    const hash = entry["objectHash"];
    const featureHash = entry["featureHash"];
    const ontologyObject = typeof featureHash === "string" ? this.ontology.findChildByHash(featureHash, "object") : undefined;
    if (typeof hash !== "string" || ontologyObject === undefined) return this.#unread(frame, "objects", entry);
    let instance = this.#objects.get(hash);
    if (instance === undefined) {
      instance = new ObjectInstance(ontologyObject, { objectHash: hash });
      this.#objects.set(hash, instance);
    } else if (instance.ontologyItem !== ontologyObject) {
      return this.#unread(frame, "objects", entry);
    }
    let coordinates;
    try {
      coordinates = frameCoordinatesFromEntry(entry);
    } catch {
      return this.#unread(frame, "objects", entry);
    }
    instance.restoreFrame(frame, { coordinates, info: readAnnotationInfo(entry, this.#dates), extra: extraKeys(entry, OBJECT_ENTRY_KEYS) });
  }

  #readClassificationEntry(frame: number, entry: JsonObject): void {
    const hash = entry["classificationHash"];
    const featureHash = entry["featureHash"];
    const classification = typeof featureHash === "string" ? this.ontology.findChildByHash(featureHash, "classification") : undefined;
    if (typeof hash !== "string" || classification === undefined) return this.#unread(frame, "classifications", entry);
    let instance = this.#classifications.get(hash);
    if (instance === undefined) {
      instance = new ClassificationInstance(classification, { classificationHash: hash });
      this.#classifications.set(hash, instance);
    }
    instance.restoreFrame(frame, { info: readAnnotationInfo(entry, this.#dates), extra: extraKeys(entry, CLASSIFICATION_ENTRY_KEYS) });
  }

  readObjectAnswers(objectAnswers: unknown, layout: DataLayout): void {
    if (!isJsonObject(objectAnswers)) return;
    for (const [hash, entry] of Object.entries(objectAnswers)) {
      if (!isJsonObject(entry)) continue;
      let instance = this.#objects.get(hash);
      if (instance === undefined && layout === "range") instance = this.#rangeObject(hash, entry);
      if (instance === undefined) {
        // Answers of an object no frame holds are dropped, as the SDK drops them. Kept: those of
        // an object kept unread, and audio/text objects, which live in object_answers itself.
        if (layout === "range" || this.#unreadObjectHashes.has(hash)) this.content.unreadObjectAnswers.set(hash, cloneJson(entry));
        continue;
      }
      instance.staticAnswers.readWire(entry["classifications"]);
      instance.answerExtra = extraKeys(entry, isRangeShape(instance.ontologyItem.shape) ? RANGE_OBJECT_ANSWER_KEYS : OBJECT_ANSWER_KEYS);
    }
  }

  /** Audio and text objects live only in `object_answers`, with their ranges. */
  #rangeObject(hash: string, entry: JsonObject): ObjectInstance | undefined {
    const featureHash = entry["featureHash"];
    const ontologyObject = typeof featureHash === "string" ? this.ontology.findChildByHash(featureHash, "object") : undefined;
    if (ontologyObject === undefined || !isRangeShape(ontologyObject.shape)) return undefined;
    let coordinates;
    try {
      coordinates = rangeCoordinatesFromAnswer(entry);
    } catch {
      return undefined;
    }
    const instance = new ObjectInstance(ontologyObject, { objectHash: hash });
    instance.restoreFrame(0, { coordinates, info: readAnnotationInfo(entry, this.#dates), extra: {} });
    this.#objects.set(hash, instance);
    return instance;
  }

  readObjectActions(objectActions: unknown): void {
    if (!isJsonObject(objectActions)) return;
    for (const [hash, entry] of Object.entries(objectActions)) {
      const instance = this.#objects.get(hash);
      if (instance === undefined || !isJsonObject(entry)) this.content.unreadObjectActions.set(hash, cloneJson(entry) as JsonObject);
      else instance.dynamicAnswers.readWire(entry["actions"]);
    }
  }

  readClassificationAnswers(classificationAnswers: unknown, layout: DataLayout): void {
    if (!isJsonObject(classificationAnswers)) return;
    for (const [hash, entry] of Object.entries(classificationAnswers)) {
      if (!isJsonObject(entry)) continue;
      const answers = entry["classifications"];
      // The SDK drops a classification without answers, frames and all.
      if (Array.isArray(answers) && answers.length === 0) {
        this.#classifications.delete(hash);
        continue;
      }
      const hasMetadata = "createdBy" in entry;
      let instance = this.#classifications.get(hash);
      if (instance === undefined) {
        instance = this.#classificationFromAnswer(hash, entry, layout, hasMetadata);
        if (instance === undefined) {
          this.content.unreadClassificationAnswers.set(hash, cloneJson(entry));
          continue;
        }
      }
      if (hasMetadata) instance.restoreInfo(readAnnotationInfo(entry, this.#dates));
      instance.writesInstanceMetadata = hasMetadata;
      instance.answers.readWire(answers);
      instance.answerExtra = extraKeys(entry, CLASSIFICATION_ANSWER_KEYS);
      this.#answered.add(instance);
    }
  }

  /** Global and range classifications (and ones saved with their own metadata) need no frame entries. */
  #classificationFromAnswer(hash: string, entry: JsonObject, layout: DataLayout, hasMetadata: boolean): ClassificationInstance | undefined {
    const featureHash = entry["featureHash"];
    const classification = typeof featureHash === "string" ? this.ontology.findChildByHash(featureHash, "classification") : undefined;
    if (classification === undefined || !(hasMetadata || classification.isGlobal)) return undefined;
    const instance = new ClassificationInstance(classification, { classificationHash: hash, rangeOnly: layout === "range" && !classification.isGlobal });
    if (!classification.isGlobal) {
      const pairs = Array.isArray(entry["range"]) ? (entry["range"] as unknown[]) : [];
      if (layout === "range") {
        instance.restoreRanges(pairs.filter((p): p is [number, number] => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === "number")));
      } else {
        const info = readAnnotationInfo(entry, this.#dates);
        for (const frame of rangesToFrames(pairs, `classification_answers[${JSON.stringify(hash)}].range`)) {
          instance.restoreFrame(frame, { info: { ...info }, extra: {} });
        }
      }
    }
    this.#classifications.set(hash, instance);
    return instance;
  }

  adoptAll(): void {
    for (const instance of this.#objects.values()) this.content.adoptObject(instance);
    for (const instance of this.#classifications.values()) {
      // A frame entry without an answer entry is not a classification, for the SDK either.
      if (this.#answered.has(instance)) this.content.adoptClassification(instance);
    }
  }
}
