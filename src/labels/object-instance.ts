import { LabelError } from "../domain/errors.js";
import { article } from "../shared/suggest.js";
import { Annotation, newAnnotationInfo, updateAnnotationInfo, type AnnotationInfo, type AnnotationInfoOptions } from "./annotation-info.js";
import type { AnswerValue } from "./answers/answer-codec.js";
import { DynamicAnswers, type DynamicAnswer } from "./answers/dynamic-answers.js";
import { StaticAnswers } from "./answers/static-answers.js";
import { checkCoordinatesFitShape, type Coordinates } from "./coordinates/index.js";
import { frameList, type Frames } from "./frames.js";
import type { Attribute } from "./ontology/attribute.js";
import type { OntologyObject } from "./ontology/ontology-object.js";
import { isRangeShape } from "./ontology/shapes.js";
import type { JsonObject } from "./ontology/wire.js";
import { shortHash } from "./short-hash.js";

/** Options of {@link ObjectInstance.setForFrames}. */
export interface ObjectSetForFramesOptions extends AnnotationInfoOptions {
  /** Frames to place the coordinates on; frame 0 when omitted. */
  readonly frames?: Frames;
  /** Replace coordinates already on those frames (omitted metadata keeps its old values). */
  readonly overwrite?: boolean;
}

/** Options of {@link ObjectInstance.setAnswer}. */
export interface ObjectSetAnswerOptions {
  /** The attribute answered: an Attribute of this object, or its feature node hash. */
  readonly attribute: Attribute | string;
  readonly overwrite?: boolean;
  /** Dynamic attributes only: the frames the answer holds for; every frame of the object when omitted. */
  readonly frames?: Frames;
  readonly manualAnnotation?: boolean;
}

/** Options of {@link ObjectInstance.deleteAnswer}. */
export interface ObjectDeleteAnswerOptions {
  /** Dynamic attributes: delete only where the answer is this one. */
  readonly filterAnswer?: AnswerValue;
  /** Dynamic attributes: delete only on this frame. */
  readonly filterFrame?: number;
}

/** @internal What an instance asks of the label row it belongs to. */
export interface ObjectHost {
  checkObjectFrames(instance: ObjectInstance, frames: readonly number[], coordinates: Coordinates): void;
  objectFramesAdded(instance: ObjectInstance, frames: readonly number[]): void;
  objectFramesRemoved(instance: ObjectInstance, frames: readonly number[]): void;
}

/** One frame of an object: where it is and who put it there (what an {@link ObjectAnnotation} reads). */
export interface ObjectFrame {
  coordinates: Coordinates;
  info: AnnotationInfo;
  /** Keys of the frame entry the model does not read; written back as they came. */
  extra: JsonObject;
}

/** An object's label on one frame: metadata as on {@link Annotation}, plus its coordinates. */
export class ObjectAnnotation extends Annotation {
  constructor(
    frame: number,
    private readonly data: ObjectFrame,
  ) {
    super(frame, data.info);
  }

  get coordinates(): Coordinates {
    return this.data.coordinates;
  }
}

/**
 * One object (a box, a polygon track, an audio segment, …) of an ontology object, with its
 * coordinates per frame and its attribute answers. Mirrors the SDK's `ObjectInstance`.
 */
export class ObjectInstance {
  readonly #ontologyObject: OntologyObject;
  readonly #objectHash: string;
  readonly #frames = new Map<number, ObjectFrame>();
  readonly #static: StaticAnswers;
  readonly #dynamic: DynamicAnswers;
  #host: ObjectHost | null = null;
  /** @internal Keys of the `object_answers` entry the model does not read. */
  answerExtra: JsonObject = {};

  constructor(ontologyObject: OntologyObject, options: { objectHash?: string } = {}) {
    if (options.objectHash !== undefined && (typeof options.objectHash !== "string" || options.objectHash === "")) {
      throw new LabelError("TA_INVALID_LABEL", `objectHash ${JSON.stringify(options.objectHash)} is not accepted; give a non-empty string or omit it.`);
    }
    this.#ontologyObject = ontologyObject;
    this.#objectHash = options.objectHash ?? shortHash();
    this.#static = new StaticAnswers(ontologyObject);
    this.#dynamic = new DynamicAnswers(ontologyObject);
  }

  get objectHash(): string {
    return this.#objectHash;
  }
  get ontologyItem(): OntologyObject {
    return this.#ontologyObject;
  }
  get featureHash(): string {
    return this.#ontologyObject.featureNodeHash;
  }
  get isAssignedToLabelRow(): boolean {
    return this.#host !== null;
  }

