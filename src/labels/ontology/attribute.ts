import { LabelError } from "../../domain/errors.js";
import { describe, lowerSnake, optionalArray, optionalBoolean, requireObject, requireString, type JsonObject } from "./wire.js";

export const ATTRIBUTE_TYPES = ["radio", "checklist", "text", "numeric"] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/**
 * One question of an object or classification. Radio and checklist attributes have options;
 * a radio option can hold further attributes (asked once that option is chosen).
 */
export class Attribute {
  readonly kind = "attribute";
  private constructor(
    readonly id: string,
    readonly name: string,
    readonly type: AttributeType,
    readonly featureNodeHash: string,
    readonly required: boolean,
    readonly dynamic: boolean,
    readonly archived: boolean,
    readonly options: readonly AttributeOption[],
  ) {}

  /** Lower-snake form of the name, as written into label JSON. */
  get value(): string {
    return lowerSnake(this.name);
  }

  static fromDict(input: unknown, path: string): Attribute {
    const dict = requireObject(input, path);
    const type = dict["type"];
    if (typeof type !== "string" || !(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
      throw new LabelError("TA_INVALID_ONTOLOGY", `Ontology ${path}.type is ${describe(type)}; accepted attribute types: ${ATTRIBUTE_TYPES.join(", ")}.`);
    }
    const attributeType = type as AttributeType;
    const options =
      attributeType === "radio" || attributeType === "checklist"
        ? optionalArray(dict, "options", path).map((option, i) => AttributeOption.fromDict(option, `${path}.options[${i}]`, attributeType))
        : [];
    return new Attribute(
      requireString(dict, "id", path),
      requireString(dict, "name", path),
      attributeType,
      requireString(dict, "featureNodeHash", path),
      optionalBoolean(dict, "required", path),
      optionalBoolean(dict, "dynamic", path),
      optionalBoolean(dict, "archived", path),
      options,
    );
  }

  toDict(): JsonObject {
    const dict: JsonObject = {
      id: this.id,
      name: this.name,
      type: this.type,
      featureNodeHash: this.featureNodeHash,
      required: this.required,
      archived: this.archived,
      dynamic: this.dynamic,
    };
    if (this.options.length > 0) dict["options"] = this.options.map((option) => option.toDict());
    return dict;
  }

  /** The option with this feature node hash among this attribute's own options. */
  getOption(featureNodeHash: string): AttributeOption | undefined {
    return this.options.find((option) => option.featureNodeHash === featureNodeHash);
  }
}

/** A choice of a radio or checklist attribute. */
export class AttributeOption {
  readonly kind = "option";
  private constructor(
    readonly id: string,
    readonly label: string,
    readonly value: string,
    readonly featureNodeHash: string,
    readonly archived: boolean,
    /** Nested attributes; only radio options have them. */
    readonly attributes: readonly Attribute[],
  ) {}

  static fromDict(input: unknown, path: string, parentType: AttributeType): AttributeOption {
    const dict = requireObject(input, path);
    // The wire calls the nested attributes `options`; checklist options never have any.
    const nested = parentType === "radio" ? optionalArray(dict, "options", path).map((a, i) => Attribute.fromDict(a, `${path}.options[${i}]`)) : [];
    return new AttributeOption(
      requireString(dict, "id", path),
      requireString(dict, "label", path),
      requireString(dict, "value", path),
      requireString(dict, "featureNodeHash", path),
      optionalBoolean(dict, "archived", path),
      nested,
    );
  }

  toDict(): JsonObject {
    const dict: JsonObject = { id: this.id, label: this.label, value: this.value, featureNodeHash: this.featureNodeHash, archived: this.archived };
    if (this.attributes.length > 0) dict["options"] = this.attributes.map((attribute) => attribute.toDict());
    return dict;
  }
}

/** Every attribute under these, depth first: each attribute, then those nested in its options. */
export function* walkAttributes(attributes: readonly Attribute[]): Generator<Attribute> {
  for (const attribute of attributes) {
    yield attribute;
    for (const option of attribute.options) yield* walkAttributes(option.attributes);
  }
}

/** Every attribute and option under these, depth first. */
export function* walkAttributeNodes(attributes: readonly Attribute[]): Generator<Attribute | AttributeOption> {
  for (const attribute of attributes) {
    yield attribute;
    for (const option of attribute.options) {
      yield option;
      yield* walkAttributeNodes(option.attributes);
    }
  }
}

/** The first attribute or option under these, depth first, that `matches`. */
export function findAttributeNode<T extends Attribute | AttributeOption>(
  attributes: readonly Attribute[],
  matches: ((node: Attribute | AttributeOption) => node is T) | ((node: Attribute | AttributeOption) => boolean),
): T | undefined {
  for (const node of walkAttributeNodes(attributes)) if (matches(node)) return node as T;
  return undefined;
}
