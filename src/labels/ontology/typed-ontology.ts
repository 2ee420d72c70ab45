/**
 * Typed access to an ontology whose shape is known at compile time (a module written by
 * `task-agents codegen`): the shape as data, references built from it, and the types that make
 * the runtime nodes and instances answer only what their attributes accept.
 *
 * Types key on feature node hashes: a generated module holds them as literal types, so an
 * option of another attribute has another hash and does not compile where this one is wanted.
 */
import { LabelError } from "../../domain/errors.js";
import type { ClassificationInstance, ClassificationSetAnswerOptions } from "../classification-instance.js";
import type { ObjectInstance, ObjectSetAnswerOptions } from "../object-instance.js";
import type { Attribute, AttributeOption, AttributeType } from "./attribute.js";
import type { Classification, CreateClassificationInstanceOptions } from "./classification.js";
import type { CreateObjectInstanceOptions, OntologyObject } from "./ontology-object.js";
import type { Ontology } from "./ontology.js";

// ---- The shape, as a generated module writes it ----------------------------------------------

/** A radio or checklist option: its label and hash, and (radio) the attributes asked once it is chosen. */
export interface OptionShape {
  readonly title: string;
  readonly featureNodeHash: string;
  readonly attributes?: { readonly [key: string]: AttributeShape };
}

/** An attribute (a question): its name, hash, type and, for radio and checklist, its options. */
export interface AttributeShape {
  readonly title: string;
  readonly featureNodeHash: string;
  readonly type: AttributeType;
  readonly options?: { readonly [key: string]: OptionShape };
}

/** An ontology object: its name, hash, shape and attributes. */
export interface OntologyObjectShape {
  readonly title: string;
  readonly featureNodeHash: string;
  readonly shape: string;
  readonly attributes: { readonly [key: string]: AttributeShape };
}

/** A classification: its hash, its attributes and the key of the first one, which names it. */
export interface ClassificationShape {
  readonly title: string;
  readonly featureNodeHash: string;
  readonly firstAttribute: string;
  readonly attributes: { readonly [key: string]: AttributeShape };
}

/** An ontology's objects and classifications, keyed by (unique) title. */
export interface OntologyShape {
  readonly objects: { readonly [key: string]: OntologyObjectShape };
  readonly classifications: { readonly [key: string]: ClassificationShape };
}

// ---- References: what `project.ontology` holds -----------------------------------------------

type Values<T> = T extends undefined ? never : T[keyof T];

/** What every reference to an ontology node holds: its shape (for inference), kind, title, hash and path. */
interface NodeRef<S extends { readonly title: string; readonly featureNodeHash: string }, K extends string> {
  /** Never set: the shape behind this reference, so the compiler can infer it from any copy of these types. */
  readonly "~shape"?: S;
  readonly kind: K;
  readonly title: S["title"];
  readonly featureNodeHash: S["featureNodeHash"];
  /** Feature node hashes from the object or classification down to this node. */
  readonly path: readonly string[];
}

/** A reference to an option; pass it as an answer, or to `ontology.getChild()` for the node. */
export interface OptionRef<O extends OptionShape = OptionShape> extends NodeRef<O, "option"> {
  readonly attributes: { readonly [K in keyof NonNullable<O["attributes"]>]: AttributeRef<NonNullable<O["attributes"]>[K]> };
}

/** A reference to an attribute; pass it as `{ attribute }`, or to `ontology.getChild()`. */
export interface AttributeRef<A extends AttributeShape = AttributeShape> extends NodeRef<A, "attribute"> {
  readonly type: A["type"];
  readonly options: { readonly [K in keyof NonNullable<A["options"]>]: OptionRef<NonNullable<A["options"]>[K]> };
}

/** A reference to an ontology object; `ontology.getChild(ref)` gives the node that creates instances. */
export interface ObjectRef<O extends OntologyObjectShape = OntologyObjectShape> extends NodeRef<O, "object"> {
  readonly shape: O["shape"];
  readonly attributes: { readonly [K in keyof O["attributes"]]: AttributeRef<O["attributes"][K]> };
}

/**
 * A reference to a classification. `options` and `type` are those of its first attribute (the
 * question that names it), so `classifications.Size.options.thumbnail` reads as it is asked.
 */
export interface ClassificationRef<C extends ClassificationShape = ClassificationShape> extends NodeRef<C, "classification"> {
  readonly attributes: { readonly [K in keyof C["attributes"]]: AttributeRef<C["attributes"][K]> };
  readonly type: C["attributes"][C["firstAttribute"]]["type"];
  readonly options: AttributeRef<C["attributes"][C["firstAttribute"]]>["options"];
}

