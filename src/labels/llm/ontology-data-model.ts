import { z } from "zod";
import { LabelError } from "../../domain/errors.js";
import type { ClassificationInstance } from "../classification-instance.js";
import { frameList, type Frames } from "../frames.js";
import type { LabelRow } from "../label-row.js";
import type { ObjectInstance } from "../object-instance.js";
import type { Classification } from "../ontology/classification.js";
import type { OntologyObject } from "../ontology/ontology-object.js";
import { Ontology } from "../ontology/ontology.js";
import { describe as describeValue } from "../ontology/wire.js";
import { classificationField, objectField, type BuildContext, type FieldResult, type ItemField } from "./item-fields.js";
import { KeyAllocator } from "./keys.js";
import { validateOutput } from "./read-output.js";

/** What an {@link OntologyDataModel} describes: a whole ontology, or some of its classifications and objects. */
export type OntologyDataModelItems = Ontology | readonly (Classification | OntologyObject)[];

/** Options of {@link OntologyDataModel.parse}. */
export interface OntologyDataModelParseOptions {
  /** Frames to put frame classifications and objects on; frame 0 when omitted. Global classifications get none. */
  readonly frames?: Frames;
}

/** Options of {@link OntologyDataModel.addTo}. */
export interface OntologyDataModelAddOptions extends OntologyDataModelParseOptions {
  /** Passed to `addClassificationInstance`: take over frames (or a global answer) another instance already holds. */
  readonly force?: boolean;
}

/** The instances an LLM answer gave, in schema order. */
export interface OntologyDataModelResult {
  readonly classifications: ClassificationInstance[];
  readonly objects: ObjectInstance[];
}

/** The JSON Schema of {@link OntologyDataModel.jsonSchema}: plain JSON. */
export type OntologyJsonSchema = Record<string, unknown>;

function isOntology(items: unknown): items is Ontology {
  if (items instanceof Ontology) return true;
  // An Ontology of another copy of the package.
  const candidate = items as { objects?: unknown; classifications?: unknown } | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    !Array.isArray(candidate) &&
    Array.isArray(candidate.objects) &&
    Array.isArray(candidate.classifications)
  );
}

function itemKind(item: unknown): "classification" | "object" | undefined {
  const kind = typeof item === "object" && item !== null ? (item as { kind?: unknown }).kind : undefined;
  return kind === "classification" || kind === "object" ? kind : undefined;
}

function whatItIs(item: unknown): string {
  const node = item as { kind?: unknown; name?: unknown; label?: unknown } | null;
  if (typeof node === "object" && node !== null && typeof node.kind === "string") {
    const title = typeof node.name === "string" ? node.name : typeof node.label === "string" ? node.label : undefined;
    return `${node.kind === "attribute" ? "an" : "a"} ${node.kind}${title === undefined ? "" : ` ("${title}")`}`;
  }
  return describeValue(item);
}

/**
 * An ontology (or some of its items) as a schema for structured LLM output, and the way back
 * from the LLM's answer to label instances. The TypeScript counterpart of encord-agents'
 * `OntologyDataModel`.
 *
 * The schema is a JSON object with one property per item, keyed by the item's name in lower
 * snake case (`_2`, `_3` on clashes):
 * - a classification is answered through its first attribute: a radio gives one option value
 *   (or, when options have follow-up questions, `{ choice, <follow-up keys> }`), a checklist a
 *   list of option values, text a string, numeric a number;
 * - an object is a list of entries `{ box | rotatedBox | point | polygon | polyline, confidence,
 *   <static attribute keys> }`, coordinates normalised to 0..1 of the image size. Objects of other
 *   shapes cannot be described, and dynamic attributes are left out.
 *
 * Every property (items, confidence, attributes) may be null or left out, meaning "none" / "no
 * answer". In the JSON Schema each is listed as required with `null` allowed, the form strict
 * structured outputs (OpenAI) require. Archived objects, attributes and options are left out.
 */
export class OntologyDataModel {
  /** Validates an LLM answer (parsed JSON); unknown keys are refused. */
  readonly zodSchema: z.ZodObject<Record<string, z.ZodType>, z.core.$strict>;
  readonly #fields: readonly ItemField[];
  readonly #jsonSchema: OntologyJsonSchema;

