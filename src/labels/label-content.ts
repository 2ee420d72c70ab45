import { LabelError } from "../domain/errors.js";
import { article, quoteList } from "../shared/suggest.js";
import type { ClassificationHost, ClassificationInstance } from "./classification-instance.js";
import { BitmaskCoordinates, type Coordinates } from "./coordinates/index.js";
import type { DataLayout } from "./data-layout.js";
import type { ObjectHost, ObjectInstance } from "./object-instance.js";
import { isRangeShape } from "./ontology/shapes.js";
import type { JsonObject } from "./ontology/wire.js";

/** A data unit of the row: its wire fields (without `labels`) and, for single-frame rows, its frame. */
export interface DataUnit {
  readonly hash: string;
  readonly dict: JsonObject;
  readonly frame: number;
}

/** Frame entries the ontology cannot read (unknown feature hashes), kept to be written back. */
export interface UnreadFrameEntries {
  objects: JsonObject[];
  classifications: JsonObject[];
}

function addToIndex<T>(index: Map<number, Set<T>>, frame: number, item: T): void {
  const set = index.get(frame);
  if (set === undefined) index.set(frame, new Set([item]));
  else set.add(item);
}

/**
 * The labels of a row: its instances, which frames they are on, and what the model keeps
 * without reading. Instances report their frame changes here while they belong to the row.
 */
export class LabelContent implements ObjectHost, ClassificationHost {
  readonly objects = new Map<string, ObjectInstance>();
  readonly classifications = new Map<string, ClassificationInstance>();
  /** Frames in the order first used; a frame emptied later stays (the SDK writes it empty). */
  readonly registeredFrames = new Set<number>();
  readonly objectsByFrame = new Map<number, Set<ObjectInstance>>();
  readonly classificationsByFrame = new Map<number, Set<ClassificationInstance>>();
  readonly frameExtras = new Map<number, JsonObject>();
  readonly unreadFrameEntries = new Map<number, UnreadFrameEntries>();
  readonly unreadObjectAnswers = new Map<string, JsonObject>();
  readonly unreadClassificationAnswers = new Map<string, JsonObject>();
  readonly unreadObjectActions = new Map<string, JsonObject>();
  readonly #order = new Map<ObjectInstance | ClassificationInstance, number>();
  #nextOrder = 0;

  constructor(
    readonly layout: DataLayout,
    readonly dataUnits: readonly DataUnit[],
    /** Frames of the media when known (video frame count, images in a group); `null` when unknown. */
    readonly frameCount: number | null,
    readonly mediaSize: (frame: number) => { width: number; height: number } | null,
  ) {}

  /** Instances in the order they joined the row, as the SDK writes them. */
  ordered<T extends ObjectInstance | ClassificationInstance>(items: Iterable<T>): T[] {
    return [...items].sort((a, b) => (this.#order.get(a) ?? 0) - (this.#order.get(b) ?? 0));
  }

  adoptObject(instance: ObjectInstance): void {
    this.objects.set(instance.objectHash, instance);
    this.#order.set(instance, this.#nextOrder++);
    instance.attachTo(this);
    this.objectFramesAdded(instance, instance.getAnnotationFrames());
  }

  dropObject(instance: ObjectInstance): void {
    this.objects.delete(instance.objectHash);
    this.#order.delete(instance);
    for (const frame of instance.getAnnotationFrames()) this.objectsByFrame.get(frame)?.delete(instance);
    instance.attachTo(null);
  }

  adoptClassification(instance: ClassificationInstance): void {
    this.classifications.set(instance.classificationHash, instance);
    this.#order.set(instance, this.#nextOrder++);
    instance.attachTo(this);
    this.classificationFramesAdded(instance, instance.getAnnotationFrames());
  }

  dropClassification(instance: ClassificationInstance): void {
    this.classifications.delete(instance.classificationHash);
    this.#order.delete(instance);
    for (const frame of instance.getAnnotationFrames()) this.classificationsByFrame.get(frame)?.delete(instance);
    instance.attachTo(null);
  }

  checkObjectFrames(instance: ObjectInstance, frames: readonly number[], coordinates: Coordinates): void {
    const shape = instance.ontologyItem.shape;
    if ((this.layout === "range") !== isRangeShape(shape)) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        this.layout === "range"
          ? `Object "${instance.ontologyItem.name}" is ${article(shape)} ${shape} object; ` +
              `this label row is for audio or text and takes audio or text objects only.`
          : `Object "${instance.ontologyItem.name}" is ${article(shape)} ${shape} object; it belongs ` +
              `on audio or text data, not on ${article(this.#mediaWord())} ${this.#mediaWord()}.`,
      );
    }
    this.checkFramesExist(frames);
    if (coordinates instanceof BitmaskCoordinates) {
      for (const frame of frames) {
        const size = this.mediaSize(frame);
        if (size !== null) coordinates.checkFitsMedia(size.width, size.height);
      }
    }
  }

  objectFramesAdded(instance: ObjectInstance, frames: readonly number[]): void {
    for (const frame of frames) {
      this.registeredFrames.add(frame);
      addToIndex(this.objectsByFrame, frame, instance);
    }
  }

  objectFramesRemoved(instance: ObjectInstance, frames: readonly number[]): void {
    for (const frame of frames) this.objectsByFrame.get(frame)?.delete(instance);
  }

  checkClassificationFrames(instance: ClassificationInstance, frames: readonly number[]): void {
    this.checkFramesExist(frames);
    const clash = this.classificationOverlap(instance, frames);
    if (clash.length > 0) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Classification "${instance.ontologyItem.name}" is already on frame${clash.length === 1 ? "" : "s"}` +
          ` ${clash.join(", ")} through another instance; a frame holds one instance of each classification.`,
      );
    }
  }

  /** Frames where another instance of the same classification already is. */
  classificationOverlap(instance: ClassificationInstance, frames: readonly number[]): number[] {
    return frames.filter((frame) =>
      [...(this.classificationsByFrame.get(frame) ?? [])].some((other) => other !== instance && other.featureHash === instance.featureHash),
    );
  }

  classificationFramesAdded(instance: ClassificationInstance, frames: readonly number[]): void {
    for (const frame of frames) {
      this.registeredFrames.add(frame);
      addToIndex(this.classificationsByFrame, frame, instance);
    }
  }

  classificationFramesRemoved(instance: ClassificationInstance, frames: readonly number[]): void {
    for (const frame of frames) this.classificationsByFrame.get(frame)?.delete(instance);
  }

  /** Throws when a frame lies beyond the media (frames of range rows and of unknown counts are not checked). */
  checkFramesExist(frames: readonly number[]): void {
    if (this.layout === "range" || this.frameCount === null) return;
    const outside = frames.filter((frame) => frame >= (this.frameCount as number));
    if (outside.length > 0) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Frame${outside.length === 1 ? "" : "s"} ${quoteList(outside.map(String), "and").replaceAll('"', "")}` +
          ` ${outside.length === 1 ? "is" : "are"} outside this ${this.#mediaWord()}, which has ` +
          `${this.frameCount} frame${this.frameCount === 1 ? "" : "s"} (0..${this.frameCount - 1}).`,
      );
    }
  }

  #mediaWord(): string {
    switch (this.layout) {
      case "single":
        return this.dataUnits.length > 1 ? "image group" : "image";
      case "range":
        return "audio or text item";
      case "perFrame":
        return "video";
    }
  }
}