/** The typed tree of an ontology: `objects.Cat`, `classifications.Size.options.thumbnail`, … */
export interface OntologyRefs<S extends OntologyShape = OntologyShape> {
  readonly objects: { readonly [K in keyof S["objects"]]: ObjectRef<S["objects"][K]> };
  readonly classifications: { readonly [K in keyof S["classifications"]]: ClassificationRef<S["classifications"][K]> };
}

/** Any reference `ontology.getChild()` takes. */
export type OntologyRef = ObjectRef | ClassificationRef | AttributeRef | OptionRef;

// ---- Typed runtime nodes and instances -------------------------------------------------------

/**
 * Every attribute under these attribute shapes, nested ones (under radio options) included, down
 * to a fixed depth: the shape type is recursive, and an unbounded walk never ends for it.
 */
type AllAttributes<M, Depth extends unknown[] = []> = Depth["length"] extends 6
  ? never
  : M extends { readonly [key: string]: AttributeShape }
    ? { [K in keyof M]: M[K] | NestedAttributes<M[K], Depth> }[keyof M]
    : never;
/** The attributes under an attribute's options (radio options may hold further questions). */
type NestedAttributes<A, Depth extends unknown[]> = A extends { readonly options: infer O }
  ? { [K in keyof O]: O[K] extends { readonly attributes: infer N } ? AllAttributes<N, [...Depth, unknown]> : never }[keyof O]
  : never;

type OptionHashes<A extends AttributeShape> = Values<A["options"]>["featureNodeHash"];

/** A runtime option known to be one of these. */
export type TypedOption<H extends string = string> = AttributeOption & { readonly featureNodeHash: H };
/** A runtime attribute of this shape. */
export type TypedAttribute<A extends AttributeShape = AttributeShape> = Attribute & {
  readonly featureNodeHash: A["featureNodeHash"];
  readonly type: A["type"];
};

/**
 * An attribute's answer: radio → one of its options, checklist → a list of them, text → a
 * string, numeric → a number. Options are runtime nodes (`ontology.getChild(ref)`), as answers
 * read back from a label row are.
 */
export type AnswerOf<A extends AttributeShape> = A extends unknown
  ? A["type"] extends "radio"
    ? TypedOption<OptionHashes<A>>
    : A["type"] extends "checklist"
      ? readonly TypedOption<OptionHashes<A>>[]
      : A["type"] extends "text"
        ? string
        : number
  : never;

type AttributeByHash<M, H> = Extract<AllAttributes<M>, { readonly featureNodeHash: H }>;
type AttributeHashes<M> = AllAttributes<M>["featureNodeHash"];

/** An object instance whose answers are typed by its ontology object's attributes. */
export interface TypedObjectInstance<O extends OntologyObjectShape = OntologyObjectShape> extends ObjectInstance {
  setAnswer<H extends AttributeHashes<O["attributes"]>>(
    answer: NoInfer<AnswerOf<AttributeByHash<O["attributes"], H>>>,
    options: Omit<ObjectSetAnswerOptions, "attribute"> & { readonly attribute: Attribute & { readonly featureNodeHash: H } },
  ): void;
  getAnswer<H extends AttributeHashes<O["attributes"]>>(
    attribute: Attribute & { readonly featureNodeHash: H },
    options?: { frame?: number },
  ): AnswerOf<AttributeByHash<O["attributes"], H>> | undefined;
}

type FirstAttribute<C extends ClassificationShape> = C["attributes"][C["firstAttribute"]];

/** A classification instance whose answers are typed by its classification's attributes. */
export interface TypedClassificationInstance<C extends ClassificationShape = ClassificationShape> extends ClassificationInstance {
  /** Answers the first attribute (the question that names the classification), or the attribute given. */
  setAnswer<H extends AttributeHashes<C["attributes"]> = FirstAttribute<C>["featureNodeHash"]>(
    answer: NoInfer<AnswerOf<AttributeByHash<C["attributes"], H>>>,
    options?: Omit<ClassificationSetAnswerOptions, "attribute"> & { readonly attribute?: Attribute & { readonly featureNodeHash: H } },
  ): void;
  getAnswer<H extends AttributeHashes<C["attributes"]> = FirstAttribute<C>["featureNodeHash"]>(
    attribute?: Attribute & { readonly featureNodeHash: H },
  ): AnswerOf<AttributeByHash<C["attributes"], H>> | undefined;
}

/** A runtime ontology object whose instances are typed. */
export interface TypedOntologyObject<O extends OntologyObjectShape = OntologyObjectShape> extends OntologyObject {
  readonly featureNodeHash: O["featureNodeHash"];
  createInstance(options?: CreateObjectInstanceOptions): TypedObjectInstance<O>;
}

/** A runtime classification whose instances are typed. */
export interface TypedClassification<C extends ClassificationShape = ClassificationShape> extends Classification {
  readonly featureNodeHash: C["featureNodeHash"];
  createInstance(options?: CreateClassificationInstanceOptions): TypedClassificationInstance<C>;
}