  /**
   * Places the object on frames with these coordinates. New frames take the metadata given
   * (omitted: now, confidence 1, manual annotation, no user); with `overwrite`, frames that
   * already had coordinates keep any metadata not given.
   */
  setForFrames(coordinates: Coordinates, options: ObjectSetForFramesOptions = {}): void {
    checkCoordinatesFitShape(coordinates, this.#ontologyObject.shape, this.#ontologyObject.name);
    const frames = frameList(options.frames ?? 0);
    if (isRangeShape(this.#ontologyObject.shape) && (frames.length !== 1 || frames[0] !== 0)) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Object "${this.#ontologyObject.name}" is ${article(this.#ontologyObject.shape)} ` +
          `${this.#ontologyObject.shape} object; its ranges are ` +
          `in the coordinates, so leave frames out (frame 0).`,
      );
    }
    if (options.overwrite !== true) {
      const taken = frames.filter((frame) => this.#frames.has(frame));
      if (taken.length > 0) {
        throw new LabelError(
          "TA_INVALID_LABEL",
          `Object "${this.#ontologyObject.name}" (${this.#objectHash}) already has coordinates on frame` +
            `${taken.length === 1 ? "" : "s"} ${taken.join(", ")}; pass overwrite: true to replace them.`,
        );
      }
    }
    this.#host?.checkObjectFrames(this, frames, coordinates);
    const now = new Date();
    for (const frame of frames) {
      const existing = this.#frames.get(frame);
      if (existing === undefined) {
        this.#frames.set(frame, { coordinates, info: newAnnotationInfo(options, now), extra: {} });
      } else {
        existing.coordinates = coordinates;
        updateAnnotationInfo(existing.info, options);
      }
    }
    this.#host?.objectFramesAdded(this, frames);
  }

  /** Takes the object off these frames (and drops dynamic answers there). */
  removeFromFrames(frames: Frames): void {
    const removed = frameList(frames).filter((frame) => this.#frames.delete(frame));
    this.#dynamic.removeFrames(removed);
    this.#host?.objectFramesRemoved(this, removed);
  }

  /** The object's label on a frame; its metadata can be read and set. */
  getAnnotation(frame = 0): ObjectAnnotation {
    const data = this.#frames.get(frame);
    if (data === undefined) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Object "${this.#ontologyObject.name}" (${this.#objectHash}) is not on frame ` +
          `${frame}; its frames are ${this.getAnnotationFrames().join(", ") || "none yet"}.`,
      );
    }
    return new ObjectAnnotation(frame, data);
  }

  /** The object's labels on every frame, by frame. */
  getAnnotations(): ObjectAnnotation[] {
    return this.getAnnotationFrames().map((frame) => new ObjectAnnotation(frame, this.#frames.get(frame) as ObjectFrame));
  }

  /** The frames the object is on, ascending. */
  getAnnotationFrames(): number[] {
    return [...this.#frames.keys()].sort((a, b) => a - b);
  }

  hasFrame(frame: number): boolean {
    return this.#frames.has(frame);
  }

  /**
   * Answers an attribute. Static attributes hold one answer for the object; dynamic ones hold
   * answers per frame (`frames`; every frame of the object when omitted).
   */
  setAnswer(answer: AnswerValue, options: ObjectSetAnswerOptions): void {
    if (options === undefined || options.attribute === undefined) {
      throw new LabelError("TA_INVALID_LABEL", `setAnswer needs { attribute }: one of the attributes of object "${this.#ontologyObject.name}".`);
    }
    const attribute = this.#dynamic.attribute(options.attribute);
    const manualAnnotation = options.manualAnnotation ?? true;
    const overwrite = options.overwrite ?? false;
    if (!attribute.dynamic) {
      if (options.frames !== undefined) {
        throw new LabelError("TA_INVALID_LABEL", `Attribute "${attribute.name}" is static (one answer for the whole object); leave frames out.`);
      }
      this.#static.set(attribute, answer, { overwrite, manualAnnotation });
      return;
    }
    const frames = options.frames === undefined ? this.getAnnotationFrames() : frameList(options.frames);
    const missing = frames.filter((frame) => !this.#frames.has(frame));
    if (missing.length > 0) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Object "${this.#ontologyObject.name}" is not on frame${missing.length === 1 ? "" : "s"}` +
          ` ${missing.join(", ")}; a dynamic answer can only be set on the ` +
          `object's frames (${this.getAnnotationFrames().join(", ") || "none yet"}).`,
      );
    }
    this.#dynamic.set(attribute, answer, frames, { overwrite, manualAnnotation });
  }

  /**
   * The answer of an attribute: the static answer, or for a dynamic attribute the answer on
   * `frame`. `undefined` when unanswered.
   */
  getAnswer(attribute: Attribute | string, options: { frame?: number } = {}): AnswerValue | undefined {
    const own = this.#dynamic.attribute(attribute);
    if (!own.dynamic) return this.#static.get(own);
    if (options.frame === undefined) {
      throw new LabelError("TA_INVALID_LABEL", `Attribute "${own.name}" is dynamic; pass { frame } or use getDynamicAnswers(attribute) for all frames.`);
    }
    const frame = options.frame;
    return this.#dynamic.get(own).find((track) => track.frames.includes(frame))?.value;
  }

  /** The answers of a dynamic attribute, each with the frames it holds for. */
  getDynamicAnswers(attribute: Attribute | string): DynamicAnswer[] {
    return this.#dynamic.get(this.#dynamic.attribute(attribute));
  }

  /** Removes an answer; for dynamic attributes optionally only one answer or one frame. */
  deleteAnswer(attribute: Attribute | string, options: ObjectDeleteAnswerOptions = {}): void {
    const own = this.#dynamic.attribute(attribute);
    if (own.dynamic) this.#dynamic.delete(own, options);
    else this.#static.delete(own);
  }

  /** Answered static attributes with their answers. */
  getStaticAnswers(): [Attribute, AnswerValue][] {
    return this.#static.entries();
  }

  /** @internal */
  attachTo(host: ObjectHost | null): void {
    this.#host = host;
  }
  /** @internal */
  get staticAnswers(): StaticAnswers {
    return this.#static;
  }
  /** @internal */
  get dynamicAnswers(): DynamicAnswers {
    return this.#dynamic;
  }
  /** @internal */
  frameData(frame: number): ObjectFrame | undefined {
    return this.#frames.get(frame);
  }
  /** @internal Adds a frame read from wire data, without the checks user edits get. */
  restoreFrame(frame: number, data: ObjectFrame): void {
    this.#frames.set(frame, data);
  }
}
