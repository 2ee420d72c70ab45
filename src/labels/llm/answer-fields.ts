/**
 * Zod schemas of attribute answers and the way back: from a validated answer to the
 * `[attribute, answer]` pairs an instance's `setAnswer` takes.
 */
import { z } from "zod";
import type { AnswerValue } from "../answers/answer-codec.js";
import type { Attribute, AttributeOption } from "../ontology/attribute.js";
import { optionList } from "./describe-text.js";
import { KeyAllocator } from "./keys.js";

/** One answer to set on an instance. */
export type AnswerPair = readonly [Attribute, AnswerValue];

/** An attribute as a property of the LLM schema. */
export interface AnswerField {
  readonly key: string;
  readonly attribute: Attribute;
  /** The schema of an answer (not nullable). */
  readonly schema: z.ZodType;
  /** What an answer is, in words: "free text", "exactly one of …". */
  readonly hint: string;
  /** The answers in a validated value: this attribute's, then those of follow-up questions. None for an empty checklist. */
  answers(value: unknown): AnswerPair[];
}

export interface AnswerFieldOptions {
  /** Leave dynamic attributes out (objects: their answers belong to frames). */
  readonly skipDynamic: boolean;
}

/** The key of a radio answer's chosen option when the options have follow-up questions. */
export const CHOICE_KEY = "choice";

/**
 * A property that the LLM may leave out or set to null ("no answer"). The default makes the key
 * required in the (output-mode) JSON Schema, with `null` allowed: the form strict structured
 * outputs need, while parsing still accepts a missing key.
 */
export function optionalProperty(schema: z.ZodType, description: string): z.ZodType {
  return schema.nullable().default(null).describe(description);
}

/**
 * The schema field of an attribute, keyed by a key from `keys` (taken only when the attribute can
 * be asked); `undefined` when it cannot: archived, dynamic when those are skipped, or no options left.
 */
export function answerField(attribute: Attribute, keys: KeyAllocator, options: AnswerFieldOptions): AnswerField | undefined {
  if (attribute.archived || (options.skipDynamic && attribute.dynamic)) return undefined;
  const key = (): string => keys.take(attribute.name, "attribute");
  switch (attribute.type) {
    case "text":
      return { key: key(), attribute, schema: z.string(), hint: "free text", answers: (value) => [[attribute, value as string]] };
    case "numeric":
      return { key: key(), attribute, schema: z.number(), hint: "a number", answers: (value) => [[attribute, value as number]] };
    case "checklist":
      return checklistField(attribute, key);
    case "radio":
      return radioField(attribute, key, options);
  }
}

/** A property description of an attribute answer. */
export function describeAttribute(field: AnswerField): string {
  return `Attribute "${field.attribute.name}": ${field.hint}. Null when it cannot be told.`;
}

interface Choices {
  readonly options: readonly AttributeOption[];
  /** The value the LLM gives for each option (option values, made unique). */
  readonly values: readonly [string, ...string[]];
  readonly byValue: ReadonlyMap<string, AttributeOption>;
}

function choicesOf(attribute: Attribute): Choices | undefined {
  const options = attribute.options.filter((option) => !option.archived);
  const unique = new KeyAllocator();
  const values = options.map((option) => unique.takeExact(option.value));
  const [first, ...rest] = values;
  if (first === undefined) return undefined;
  return { options, values: [first, ...rest], byValue: new Map(values.map((value, i) => [value, options[i] as AttributeOption])) };
}

function pick(choices: Choices, value: unknown): AttributeOption {
  // The schema admits only the values in the map.
  return choices.byValue.get(value as string) as AttributeOption;
}

function checklistField(attribute: Attribute, key: () => string): AnswerField | undefined {
  const choices = choicesOf(attribute);
  if (choices === undefined) return undefined;
  return {
    key: key(),
    attribute,
    schema: z.array(z.enum(choices.values)),
    hint: `a list of any of ${optionList(choices.options, choices.values)} (an empty list when none applies)`,
    answers: (value) => {
      const chosen = (value as readonly unknown[]).map((v) => pick(choices, v));
      return chosen.length === 0 ? [] : [[attribute, chosen]];
    },
  };
}

function radioField(attribute: Attribute, key: () => string, options: AnswerFieldOptions): AnswerField | undefined {
  const choices = choicesOf(attribute);
  if (choices === undefined) return undefined;
  const listed = optionList(choices.options, choices.values);
  const followUps = choices.options.map((option) => {
    const keys = new KeyAllocator([CHOICE_KEY]);
    return option.attributes.flatMap((nested) => answerField(nested, keys, options) ?? []);
  });
  if (followUps.every((fields) => fields.length === 0)) {
    return { key: key(), attribute, schema: z.enum(choices.values), hint: `exactly one of ${listed}`, answers: (value) => [[attribute, pick(choices, value)]] };
  }
  const members = choices.options.map((option, i) => {
    const fields = followUps[i] ?? [];
    const shape: Record<string, z.ZodType> = { [CHOICE_KEY]: z.literal(choices.values[i] as string) };
    for (const field of fields) shape[field.key] = optionalProperty(field.schema, describeAttribute(field));
    const follow =
      fields.length === 0 ? "" : `, with its follow-up question${fields.length === 1 ? "" : "s"} ${fields.map((f) => JSON.stringify(f.key)).join(", ")}`;
    return z.strictObject(shape).describe(`Option "${option.label}"${follow}`);
  });
  const [first, ...rest] = members;
  return {
    key: key(),
    attribute,
    schema: z.discriminatedUnion(CHOICE_KEY, [first as (typeof members)[number], ...rest]),
    hint: `an object whose "${CHOICE_KEY}" is exactly one of ${listed}; its other keys answer the follow-up questions of the chosen option`,
    answers: (value) => {
      const answer = value as Record<string, unknown>;
      const index = choices.values.indexOf(answer[CHOICE_KEY] as string);
      const pairs: AnswerPair[] = [[attribute, choices.options[index] as AttributeOption]];
      for (const field of followUps[index] ?? []) {
        const nested = answer[field.key];
        if (nested !== null && nested !== undefined) pairs.push(...field.answers(nested));
      }
      return pairs;
    },
  };
}