/** The runtime node a reference resolves to. */
export type NodeOfRef<R extends OntologyRef> =
  R extends ObjectRef<infer O>
    ? TypedOntologyObject<O>
    : R extends ClassificationRef<infer C>
      ? TypedClassification<C>
      : R extends AttributeRef<infer A>
        ? TypedAttribute<A>
        : R extends OptionRef<infer P>
          ? TypedOption<P["featureNodeHash"]>
          : never;

// ---- Building references and resolving them ------------------------------------------------

function attributeRefs(attributes: { readonly [key: string]: AttributeShape } | undefined, path: readonly string[]): Record<string, AttributeRef> {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([key, shape]) => [key, attributeRef(shape, path)]));
}

function attributeRef(shape: AttributeShape, parent: readonly string[]): AttributeRef {
  const path = [...parent, shape.featureNodeHash];
  const options = Object.fromEntries(
    Object.entries(shape.options ?? {}).map(([key, option]) => {
      const optionPath = [...path, option.featureNodeHash];
      const ref: OptionRef = Object.freeze({
        kind: "option",
        title: option.title,
        featureNodeHash: option.featureNodeHash,
        attributes: attributeRefs(option.attributes, optionPath),
        path: optionPath,
      });
      return [key, ref];
    }),
  );
  return Object.freeze({
    kind: "attribute",
    title: shape.title,
    featureNodeHash: shape.featureNodeHash,
    type: shape.type,
    options: Object.freeze(options),
    path,
  });
}

/** The reference tree of an ontology shape (frozen plain data). */
export function ontologyRefs<S extends OntologyShape>(shape: S): OntologyRefs<S> {
  const objects = Object.fromEntries(
    Object.entries(shape.objects).map(([key, object]) => {
      const path = [object.featureNodeHash];
      const ref: ObjectRef = Object.freeze({
        kind: "object",
        title: object.title,
        featureNodeHash: object.featureNodeHash,
        shape: object.shape,
        attributes: Object.freeze(attributeRefs(object.attributes, path)),
        path,
      });
      return [key, ref];
    }),
  );
  const classifications = Object.fromEntries(
    Object.entries(shape.classifications).map(([key, classification]) => {
      const path = [classification.featureNodeHash];
      const attributes = Object.freeze(attributeRefs(classification.attributes, path));
      const first = attributes[classification.firstAttribute];
      const ref: ClassificationRef = Object.freeze({
        kind: "classification",
        title: classification.title,
        featureNodeHash: classification.featureNodeHash,
        attributes,
        type: first?.type ?? "text",
        options: first?.options ?? {},
        path,
      });
      return [key, ref];
    }),
  );
  return Object.freeze({ objects: Object.freeze(objects), classifications: Object.freeze(classifications) }) as unknown as OntologyRefs<S>;
}

function missing(ref: OntologyRef, detail: string): LabelError {
  return new LabelError(
    "TA_INVALID_LABEL",
    `The ontology has no ${ref.kind} ${JSON.stringify(ref.title)} (feature node ` +
      `hash ${JSON.stringify(ref.featureNodeHash)}): ${detail}. The generated ` +
      `project module is out of date; rerun \`task-agents codegen\` for this project.`,
  );
}

/**
 * The node of `ontology` a reference names: found by the feature node hashes on its path, so an
 * attribute hash an ontology reuses under several objects finds the one under the right object.
 */
export function resolveOntologyRef(ontology: Ontology, ref: OntologyRef): OntologyObject | Classification | Attribute | AttributeOption {
  const [topHash, ...rest] = ref.path;
  const top =
    ref.path[0] === undefined
      ? undefined
      : (ontology.objects.find((o) => o.featureNodeHash === topHash) ?? ontology.classifications.find((c) => c.featureNodeHash === topHash));
  if (top === undefined) return fail(ref, `no object or classification has hash ${JSON.stringify(topHash)}`);
  let node: OntologyObject | Classification | Attribute | AttributeOption = top;
  for (const hash of rest) {
    const children: readonly (Attribute | AttributeOption)[] = node.kind === "attribute" ? node.options : node.attributes;
    const next = children.find((child) => child.featureNodeHash === hash);
    if (next === undefined)
      return fail(ref, `${node.kind} ${JSON.stringify(node.kind === "option" ? node.label : node.name)} has no child with hash ${JSON.stringify(hash)}`);
    node = next;
  }
  if (node.kind !== ref.kind)
    return fail(ref, `hash ${JSON.stringify(ref.featureNodeHash)} names ${node.kind === "attribute" ? "an" : "a"} ${node.kind} there`);
  return node;
}

function fail(ref: OntologyRef, detail: string): never {
  throw missing(ref, detail);
}
