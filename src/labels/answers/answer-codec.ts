import { LabelError } from "../../domain/errors.js";
import { quoteList } from "../../shared/suggest.js";
import type { Attribute, AttributeOption } from "../ontology/attribute.js";
import { isJsonObject, type JsonObject } from "../ontology/wire.js";

/** An answer as agents give and read it: text, a number, a radio option, or checklist options. */
export type AnswerValue = string | number | AttributeOption | readonly AttributeOption[];

function optionNames(attribute: Attribute): string {
  return attribute.options.length === 0
    ? "it has no options"
    : `its options are ${quoteList(
        attribute.options.map((o) => o.label),
        "and",
      )}`;
}

function ownOption(attribute: Attribute, option: unknown): AttributeOption {
  if (typeof option !== "object" || option === null || (option as { kind?: unknown }).kind !== "option") {
    throw new LabelError(
      "TA_INVALID_LABEL",
      `Attribute "${attribute.name}" is a ${attribute.type} question; answer it ` +
        `with ${attribute.type === "radio" ? "one of its options" : "a list of its options"}` +
        ` (${optionNames(attribute)}), got ${JSON.stringify(option)}.`,
    );
  }
  const given = option as AttributeOption;
  const own = attribute.options.find((o) => o === given) ?? attribute.getOption(given.featureNodeHash);
  if (own === undefined) {
    throw new LabelError("TA_INVALID_LABEL", `Option "${given.label}" does not belong to attribute "${attribute.name}"; ${optionNames(attribute)}.`);
  }
  return own;
}

/** Checks an answer against its attribute's type and options; returns it with the attribute's own options. */
export function checkAnswer(attribute: Attribute, answer: unknown): AnswerValue {
  switch (attribute.type) {
    case "text":
      if (typeof answer !== "string")
        throw new LabelError("TA_INVALID_LABEL", `Attribute "${attribute.name}" is a text question; answer it with a string, got ${JSON.stringify(answer)}.`);
      return answer;
    case "numeric":
      if (typeof answer !== "number" || !Number.isFinite(answer)) {
        throw new LabelError(
          "TA_INVALID_LABEL",
          `Attribute "${attribute.name}" is a numeric question; answer it with a finite number, got ${JSON.stringify(answer)}.`,
        );
      }
      return answer;
    case "radio":
      if (Array.isArray(answer))
        throw new LabelError(
          "TA_INVALID_LABEL",
          `Attribute "${attribute.name}" is a radio question; answer it with one option, not a list (${optionNames(attribute)}).`,
        );
      return ownOption(attribute, answer);
    case "checklist": {
      if (!Array.isArray(answer)) {
        throw new LabelError(
          "TA_INVALID_LABEL",
          `Attribute "${attribute.name}" is a checklist; answer it with a list of its options (${optionNames(attribute)}), got ${JSON.stringify(answer)}.`,
        );
      }
      const chosen = (answer as unknown[]).map((option) => ownOption(attribute, option));
      return [...new Set(chosen)];
    }
  }
}

function optionToWire(option: AttributeOption): JsonObject {
  return { name: option.label, value: option.value, featureHash: option.featureNodeHash };
}

/** The wire `answers` field of an answer. */
export function answerToWire(attribute: Attribute, value: AnswerValue): unknown {
  switch (attribute.type) {
    case "radio":
      return [optionToWire(value as AttributeOption)];
    case "checklist":
      return (value as readonly AttributeOption[]).map(optionToWire);
    default:
      return value;
  }
}

/** Same answer? Options compare by identity, lists as sets. */
export function sameAnswer(a: AnswerValue, b: AnswerValue): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((option) => (b as readonly AttributeOption[]).includes(option as AttributeOption));
  return a === b;
}

/**
 * Reads a wire `answers` field. `undefined` means "no answer" (an empty radio list); anything
 * else that does not fit the attribute is `null`, so the caller can keep the entry as it came.
 */
export function answerFromWire(attribute: Attribute, answers: unknown): AnswerValue | undefined | null {
  switch (attribute.type) {
    case "text":
      return typeof answers === "string" ? answers : null;
    case "numeric":
      if (typeof answers === "number") return answers;
      // Some exports carry numbers as strings.
      return typeof answers === "string" && answers.trim() !== "" && Number.isFinite(Number(answers)) ? Number(answers) : null;
    case "radio": {
      if (!Array.isArray(answers)) return null;
      if (answers.length === 0) return undefined;
      const first: unknown = answers[0];
      const option = isJsonObject(first) && typeof first["featureHash"] === "string" ? attribute.getOption(first["featureHash"]) : undefined;
      return option ?? null;
    }
    case "checklist": {
      if (!Array.isArray(answers)) return null;
      const options: AttributeOption[] = [];
      for (const entry of answers as unknown[]) {
        const option = isJsonObject(entry) && typeof entry["featureHash"] === "string" ? attribute.getOption(entry["featureHash"]) : undefined;
        if (option === undefined) return null;
        if (!options.includes(option)) options.push(option);
      }
      return options;
    }
  }
}

/** A stable text key of an answer, for grouping equal answers. */
export function answerKey(value: AnswerValue): string {
  if (Array.isArray(value))
    return `[${(value as readonly AttributeOption[])
      .map((o) => o.featureNodeHash)
      .sort()
      .join(",")}]`;
  if (typeof value === "object") return `option:${(value as AttributeOption).featureNodeHash}`;
  return `${typeof value}:${String(value)}`;
}
