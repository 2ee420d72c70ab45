import type { AnswerValue } from "../../labels/answers/answer-codec.js";
import { isRangeCoordinates } from "../../labels/coordinates/index.js";
import { framesToRanges } from "../../labels/frames.js";
import type { LabelRow } from "../../labels/label-row.js";
import type { ObjectInstance } from "../../labels/object-instance.js";
import type { Attribute } from "../../labels/ontology/attribute.js";
import { safeColor } from "./overlay-shapes.js";

/** One question and its answer, as the page lists them. */
export interface ListedAnswer {
  readonly question: string;
  readonly answer: string;
}

/** An object or classification instance of a label row, as the page lists it. */
export interface ListedLabel {
  readonly kind: "object" | "classification";
  /** The instance's hash. */
  readonly hash: string;
  readonly featureHash: string;
  readonly title: string;
  /** Objects: the ontology colour; classifications: none. */
  readonly color: string | null;
  /** Objects: the shape (`bounding_box`, `audio`, …). */
  readonly shape: string | null;
  /** Where the instance is: "frames 0–4, 9", "whole item", "0–1500 ms", "characters 10–42". */
  readonly where: string;
  /** True when the instance is on the frame shown (range and global labels always are). */
  readonly onFrame: boolean;
  readonly confidence: number | null;
  readonly createdBy: string | null;
  readonly manual: boolean | null;
  readonly answers: readonly ListedAnswer[];
}

/** An answer as text: options by their labels, a checklist's joined by commas. */
export function formatAnswer(answer: AnswerValue): string {
  if (typeof answer === "string") return answer;
  if (typeof answer === "number") return String(answer);
  if (Array.isArray(answer)) return (answer as readonly { label: string }[]).map((option) => option.label).join(", ");
  return (answer as { label: string }).label;
}

function describeRanges(ranges: readonly (readonly [number, number])[], noun: string, unit: string): string {
  const parts = ranges.map(([start, end]) => (start === end ? `${start}` : `${start}–${end}`));
  return `${noun}${parts.join(", ")}${unit}`;
}

function framesText(frames: readonly number[]): string {
  if (frames.length === 0) return "no frames";
  return describeRanges(framesToRanges(frames), frames.length === 1 ? "frame " : "frames ", "");
}

function objectWhere(instance: ObjectInstance, dataType: string): string {
  const coordinates = instance.getAnnotations()[0]?.coordinates;
  if (coordinates !== undefined && isRangeCoordinates(coordinates)) {
    const spans: [number, number][] = [];
    const html: string[] = [];
    for (const span of coordinates.range) {
      if (typeof span.start === "number") spans.push([span.start, span.end as number]);
      else
        html.push(
          `${span.start.xpath}:${span.start.offset}–${(span.end as { xpath: string; offset: number }).xpath}:${(span.end as { offset: number }).offset}`,
        );
    }
    if (html.length > 0) return `HTML ${html.join(", ")}`;
    // Audio ranges are milliseconds; text ranges are character offsets.
    return dataType === "audio" ? describeRanges(spans, "", " ms") : describeRanges(spans, "characters ", "");
  }
  return framesText(instance.getAnnotationFrames());
}

function objectAnswers(instance: ObjectInstance, frame: number): ListedAnswer[] {
  const answers: ListedAnswer[] = instance.getStaticAnswers().map(([attribute, value]) => ({ question: attribute.name, answer: formatAnswer(value) }));
  for (const attribute of dynamicAttributes(instance.ontologyItem.attributes)) {
    const value = instance.hasFrame(frame) ? instance.getAnswer(attribute, { frame }) : undefined;
    if (value !== undefined) answers.push({ question: `${attribute.name} (frame ${frame})`, answer: formatAnswer(value) });
  }
  return answers;
}

function* dynamicAttributes(attributes: readonly Attribute[]): Generator<Attribute> {
  for (const attribute of attributes) {
    if (attribute.dynamic) yield attribute;
    for (const option of attribute.options) yield* dynamicAttributes(option.attributes);
  }
}

/**
 * Every object and classification of a label row, for the list beside the media: where each
 * is, who made it, and its answers (dynamic ones as they are on `frame`). Objects first, each
 * group in the order instances were added.
 */
export function listLabels(labelRow: LabelRow, frame: number): ListedLabel[] {
  const dataType = labelRow.dataType;
  const objects = labelRow.getObjectInstances().map((instance): ListedLabel => {
    const annotation = instance.hasFrame(frame) ? instance.getAnnotation(frame) : instance.getAnnotations()[0];
    const isRange = dataType === "audio" || dataType === "plain_text";
    return {
      kind: "object",
      hash: instance.objectHash,
      featureHash: instance.featureHash,
      title: instance.ontologyItem.name,
      color: safeColor(instance.ontologyItem.color),
      shape: instance.ontologyItem.shape,
      where: objectWhere(instance, dataType),
      onFrame: isRange || instance.hasFrame(frame),
      confidence: annotation?.confidence ?? null,
      createdBy: annotation?.createdBy ?? null,
      manual: annotation?.manualAnnotation ?? null,
      answers: objectAnswers(instance, frame),
    };
  });
  const classifications = labelRow.getClassificationInstances().map((instance): ListedLabel => {
    const where = instance.isGlobal
      ? "whole item"
      : instance.isRangeOnly
        ? describeRanges(instance.range, dataType === "audio" ? "" : "characters ", dataType === "audio" ? " ms" : "")
        : framesText(instance.getAnnotationFrames());
    return {
      kind: "classification",
      hash: instance.classificationHash,
      featureHash: instance.featureHash,
      title: instance.ontologyItem.name,
      color: null,
      shape: null,
      where,
      onFrame: instance.isGlobal || instance.isRangeOnly || instance.hasFrame(frame),
      confidence: instance.confidence,
      createdBy: instance.createdBy,
      manual: instance.manualAnnotation,
      answers: instance.getAnswers().map(([attribute, value]) => ({ question: attribute.name, answer: formatAnswer(value) })),
    };
  });
  return [...objects, ...classifications];
}