  /**
   * From an {@link Ontology} (all its classifications and objects; those that cannot be described
   * are skipped) or from a list of classifications and objects (one that cannot be described is
   * refused with a LabelError).
   */
  constructor(items: OntologyDataModelItems) {
    const keys = new KeyAllocator();
    const fields: ItemField[] = [];
    const skipped: string[] = [];
    const take = (result: FieldResult<ItemField>, explicit: boolean): void => {
      if ("field" in result) fields.push(result.field);
      else if (explicit) throw new LabelError("TA_INVALID_LABEL", result.reason);
      else skipped.push(result.reason);
    };
    if (isOntology(items)) {
      for (const object of items.objects) take(objectField(object, keys), false);
      for (const classification of items.classifications) take(classificationField(classification, keys), false);
    } else if (Array.isArray(items)) {
      (items as readonly unknown[]).forEach((item, i) => {
        const kind = itemKind(item);
        if (kind === undefined) {
          throw new LabelError(
            "TA_INVALID_LABEL",
            `OntologyDataModel item ${i} is ${whatItIs(item)}; give Classification and OntologyObject ` +
              `items (from ontology.classifications and ontology.objects) or a whole Ontology.`,
          );
        }
        take(kind === "classification" ? classificationField(item as Classification, keys) : objectField(item as OntologyObject, keys), true);
      });
    } else {
      throw new LabelError("TA_INVALID_LABEL", `OntologyDataModel takes an Ontology or a list of its classifications and objects; got ${whatItIs(items)}.`);
    }
    if (fields.length === 0) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `OntologyDataModel has nothing to describe: ` +
          `${skipped.length === 0 ? "no items were given." : skipped.join(" ")} Give classifications, ` +
          `or objects of shape bounding_box, rotatable_bounding_box, point, polygon or polyline.`,
      );
    }
    this.#fields = fields;
    this.zodSchema = z.strictObject(Object.fromEntries(fields.map((field) => [field.key, field.schema])));
    this.#jsonSchema = z.toJSONSchema(this.zodSchema, {
      // Same meaning, in the keywords strict structured outputs accept: the options of a union
      // are told apart by their `choice` constant, so anyOf equals oneOf; `default: null` is implied by the null branch.
      override: ({ jsonSchema }) => {
        if (jsonSchema.oneOf !== undefined) {
          jsonSchema.anyOf = jsonSchema.oneOf;
          delete jsonSchema.oneOf;
        }
        if (jsonSchema.default === null) delete jsonSchema.default;
      },
    });
  }

  /**
   * The schema as JSON Schema (draft 2020-12): for OpenAI's `response_format: { type: "json_schema" }`
   * or an Anthropic tool's `input_schema`. A fresh copy on each read.
   */
  get jsonSchema(): OntologyJsonSchema {
    return structuredClone(this.#jsonSchema);
  }

  /**
   * Reads an LLM answer (JSON text, optionally in a ```json fence, or an already parsed value) into
   * instances of the model's items: placed on `frames` (frame 0 by default), marked as not manual,
   * with each object's confidence (1 when not given). Null or missing keys give no instance.
   * Throws a LabelError listing every problem when the answer does not fit the schema.
   */
  parse(output: unknown, options: OntologyDataModelParseOptions = {}): OntologyDataModelResult {
    return this.#build(output, options, (item) => item);
  }

  /**
   * {@link parse}, then adds every instance to the label row (classifications with `force` as given).
   * Instances are made of the row's own ontology items; if one cannot be added, those added are removed again.
   */
  addTo(labelRow: LabelRow, output: unknown, options: OntologyDataModelAddOptions = {}): OntologyDataModelResult {
    const ontology = labelRow.ontology;
    const result = this.#build(output, options, (item) => {
      const own = ontology.findChildByHash(item.featureNodeHash, item.kind);
      if (own === undefined) {
        throw new LabelError(
          "TA_INVALID_LABEL",
          `The label row's ontology has no ${item.kind} "${item.name}" (feature node hash ` +
            `${JSON.stringify(item.featureNodeHash)}); build the OntologyDataModel from labelRow.ontology.`,
        );
      }
      return own;
    });
    const undo: (() => void)[] = [];
    try {
      for (const instance of result.classifications) {
        labelRow.addClassificationInstance(instance, { force: options.force });
        undo.push(() => labelRow.removeClassificationInstance(instance));
      }
      for (const instance of result.objects) {
        labelRow.addObjectInstance(instance);
        undo.push(() => labelRow.removeObject(instance));
      }
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
    return result;
  }

  #build(
    output: unknown,
    options: OntologyDataModelParseOptions,
    resolve: (item: Classification | OntologyObject) => Classification | OntologyObject,
  ): OntologyDataModelResult {
    const frames = options.frames ?? 0;
    frameList(frames); // refuses bad frames before anything is built
    const value = validateOutput(
      this.zodSchema,
      output,
      this.#fields.map((field) => field.key),
    );
    const context: BuildContext = { frames, resolve: <T extends Classification | OntologyObject>(item: T) => resolve(item) as T };
    const result: OntologyDataModelResult = { classifications: [], objects: [] };
    for (const field of this.#fields) {
      const answer = value[field.key];
      if (answer === null || answer === undefined) continue;
      if (field.kind === "classification") {
        const instance = field.build(answer, context);
        if (instance !== undefined) result.classifications.push(instance);
      } else {
        result.objects.push(...field.build(answer, context));
      }
    }
    return result;
  }
}
