import { cloneJson } from "../clone-json.js";
import { LabelError } from "../../domain/errors.js";
import { walkAttributes, type Attribute } from "../ontology/attribute.js";
import { isJsonObject, type JsonObject } from "../ontology/wire.js";
import { answerFromWire, answerToWire, checkAnswer, type AnswerValue } from "./answer-codec.js";
import { resolveAttribute, type AttributeOwner } from "./attribute-lookup.js";

interface StoredAnswer {
  value: AnswerValue;
  manualAnnotation: boolean;
  /** Keys of the wire entry the model does not read; written back as they came. */
  extra?: JsonObject;
}

const KNOWN_ANSWER_KEYS = new Set(["name", "value", "answers", "featureHash", "manualAnnotation"]);

/**
 * The answers of an instance's static attributes (one answer per attribute for the whole
 * instance). Entries the ontology cannot read are kept as they came and written back unchanged.
 */
export class StaticAnswers {
  readonly #owner: AttributeOwner;
  readonly #answers = new Map<Attribute, StoredAnswer>();
  readonly #unread: JsonObject[] = [];

  constructor(owner: AttributeOwner) {
    this.#owner = owner;
  }

  /** The owner's static attribute meant by `attribute`; dynamic ones are refused. */
  attribute(attribute: Attribute | string): Attribute {
    const own = resolveAttribute(this.#owner, attribute);
    if (own.dynamic && this.#owner.kind === "object") {
      throw new LabelError("TA_INVALID_LABEL", `Attribute "${own.name}" is dynamic; its answers belong to frames (pass frames).`);
    }
    return own;
  }

  get(attribute: Attribute): AnswerValue | undefined {
    return this.#answers.get(attribute)?.value;
  }

  has(attribute: Attribute): boolean {
    return this.#answers.has(attribute);
  }

  set(attribute: Attribute, answer: unknown, options: { overwrite: boolean; manualAnnotation: boolean }): void {
    const value = checkAnswer(attribute, answer);
    if (this.#answers.has(attribute) && !options.overwrite) {
      throw new LabelError("TA_INVALID_LABEL", `Attribute "${attribute.name}" is already answered; pass overwrite: true to replace the answer.`);
    }
    this.#answers.set(attribute, { value, manualAnnotation: options.manualAnnotation });
  }

  delete(attribute: Attribute): void {
    this.#answers.delete(attribute);
  }

  /** Reads a wire answer list (`object_answers[h].classifications` or `classification_answers[h].classifications`). */
  readWire(entries: unknown): void {
    if (!Array.isArray(entries)) return;
    const all = [...walkAttributes(this.#owner.attributes)];
    for (const entry of entries as unknown[]) {
      if (!isJsonObject(entry)) continue;
      const attribute = all.find((candidate) => candidate.featureNodeHash === entry["featureHash"]);
      const value = attribute === undefined ? null : answerFromWire(attribute, entry["answers"]);
      if (attribute === undefined || value === null) {
        this.#unread.push(cloneJson(entry));
        continue;
      }
      if (value === undefined) continue;
      const manualAnnotation = entry["manualAnnotation"] !== false;
      const earlier = this.#answers.get(attribute);
      // The web app writes a checklist as one entry per checked option; they add up.
      if (earlier !== undefined && attribute.type === "checklist") {
        const merged = [...(earlier.value as readonly AnswerValue[]), ...(value as readonly AnswerValue[])];
        earlier.value = [...new Set(merged)] as AnswerValue;
      } else {
        const extra = Object.fromEntries(Object.entries(entry).filter(([key]) => !KNOWN_ANSWER_KEYS.has(key)));
        this.#answers.set(attribute, { value, manualAnnotation, extra: cloneJson(extra) });
      }
    }
  }

  /** The wire answer list, in the SDK's order: answered attributes in reverse depth-first order. */
  toWire(): JsonObject[] {
    const out: JsonObject[] = [];
    for (const attribute of [...walkAttributes(this.#owner.attributes)].reverse()) {
      const stored = this.#answers.get(attribute);
      if (stored === undefined) continue;
      out.push({
        name: attribute.name,
        value: attribute.value,
        answers: answerToWire(attribute, stored.value),
        featureHash: attribute.featureNodeHash,
        manualAnnotation: stored.manualAnnotation,
        ...cloneJson(stored.extra ?? {}),
      });
    }
    return [...out, ...this.#unread.map((entry) => cloneJson(entry))];
  }

  /** Answered attributes with their answers, depth first. */
  entries(): [Attribute, AnswerValue][] {
    return [...walkAttributes(this.#owner.attributes)].flatMap((attribute) => {
      const stored = this.#answers.get(attribute);
      return stored === undefined ? [] : [[attribute, stored.value] as [Attribute, AnswerValue]];
    });
  }

  copyFrom(other: StaticAnswers): void {
    for (const [attribute, stored] of other.#answers) this.#answers.set(attribute, { ...stored });
  }
}
