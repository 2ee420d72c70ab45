import { LabelError } from "../../domain/errors.js";
import { Attribute, findAttributeNode, type AttributeOption } from "./attribute.js";
import { OBJECT_SHAPES, type ObjectShape } from "./shapes.js";
import { describe, lowerSnake, optionalArray, optionalBoolean, requireObject, requireString, type JsonObject } from "./wire.js";
import { ObjectInstance } from "../object-instance.js";

/** Options of {@link OntologyObject.createInstance}. */
export interface CreateObjectInstanceOptions {
  /** The instance's hash; a fresh random one (as the SDK draws) when omitted. */
  readonly objectHash?: string;
}

/** A kind of object annotators draw (a box, a polygon, …) with its attributes. */
export class OntologyObject {
  readonly kind = "object";
  private constructor(
    readonly id: string,
    readonly name: string,
    readonly color: string,
    readonly shape: ObjectShape,
    readonly featureNodeHash: string,
    readonly required: boolean,
    readonly archived: boolean,
    readonly attributes: readonly Attribute[],
  ) {}

  /** Lower-snake form of the name, as written into label JSON. */
  get value(): string {
    return lowerSnake(this.name);
  }

  static fromDict(input: unknown, path: string): OntologyObject {
    const dict = requireObject(input, path);
    const shape = dict["shape"];
    if (typeof shape !== "string" || !(OBJECT_SHAPES as readonly string[]).includes(shape)) {
      throw new LabelError("TA_INVALID_ONTOLOGY", `Ontology ${path}.shape is ${describe(shape)}; accepted shapes: ${OBJECT_SHAPES.join(", ")}.`);
    }
    return new OntologyObject(
      requireString(dict, "id", path),
      requireString(dict, "name", path),
      requireString(dict, "color", path),
      shape as ObjectShape,
      requireString(dict, "featureNodeHash", path),
      optionalBoolean(dict, "required", path),
      optionalBoolean(dict, "archived", path),
      optionalArray(dict, "attributes", path).map((attribute, i) => Attribute.fromDict(attribute, `${path}.attributes[${i}]`)),
    );
  }

  /**
   * The attribute or option with this feature node hash under this object (first match, depth
   * first); `undefined` when there is none. Ontologies may reuse hashes across items, so look
   * attributes up here rather than in the whole ontology.
   */
  getChildByHash(featureNodeHash: string): Attribute | AttributeOption | undefined {
    return findAttributeNode(this.attributes, (node) => node.featureNodeHash === featureNodeHash);
  }

  /** The attribute with this name under this object (first match, depth first). */
  getAttributeByName(name: string): Attribute | undefined {
    return findAttributeNode(this.attributes, (node): node is Attribute => node.kind === "attribute" && node.name === name);
  }

  toDict(): JsonObject {
    const dict: JsonObject = {
      id: this.id,
      name: this.name,
      color: this.color,
      shape: this.shape,
      featureNodeHash: this.featureNodeHash,
      required: this.required,
      archived: this.archived,
    };
    if (this.attributes.length > 0) dict["attributes"] = this.attributes.map((attribute) => attribute.toDict());
    return dict;
  }

  /** A new, empty instance of this object; give it coordinates with `setForFrames`. */
  createInstance(options: CreateObjectInstanceOptions = {}): ObjectInstance {
    return new ObjectInstance(this, options);
  }
}
