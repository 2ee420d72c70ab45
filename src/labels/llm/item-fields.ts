/**
 * Ontology items (classifications and objects) as properties of the LLM schema, and the
 * instances a validated value of each becomes.
 */
import { z } from "zod";
import type { ClassificationInstance } from "../classification-instance.js";
import type { Frames } from "../frames.js";
import type { ObjectInstance } from "../object-instance.js";
import type { Classification } from "../ontology/classification.js";
import type { OntologyObject } from "../ontology/ontology-object.js";
import { answerField, describeAttribute, optionalProperty, type AnswerField, type AnswerPair } from "./answer-fields.js";
import { KeyAllocator } from "./keys.js";
import { LLM_SHAPES, isLlmShape, shapeField, type ShapeField } from "./shape-fields.js";

/** What building instances needs to know. */
export interface BuildContext {
  /** Frames of frame classifications and objects. */
  readonly frames: Frames;
  /** The ontology item to make instances of (a label row's own copy of `item`, for `addTo`). */
  resolve<T extends Classification | OntologyObject>(item: T): T;
}

export interface ClassificationField {
  readonly kind: "classification";
  readonly key: string;
  readonly item: Classification;
  /** The property schema (nullable). */
  readonly schema: z.ZodType;
  /** The instance a validated, non-null value gives; `undefined` for an empty checklist. */
  build(value: unknown, context: BuildContext): ClassificationInstance | undefined;
}

export interface ObjectField {
  readonly kind: "object";
  readonly key: string;
  readonly item: OntologyObject;
  readonly schema: z.ZodType;
  build(value: unknown, context: BuildContext): ObjectInstance[];
}

export type ItemField = ClassificationField | ObjectField;

/** A field, or why the item cannot be one. */
export type FieldResult<F> = { readonly field: F } | { readonly reason: string };

const CONFIDENCE_KEY = "confidence";

/** Model output is not a person's work: every answer and frame is marked so. */
const BY_MODEL = { manualAnnotation: false } as const;

function setAnswers(
  instance: { setAnswer(answer: AnswerPair[1], options: { attribute: AnswerPair[0]; manualAnnotation: boolean }): void },
  pairs: readonly AnswerPair[],
): void {
  for (const [attribute, answer] of pairs) instance.setAnswer(answer, { attribute, ...BY_MODEL });
}

/** A classification, asked through its first attribute (the one that names it). */
export function classificationField(item: Classification, keys: KeyAllocator): FieldResult<ClassificationField> {
  const first = item.attributes[0];
  const answer = first === undefined ? undefined : answerField(first, new KeyAllocator(), { skipDynamic: false });
  if (first === undefined || answer === undefined) {
    const why =
      first === undefined
        ? "it has no attributes"
        : first.archived
          ? `its attribute "${first.name}" is archived`
          : `its ${first.type} attribute "${first.name}" has no options that are not archived`;
    return { reason: `Classification "${item.name}" cannot be asked: ${why}.` };
  }
  const scope = item.isGlobal ? "of the whole data item" : "of the image";
  return {
    field: {
      kind: "classification",
      key: keys.take(item.name, "classification"),
      item,
      schema: optionalProperty(answer.schema, `Classification "${item.name}" ${scope}: ${answer.hint}. Null when it does not apply or cannot be told.`),
      build: (value, context) => buildClassification(item, answer, value, context),
    },
  };
}

function buildClassification(item: Classification, answer: AnswerField, value: unknown, context: BuildContext): ClassificationInstance | undefined {
  const pairs = answer.answers(value);
  if (pairs.length === 0) return undefined;
  const instance = context.resolve(item).createInstance();
  setAnswers(instance, pairs);
  if (instance.isGlobal) instance.manualAnnotation = false;
  else instance.setForFrames({ frames: context.frames, confidence: 1, ...BY_MODEL });
  return instance;
}

/** An object: a list of entries, each with its coordinates, a confidence and its static attributes. */
export function objectField(item: OntologyObject, keys: KeyAllocator): FieldResult<ObjectField> {
  if (item.archived) return { reason: `Object "${item.name}" is archived.` };
  if (!isLlmShape(item.shape)) {
    return { reason: `Object "${item.name}" has shape ${item.shape}; an LLM schema can describe ${LLM_SHAPES.join(", ")} objects only.` };
  }
  const shape = shapeField(item.shape);
  const entryKeys = new KeyAllocator([shape.key, CONFIDENCE_KEY]);
  const attributes = item.attributes.flatMap((attribute) => answerField(attribute, entryKeys, { skipDynamic: true }) ?? []);
  const entry: Record<string, z.ZodType> = {
    [shape.key]: shape.schema,
    [CONFIDENCE_KEY]: optionalProperty(
      z.number().min(0).max(1),
      "How sure you are of this object, from 0 (a guess) to 1 (certain). Null when you cannot say (taken as 1).",
    ),
  };
  for (const field of attributes) entry[field.key] = optionalProperty(field.schema, describeAttribute(field));
  const extra = attributes.length === 0 ? "" : " and its attributes";
  return {
    field: {
      kind: "object",
      key: keys.take(item.name, "object"),
      item,
      schema: optionalProperty(
        z.array(z.strictObject(entry).describe(`One "${item.name}" object`)),
        `Every "${item.name}" object in the image, one entry each: ${shape.noun} (coordinates ` +
          `normalised to the image size, 0..1)${extra}. An empty list (or null) when there is none.`,
      ),
      build: (value, context) => (value as readonly Record<string, unknown>[]).map((one) => buildObject(item, shape, attributes, one, context)),
    },
  };
}

function buildObject(
  item: OntologyObject,
  shape: ShapeField,
  attributes: readonly AnswerField[],
  entry: Record<string, unknown>,
  context: BuildContext,
): ObjectInstance {
  const instance = context.resolve(item).createInstance();
  const confidence = entry[CONFIDENCE_KEY];
  instance.setForFrames(shape.toCoordinates(entry[shape.key]), {
    frames: context.frames,
    confidence: typeof confidence === "number" ? confidence : 1,
    ...BY_MODEL,
  });
  for (const field of attributes) {
    const value = entry[field.key];
    if (value !== null && value !== undefined) setAnswers(instance, field.answers(value));
  }
  return instance;
}
