import { LabelError } from "../domain/errors.js";
import {
  Annotation,
  checkBoolean,
  checkConfidence,
  checkUser,
  newAnnotationInfo,
  updateAnnotationInfo,
  type AnnotationInfo,
  type AnnotationInfoOptions,
} from "./annotation-info.js";
import type { AnswerValue } from "./answers/answer-codec.js";
import { StaticAnswers } from "./answers/static-answers.js";
import { toLabelDate } from "./dates.js";
import { frameList, framesToRanges, type Frames } from "./frames.js";
import type { Attribute } from "./ontology/attribute.js";
import type { Classification } from "./ontology/classification.js";
import type { JsonObject } from "./ontology/wire.js";
import { mergeRanges, rangesOf, subtractRanges } from "./range-arithmetic.js";
import { shortHash } from "./short-hash.js";

/** Options of {@link ClassificationInstance.setForFrames}. */
export interface ClassificationSetForFramesOptions extends AnnotationInfoOptions {
  /** Frames (for range-only instances: ranges of ms or characters); frame 0 when omitted. */
  readonly frames?: Frames;
  readonly overwrite?: boolean;
}

/** Options of {@link ClassificationInstance.setAnswer}. */
export interface ClassificationSetAnswerOptions {
  /** The attribute answered; the classification's first attribute when omitted. */
  readonly attribute?: Attribute | string;
  readonly overwrite?: boolean;
  readonly manualAnnotation?: boolean;
}

/** @internal What an instance asks of the label row it belongs to. */
export interface ClassificationHost {
  checkClassificationFrames(instance: ClassificationInstance, frames: readonly number[]): void;
  classificationFramesAdded(instance: ClassificationInstance, frames: readonly number[]): void;
  classificationFramesRemoved(instance: ClassificationInstance, frames: readonly number[]): void;
}

/** @internal One frame of a classification. */
export interface ClassificationFrame {
  info: AnnotationInfo;
  extra: JsonObject;
}

/**
 * One answer to a classification: on frames, on ranges (audio, text), or (global) on the whole
 * item. Mirrors the SDK's `ClassificationInstance`.
 */
export class ClassificationInstance {
  readonly #classification: Classification;
  readonly #hash: string;
  readonly #rangeOnly: boolean;
  readonly #frames = new Map<number, ClassificationFrame>();
  #ranges: [number, number][] = [];
  readonly #answers: StaticAnswers;
  readonly #info: AnnotationInfo;
  #host: ClassificationHost | null = null;
  /** @internal Whether `classification_answers` carries the instance's own metadata (see the SDK notes). */
  writesInstanceMetadata = true;
  /** @internal Keys of the `classification_answers` entry the model does not read. */
  answerExtra: JsonObject = {};

