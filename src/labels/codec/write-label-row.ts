import { cloneJson } from "../clone-json.js";
import type { LabelRowJson, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import type { ClassificationInstance } from "../classification-instance.js";
import type { RangeCoordinates } from "../coordinates/index.js";
import { formatLabelDate, parseLabelDate } from "../dates.js";
import type { LabelContent } from "../label-content.js";
import type { ObjectInstance } from "../object-instance.js";
import { isRangeShape } from "../ontology/shapes.js";
import { lowerSnake, type JsonObject } from "../ontology/wire.js";
import type { AnnotationInfo } from "../annotation-info.js";

/**
 * Each distinct time is formatted once, across rows too: a long video repeats the same few times,
 * and the rows of a batch often share theirs. Bounded: a cache is emptied when full.
 */
const cacheLimit = 4096;
const formattedTimes = new Map<number, string>();
const rewrittenTopLevelTimes = new Map<string, unknown>();

function remembered<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/** A time as the SDK writes it into label JSON. */
function formatTime(date: Date): string {
  return remembered(formattedTimes, date.getTime(), () => formatLabelDate(date));
}

/** The top-level times are re-formatted the SDK's way; a value it cannot read is kept as it came. */
function topLevelDate(value: unknown): unknown {
  if (typeof value !== "string") return value ?? null;
  return remembered(rewrittenTopLevelTimes, value, () => {
    try {
      return formatLabelDate(parseLabelDate(value, "created_at"));
    } catch {
      return value;
    }
  });
}

/** Writes the model as the SDK's `to_encord_dict()` does (docs/encord-protocol.md §7.2–7.7). */
export function writeLabelRow(top: LabelRowJson, content: LabelContent, metadata: LabelRowMetadataJson | undefined): LabelRowJson {
  const writer = new RowWriter(content);
  const dataType = String(top.data_type ?? metadata?.data_type?.toLowerCase() ?? "");
  return {
    label_hash: top.label_hash ?? metadata?.label_hash ?? null,
    branch_name: top.branch_name ?? metadata?.branch_name ?? "main",
    created_at: topLevelDate(top.created_at ?? metadata?.created_at) as string | null,
    last_edited_at: topLevelDate(top.last_edited_at ?? metadata?.last_edited_at) as string | null,
    data_hash: top.data_hash ?? metadata?.data_hash,
    dataset_hash: top.dataset_hash ?? metadata?.dataset_hash,
    dataset_title: top.dataset_title ?? metadata?.dataset_title,
    data_title: top.data_title ?? metadata?.data_title,
    data_type: dataType,
    annotation_task_status: top.annotation_task_status ?? null,
    is_shadow_data: metadata?.is_shadow_data ?? top.is_shadow_data ?? false,
    object_answers: writer.objectAnswers(),
    classification_answers: writer.classificationAnswers(),
    object_actions: writer.objectActions(),
    label_status: top.label_status ?? metadata?.label_status,
    data_units: writer.dataUnits(dataType, metadata),
    spaces: cloneJson(top.spaces ?? {}),
  };
}

class RowWriter {
  constructor(private readonly content: LabelContent) {}

  objectAnswers(): JsonObject {
    const out: JsonObject = {};
    for (const instance of this.content.ordered(this.content.objects.values())) {
      const entry: JsonObject = { classifications: instance.staticAnswers.toWire(), objectHash: instance.objectHash };
      if (isRangeShape(instance.ontologyItem.shape)) Object.assign(entry, this.#rangeObjectFields(instance));
      Object.assign(entry, cloneJson(instance.answerExtra));
      out[instance.objectHash] = entry;
    }
    for (const [hash, entry] of this.content.unreadObjectAnswers) out[hash] = cloneJson(entry);
    return out;
  }

  /** Audio and text objects carry their metadata and ranges in `object_answers`. */
  #rangeObjectFields(instance: ObjectInstance): JsonObject {
    const data = instance.frameData(0);
    if (data === undefined) return {};
    const object = instance.ontologyItem;
    return {
      createdBy: data.info.createdBy,
      createdAt: formatTime(data.info.createdAt),
      lastEditedBy: data.info.lastEditedBy,
      lastEditedAt: formatTime(data.info.lastEditedAt),
      manualAnnotation: data.info.manualAnnotation,
      featureHash: object.featureNodeHash,
      name: object.name,
      color: object.color,
      shape: object.shape,
      value: object.value,
      ...(data.coordinates as RangeCoordinates).toAnswerFields(),
    };
  }

  objectActions(): JsonObject {
    const out: JsonObject = {};
    for (const instance of this.content.ordered(this.content.objects.values())) {
      if (!instance.dynamicAnswers.isEmpty) out[instance.objectHash] = { actions: instance.dynamicAnswers.toWire(), objectHash: instance.objectHash };
    }
    for (const [hash, entry] of this.content.unreadObjectActions) out[hash] = cloneJson(entry);
    return out;
  }

  classificationAnswers(): JsonObject {
    const out: JsonObject = {};
    for (const instance of this.content.ordered(this.content.classifications.values())) {
      const { spaces, ...extra } = instance.answerExtra;
      const entry: JsonObject = {
        classifications: instance.answers.toWire(),
        classificationHash: instance.classificationHash,
        featureHash: instance.featureHash,
        spaces: cloneJson(spaces ?? {}),
      };
      if (instance.writesInstanceMetadata) Object.assign(entry, this.#instanceMetadata(instance));
      Object.assign(entry, cloneJson(extra));
      out[instance.classificationHash] = entry;
    }
    for (const [hash, entry] of this.content.unreadClassificationAnswers) out[hash] = cloneJson(entry);
    return out;
  }

  #instanceMetadata(instance: ClassificationInstance): JsonObject {
    const info = instance.instanceInfo;
    return {
      range: instance.range,
      createdBy: info.createdBy,
      createdAt: formatTime(info.createdAt),
      lastEditedBy: info.lastEditedBy,
      lastEditedAt: formatTime(info.lastEditedAt),
      manualAnnotation: info.manualAnnotation,
    };
  }

  dataUnits(dataType: string, metadata: LabelRowMetadataJson | undefined): JsonObject {
    const out: JsonObject = {};
    this.content.dataUnits.forEach((unit, index) => {
      const { data_fps: fps, data_duration: duration, ...fields } = unit.dict;
      const written: JsonObject = { ...cloneJson(fields), labels: this.#unitLabels(unit.frame, index) };
      if (metadata === undefined) {
        if (duration !== undefined) written["data_duration"] = duration;
        if (fps !== undefined) written["data_fps"] = fps;
      } else {
        // The SDK takes these from the metadata, and never writes them for some media.
        if (metadata.duration !== null && metadata.duration !== undefined && dataType !== "plain_text") written["data_duration"] = metadata.duration;
        if (metadata.frames_per_second !== null && metadata.frames_per_second !== undefined && dataType !== "audio" && dataType !== "plain_text") {
          written["data_fps"] = metadata.frames_per_second;
        }
      }
      out[unit.hash] = written;
    });
    return out;
  }

  #unitLabels(frame: number, unitIndex: number): JsonObject {
    switch (this.content.layout) {
      case "range":
        return {};
      case "single":
        return this.#frameLabels(frame);
      case "perFrame": {
        const labels: JsonObject = {};
        // Frames belong to the first data unit: video-like rows have one.
        if (unitIndex === 0) for (const registered of this.content.registeredFrames) labels[String(registered)] = this.#frameLabels(registered);
        return labels;
      }
    }
  }

  #frameLabels(frame: number): JsonObject {
    const unread = this.content.unreadFrameEntries.get(frame);
    const objects = this.content.ordered(this.content.objectsByFrame.get(frame) ?? []).map((instance) => this.#objectEntry(instance, frame));
    const classifications = this.content
      .ordered(this.content.classificationsByFrame.get(frame) ?? [])
      .map((instance) => this.#classificationEntry(instance, frame));
    return {
      objects: unread === undefined ? objects : [...objects, ...cloneJson(unread.objects)],
      classifications: unread === undefined ? classifications : [...classifications, ...cloneJson(unread.classifications)],
      ...cloneJson(this.content.frameExtras.get(frame) ?? {}),
    };
  }

  #objectEntry(instance: ObjectInstance, frame: number): JsonObject {
    const data = instance.frameData(frame);
    if (data === undefined) return {};
    const object = instance.ontologyItem;
    const entry: JsonObject = {
      name: object.name,
      color: object.color,
      shape: object.shape,
      value: object.value,
      createdAt: formatTime(data.info.createdAt),
      createdBy: data.info.createdBy,
      confidence: data.info.confidence,
      objectHash: instance.objectHash,
      featureHash: object.featureNodeHash,
      manualAnnotation: data.info.manualAnnotation,
    };
    this.#lastEdited(entry, data.info);
    Object.assign(entry, "toFrameFields" in data.coordinates ? data.coordinates.toFrameFields() : {});
    for (const key in data.extra) entry[key] = cloneJson(data.extra[key]);
    return entry;
  }

  #classificationEntry(instance: ClassificationInstance, frame: number): JsonObject {
    const data = instance.frameData(frame);
    if (data === undefined) return {};
    const name = instance.ontologyItem.name;
    const entry: JsonObject = {
      name,
      value: lowerSnake(name),
      createdAt: formatTime(data.info.createdAt),
      createdBy: data.info.createdBy,
      confidence: data.info.confidence,
      featureHash: instance.featureHash,
      classificationHash: instance.classificationHash,
      manualAnnotation: data.info.manualAnnotation,
    };
    this.#lastEdited(entry, data.info);
    for (const key in data.extra) entry[key] = cloneJson(data.extra[key]);
    return entry;
  }

  #lastEdited(entry: JsonObject, info: AnnotationInfo): void {
    entry["lastEditedAt"] = formatTime(info.lastEditedAt);
    if (info.lastEditedBy !== null) entry["lastEditedBy"] = info.lastEditedBy;
  }
}
