import { LabelError } from "../../domain/errors.js";
import { quoteList } from "../../shared/suggest.js";
import { walkAttributeNodes, type Attribute, type AttributeOption } from "./attribute.js";
import { Classification } from "./classification.js";
import { OntologyObject } from "./ontology-object.js";
import { SkeletonTemplate } from "./skeleton-template.js";
import { resolveOntologyRef, type NodeOfRef, type OntologyRef } from "./typed-ontology.js";
import { optionalArray, requireObject, type JsonObject } from "./wire.js";

/** Anything of an ontology that has a feature node hash. */
export type OntologyNode = OntologyObject | Classification | Attribute | AttributeOption;

/** What `getChildByHash` / `getChildByTitle` may be narrowed to. */
export type OntologyNodeKind = OntologyNode["kind"];
type NodeOfKind<K extends OntologyNodeKind> = Extract<OntologyNode, { kind: K }>;

/**
 * A project's ontology: the objects annotators draw and the classifications they answer, with
 * their attributes. Mirrors the SDK's `OntologyStructure`; `toDict()` gives what its `to_dict()`
 * gives.
 */
export class Ontology {
  readonly #byHash = new Map<string, OntologyNode[]>();

  private constructor(
    readonly objects: readonly OntologyObject[],
    readonly classifications: readonly Classification[],
    readonly skeletonTemplates: readonly SkeletonTemplate[],
  ) {
    for (const node of this.#walk()) {
      const list = this.#byHash.get(node.featureNodeHash);
      if (list === undefined) this.#byHash.set(node.featureNodeHash, [node]);
      else list.push(node);
    }
  }

  /** Reads an ontology structure (`editor` JSON: `objects`, `classifications`, `skeleton_templates`). */
  static fromDict(structure: unknown): Ontology {
    const dict = requireObject(structure, "structure");
    return new Ontology(
      optionalArray(dict, "objects", "structure").map((object, i) => OntologyObject.fromDict(object, `objects[${i}]`)),
      optionalArray(dict, "classifications", "structure").map((classification, i) => Classification.fromDict(classification, `classifications[${i}]`)),
      optionalArray(dict, "skeleton_templates", "structure").map((template, i) => SkeletonTemplate.fromDict(template, `skeleton_templates[${i}]`)),
    );
  }

  toDict(): JsonObject {
    return {
      objects: this.objects.map((object) => object.toDict()),
      classifications: this.classifications.map((classification) => classification.toDict()),
      skeleton_templates: this.skeletonTemplates.map((template) => template.toDict()),
    };
  }

  /**
   * The object, classification, attribute or option with this feature node hash (the first one,
   * depth first, when an ontology reuses a hash). Throws when there is none; pass `kind` to
   * look only at one kind of node.
   */
  getChildByHash<K extends OntologyNodeKind = OntologyNodeKind>(featureNodeHash: string, kind?: K): NodeOfKind<K> {
    const found = this.findChildByHash(featureNodeHash, kind);
    if (found === undefined) {
      throw new LabelError("TA_INVALID_LABEL", `The ontology has no ${kind ?? "node"} with feature node hash ${JSON.stringify(featureNodeHash)}.`);
    }
    return found;
  }

  /** Like {@link getChildByHash}, but `undefined` when there is none. */
  findChildByHash<K extends OntologyNodeKind = OntologyNodeKind>(featureNodeHash: string, kind?: K): NodeOfKind<K> | undefined {
    const candidates = this.#byHash.get(featureNodeHash) ?? [];
    return candidates.find((node): node is NodeOfKind<K> => kind === undefined || node.kind === kind);
  }

  /**
   * The node with this title: an object's name, a classification's (first attribute's) name, an
   * attribute's name or an option's label. Throws when there is none, listing the titles there are.
   */
  getChildByTitle<K extends OntologyNodeKind = OntologyNodeKind>(title: string, kind?: K): NodeOfKind<K> {
    const matches = [...this.#walk()].filter((node): node is NodeOfKind<K> => (kind === undefined || node.kind === kind) && titleOf(node) === title);
    const first = matches[0];
    if (first === undefined) {
      const titles = [...new Set([...this.#walk()].filter((node) => kind === undefined || node.kind === kind).map(titleOf))];
      throw new LabelError("TA_INVALID_LABEL", `The ontology has no ${kind ?? "node"} titled ${JSON.stringify(title)}; it has ${quoteList(titles)}.`);
    }
    return first;
  }

  /**
   * The node a reference of a generated project module names (`project.ontology.objects.Cat`,
   * `…classifications.Size.options.thumbnail`), typed by it: instances it creates accept only
   * the answers their attributes take. The node is this ontology's own, the one
   * {@link getChildByTitle} returns. Throws when the ontology has no such node.
   */
  getChild<R extends OntologyRef>(ref: R): NodeOfRef<R> {
    return resolveOntologyRef(this, ref) as NodeOfRef<R>;
  }

  /** Every node, depth first: objects with their attributes, then classifications with theirs. */
  *#walk(): Generator<OntologyNode> {
    for (const object of this.objects) {
      yield object;
      yield* walkAttributeNodes(object.attributes);
    }
    for (const classification of this.classifications) {
      yield classification;
      yield* walkAttributeNodes(classification.attributes);
    }
  }
}

function titleOf(node: OntologyNode): string {
  switch (node.kind) {
    case "object":
    case "classification":
    case "attribute":
      return node.name;
    case "option":
      return node.label;
  }
}