  constructor(classification: Classification, options: { classificationHash?: string; rangeOnly?: boolean } = {}) {
    if (options.classificationHash !== undefined && (typeof options.classificationHash !== "string" || options.classificationHash === "")) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `classificationHash ${JSON.stringify(options.classificationHash)} is not accepted; give a non-empty string or omit it.`,
      );
    }
    this.#classification = classification;
    this.#hash = options.classificationHash ?? shortHash();
    this.#rangeOnly = options.rangeOnly === true;
    this.#answers = new StaticAnswers(classification);
    this.#info = newAnnotationInfo({});
  }

  get classificationHash(): string {
    return this.#hash;
  }
  get ontologyItem(): Classification {
    return this.#classification;
  }
  get featureHash(): string {
    return this.#classification.featureNodeHash;
  }
  get isGlobal(): boolean {
    return this.#classification.isGlobal;
  }
  get isRangeOnly(): boolean {
    return this.#rangeOnly;
  }
  get isAssignedToLabelRow(): boolean {
    return this.#host !== null;
  }

  // The instance's own metadata: what `classification_answers` carries.
  get createdAt(): Date {
    return new Date(this.#info.createdAt.getTime());
  }
  set createdAt(value: Date | string) {
    this.#info.createdAt = toLabelDate(value, "createdAt");
  }
  get createdBy(): string | null {
    return this.#info.createdBy;
  }
  set createdBy(value: string | null) {
    this.#info.createdBy = checkUser(value, "createdBy");
  }
  get lastEditedAt(): Date {
    return new Date(this.#info.lastEditedAt.getTime());
  }
  set lastEditedAt(value: Date | string) {
    this.#info.lastEditedAt = toLabelDate(value, "lastEditedAt");
  }
  get lastEditedBy(): string | null {
    return this.#info.lastEditedBy;
  }
  set lastEditedBy(value: string | null) {
    this.#info.lastEditedBy = checkUser(value, "lastEditedBy");
  }
  get confidence(): number {
    return this.#info.confidence;
  }
  set confidence(value: number) {
    this.#info.confidence = checkConfidence(value);
  }
  get manualAnnotation(): boolean {
    return this.#info.manualAnnotation;
  }
  set manualAnnotation(value: boolean) {
    this.#info.manualAnnotation = checkBoolean(value, "manualAnnotation");
  }

  /**
   * Puts the classification on frames (range-only instances: on ranges). New frames take the
   * metadata given (omitted: now, confidence 1, manual annotation); the instance's own metadata
   * follows the latest call.
   */
  setForFrames(options: ClassificationSetForFramesOptions = {}): void {
    if (this.isGlobal) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Classification "${this.#classification.name}" is global: it applies to the whole data item and has no frames. Answer it and add it to the label row.`,
      );
    }
    const now = new Date();
    if (this.#rangeOnly) {
      const ranges = rangesOf(options.frames ?? 0);
      this.#ranges = options.overwrite === true ? mergeRanges(ranges) : mergeRanges([...this.#ranges, ...ranges]);
    } else {
      const frames = frameList(options.frames ?? 0);
      if (options.overwrite !== true) {
        const taken = frames.filter((frame) => this.#frames.has(frame));
        if (taken.length > 0) {
          throw new LabelError(
            "TA_INVALID_LABEL",
            `Classification "${this.#classification.name}" (${this.#hash}) is already on frame` +
              `${taken.length === 1 ? "" : "s"} ${taken.join(", ")}` +
              `; pass overwrite: true to replace its metadata there.`,
          );
        }
      }
      this.#host?.checkClassificationFrames(this, frames);
      // Unlike objects, omitted confidence and manual flag are applied (the SDK's defaults are values).
      const frameOptions = { ...options, confidence: options.confidence ?? 1, manualAnnotation: options.manualAnnotation ?? true };
      for (const frame of frames) {
        const existing = this.#frames.get(frame);
        if (existing === undefined) this.#frames.set(frame, { info: newAnnotationInfo(frameOptions, now), extra: {} });
        else updateAnnotationInfo(existing.info, frameOptions);
      }
      this.#host?.classificationFramesAdded(this, frames);
    }
    updateAnnotationInfo(this.#info, {
      createdAt: options.createdAt ?? now,
      lastEditedAt: options.lastEditedAt ?? now,
      manualAnnotation: options.manualAnnotation ?? true,
      ...(options.createdBy === undefined ? {} : { createdBy: options.createdBy }),
      ...(options.lastEditedBy === undefined ? {} : { lastEditedBy: options.lastEditedBy }),
      ...(options.confidence === undefined ? {} : { confidence: options.confidence }),
    });
  }

  /** Takes the classification off these frames. */
  removeFromFrames(frames: Frames): void {
    if (this.#rangeOnly) {
      this.#ranges = subtractRanges(this.#ranges, rangesOf(frames));
      return;
    }
    const removed = frameList(frames).filter((frame) => this.#frames.delete(frame));
    this.#host?.classificationFramesRemoved(this, removed);
  }

  /** The classification's label on a frame; its metadata can be read and set. */
  getAnnotation(frame = 0): Annotation {
    const data = this.#frames.get(frame);
    if (data === undefined) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Classification "${this.#classification.name}" (${this.#hash}) is not on frame ` +
          `${frame}; its frames are ${this.getAnnotationFrames().join(", ") || "none"}.`,
      );
    }
    return new Annotation(frame, data.info);
  }

  getAnnotations(): Annotation[] {
    return this.getAnnotationFrames().map((frame) => new Annotation(frame, (this.#frames.get(frame) as ClassificationFrame).info));
  }

  /** The frames the classification is on, ascending. */
  getAnnotationFrames(): number[] {
    return [...this.#frames.keys()].sort((a, b) => a - b);
  }

  hasFrame(frame: number): boolean {
    return this.#frames.has(frame);
  }

  /** Inclusive `[start, end]` ranges: of frames, or for range-only instances of ms or characters. */
  get range(): [number, number][] {
    if (this.isGlobal) return [];
    return this.#rangeOnly ? this.#ranges.map(([s, e]) => [s, e]) : framesToRanges(this.getAnnotationFrames());
  }

  /** Answers an attribute (the first one when `attribute` is omitted). */
  setAnswer(answer: AnswerValue, options: ClassificationSetAnswerOptions = {}): void {
    const attribute = this.#answers.attribute(options.attribute ?? this.#firstAttribute());
    this.#answers.set(attribute, answer, { overwrite: options.overwrite ?? false, manualAnnotation: options.manualAnnotation ?? true });
  }

  /** The answer of an attribute (the first one when omitted); `undefined` when unanswered. */
  getAnswer(attribute?: Attribute | string): AnswerValue | undefined {
    return this.#answers.get(this.#answers.attribute(attribute ?? this.#firstAttribute()));
  }

  deleteAnswer(attribute?: Attribute | string): void {
    this.#answers.delete(this.#answers.attribute(attribute ?? this.#firstAttribute()));
  }

  /** Answered attributes with their answers, depth first. */
  getAnswers(): [Attribute, AnswerValue][] {
    return this.#answers.entries();
  }

  #firstAttribute(): Attribute {
    return this.#classification.attributes[0] as Attribute;
  }

  /** @internal */
  attachTo(host: ClassificationHost | null): void {
    this.#host = host;
  }
  /** @internal */
  get answers(): StaticAnswers {
    return this.#answers;
  }
  /** @internal */
  get instanceInfo(): AnnotationInfo {
    return this.#info;
  }
  /** @internal */
  frameData(frame: number): ClassificationFrame | undefined {
    return this.#frames.get(frame);
  }
  /** @internal Adds a frame read from wire data, without the checks user edits get. */
  restoreFrame(frame: number, data: ClassificationFrame): void {
    this.#frames.set(frame, data);
  }
  /** @internal */
  restoreRanges(ranges: [number, number][]): void {
    this.#ranges = mergeRanges(ranges);
  }
  /** @internal */
  restoreInfo(info: AnnotationInfo): void {
    Object.assign(this.#info, info);
  }
}
