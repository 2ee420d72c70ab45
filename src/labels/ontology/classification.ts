import { LabelError } from "../../domain/errors.js";
import { Attribute, findAttributeNode, type AttributeOption } from "./attribute.js";
import { optionalArray, requireObject, requireString, type JsonObject } from "./wire.js";
import { ClassificationInstance } from "../classification-instance.js";

/** Options of {@link Classification.createInstance}. */
export interface CreateClassificationInstanceOptions {
  /** The instance's hash; a fresh random one (as the SDK draws) when omitted. */
  readonly classificationHash?: string;
  /** For audio and text: the instance covers ranges of the media rather than frames. */
  readonly rangeOnly?: boolean;
}

/**
 * A question about a whole frame (or, with level `global`, the whole data item). Its first
 * attribute names it.
 */
export class Classification {
  readonly kind = "classification";
  private constructor(
    readonly id: string,
    readonly featureNodeHash: string,
    /** `"global"` for a classification of the whole item; `null` for frame classifications. */
    readonly level: "global" | null,
    readonly attributes: readonly Attribute[],
  ) {}

  /** The display name: the first attribute's name. */
  get name(): string {
    return this.attributes[0]?.name ?? "";
  }

  get isGlobal(): boolean {
    return this.level === "global";
  }

  static fromDict(input: unknown, path = "classification"): Classification {
    const dict = requireObject(input, path);
    const attributes = optionalArray(dict, "attributes", path).map((attribute, i) => Attribute.fromDict(attribute, `${path}.attributes[${i}]`));
    if (attributes.length === 0) {
      throw new LabelError("TA_INVALID_ONTOLOGY", `Ontology ${path} has no attributes; a classification needs at least one (its first names it).`);
    }
    // The SDK knows one level; anything else (null, unknown strings) means a frame classification.
    const level = dict["level"] === "global" ? "global" : null;
    return new Classification(requireString(dict, "id", path), requireString(dict, "featureNodeHash", path), level, attributes);
  }

  /**
   * The attribute or option with this feature node hash under this classification (first match, depth
   * first); `undefined` when there is none. Ontologies may reuse hashes across items, so look
   * attributes up here rather than in the whole ontology.
   */
  getChildByHash(featureNodeHash: string): Attribute | AttributeOption | undefined {
    return findAttributeNode(this.attributes, (node) => node.featureNodeHash === featureNodeHash);
  }

  /** The attribute with this name under this classification (first match, depth first). */
  getAttributeByName(name: string): Attribute | undefined {
    return findAttributeNode(this.attributes, (node): node is Attribute => node.kind === "attribute" && node.name === name);
  }

  toDict(): JsonObject {
    const dict: JsonObject = { id: this.id, featureNodeHash: this.featureNodeHash };
    if (this.level !== null) dict["level"] = this.level;
    dict["attributes"] = this.attributes.map((attribute) => attribute.toDict());
    return dict;
  }

  /** A new instance of this classification; give it frames with `setForFrames` (not for global ones). */
  createInstance(options: CreateClassificationInstanceOptions = {}): ClassificationInstance {
    return new ClassificationInstance(this, options);
  }
}
