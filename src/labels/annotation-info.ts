import { LabelError } from "../domain/errors.js";
import { toLabelDate } from "./dates.js";

/** Who made a label, when, and how sure: kept per frame of an instance. */
export interface AnnotationInfo {
  createdAt: Date;
  createdBy: string | null;
  lastEditedAt: Date;
  lastEditedBy: string | null;
  confidence: number;
  manualAnnotation: boolean;
}

/** The metadata options of `setForFrames` and of the instance and annotation setters. */
export interface AnnotationInfoOptions {
  readonly createdAt?: Date | string;
  readonly createdBy?: string | null;
  readonly lastEditedAt?: Date | string;
  readonly lastEditedBy?: string | null;
  readonly confidence?: number;
  readonly manualAnnotation?: boolean;
}

// The SDK's frame-view setters take e-mail addresses only; server-filled values (null) are fine.
const EMAIL = /^[^@\s]+@[^@\s]+$/;

export function checkUser(value: unknown, what: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || !EMAIL.test(value)) {
    throw new LabelError("TA_INVALID_LABEL", `${what} ${JSON.stringify(value)} is not accepted; give an e-mail address (or null to let the server fill it).`);
  }
  return value;
}

export function checkConfidence(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new LabelError("TA_INVALID_LABEL", `Confidence ${JSON.stringify(value)} is not accepted; confidence is a number from 0 to 1.`);
  }
  return value;
}

export function checkBoolean(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw new LabelError("TA_INVALID_LABEL", `${what} must be true or false; got ${JSON.stringify(value)}.`);
  return value;
}

/** A fresh info record for a frame that had none: omitted fields take the SDK's defaults. */
export function newAnnotationInfo(options: AnnotationInfoOptions, now: Date = new Date()): AnnotationInfo {
  return {
    createdAt: options.createdAt === undefined ? now : toLabelDate(options.createdAt, "createdAt"),
    createdBy: options.createdBy === undefined ? null : checkUser(options.createdBy, "createdBy"),
    lastEditedAt: options.lastEditedAt === undefined ? now : toLabelDate(options.lastEditedAt, "lastEditedAt"),
    lastEditedBy: options.lastEditedBy === undefined ? null : checkUser(options.lastEditedBy, "lastEditedBy"),
    confidence: options.confidence === undefined ? 1 : checkConfidence(options.confidence),
    manualAnnotation: options.manualAnnotation === undefined ? true : checkBoolean(options.manualAnnotation, "manualAnnotation"),
  };
}

/** Changes only the fields given; the others keep their values. */
export function updateAnnotationInfo(info: AnnotationInfo, options: AnnotationInfoOptions): void {
  if (options.createdAt !== undefined) info.createdAt = toLabelDate(options.createdAt, "createdAt");
  if (options.createdBy !== undefined) info.createdBy = checkUser(options.createdBy, "createdBy");
  if (options.lastEditedAt !== undefined) info.lastEditedAt = toLabelDate(options.lastEditedAt, "lastEditedAt");
  if (options.lastEditedBy !== undefined) info.lastEditedBy = checkUser(options.lastEditedBy, "lastEditedBy");
  if (options.confidence !== undefined) info.confidence = checkConfidence(options.confidence);
  if (options.manualAnnotation !== undefined) info.manualAnnotation = checkBoolean(options.manualAnnotation, "manualAnnotation");
}

/**
 * The label of one frame of an instance, as `getAnnotation(frame)` gives it: reading and setting
 * its fields reads and changes the instance.
 */
export class Annotation {
  constructor(
    readonly frame: number,
    private readonly info: AnnotationInfo,
  ) {}

  get createdAt(): Date {
    return new Date(this.info.createdAt.getTime());
  }
  set createdAt(value: Date | string) {
    this.info.createdAt = toLabelDate(value, "createdAt");
  }
  get createdBy(): string | null {
    return this.info.createdBy;
  }
  set createdBy(value: string | null) {
    this.info.createdBy = checkUser(value, "createdBy");
  }
  get lastEditedAt(): Date {
    return new Date(this.info.lastEditedAt.getTime());
  }
  set lastEditedAt(value: Date | string) {
    this.info.lastEditedAt = toLabelDate(value, "lastEditedAt");
  }
  get lastEditedBy(): string | null {
    return this.info.lastEditedBy;
  }
  set lastEditedBy(value: string | null) {
    this.info.lastEditedBy = checkUser(value, "lastEditedBy");
  }
  get confidence(): number {
    return this.info.confidence;
  }
  set confidence(value: number) {
    this.info.confidence = checkConfidence(value);
  }
  get manualAnnotation(): boolean {
    return this.info.manualAnnotation;
  }
  set manualAnnotation(value: boolean) {
    this.info.manualAnnotation = checkBoolean(value, "manualAnnotation");
  }
}
