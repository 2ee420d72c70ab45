import { ConfigurationError } from "../domain/errors.js";
import { ontologyRefs, type OntologyRefs } from "../labels/ontology/typed-ontology.js";
import type { AgentStageRef, PathwayRef, ProjectShape } from "./project-shape.js";

/**
 * A project known at compile time, as a module written by `task-agents codegen` exports it.
 * Give it to `new Runner({ project })` or `new QueueRunner({ project })` to have stage titles
 * and pathways checked by the compiler, and use `ontology` with `labelRow.ontology.getChild()`.
 */
export interface TypedProject<P extends ProjectShape = ProjectShape> {
  /** A string, not a symbol, so that the types of two copies of task-agents (src and dist) agree. */
  readonly kind: "typed-project";
  /** The data the module holds: workflow, ontology, the command that regenerates it. */
  readonly shape: P;
  readonly title: P["title"];
  /** The project the module was generated from; undefined when it came from a spec file. */
  readonly projectHash: P["projectHash"];
  /** References to the ontology's nodes: `ontology.objects.Cat`, `ontology.classifications.Size.options.thumbnail`. */
  readonly ontology: OntologyRefs<P["ontology"]>;
}

/** The `project` option of the runners: a generated project makes them typed. */
export interface TypedProjectOption<P extends ProjectShape | undefined> {
  /** A generated project module's default export (`task-agents codegen`); checked against the live project before a run. */
  readonly project?: P extends ProjectShape ? TypedProject<P> : undefined;
}

/**
 * Whether `P` names its stages at compile time: not `any` (an untyped runner's default) and not
 * a shape built at run time, whose stage types are just `string`.
 */
type IsLiteralShape<P> = 0 extends 1 & P ? false : P extends ProjectShape ? (string extends P["stages"][number]["type"] ? false : true) : false;

/** What `stage()` accepts: with a typed project its AGENT stages' titles and UUIDs, else any string. */
export type StageRefOf<P extends ProjectShape | undefined> = IsLiteralShape<P> extends true ? (P extends ProjectShape ? AgentStageRef<P> : string) : string;
/** What a handler of stage `S` may return as its pathway: with a typed project that stage's pathways, else any string. */
export type PathwayOf<P extends ProjectShape | undefined, S extends string> =
  IsLiteralShape<P> extends true ? (P extends ProjectShape ? PathwayRef<P, S> : string) : string;

/** True for a value `defineProject` made (in any copy of the package). */
export function isTypedProject(value: unknown): value is TypedProject {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "typed-project" &&
    typeof (value as { shape?: unknown }).shape === "object"
  );
}

/**
 * Wraps the data of a generated project module. Written by `task-agents codegen`; a module by
 * hand works too, as long as it says what the project is (it is checked before every run).
 */
export function defineProject<const P extends ProjectShape>(shape: P): TypedProject<P> {
  if (typeof shape !== "object" || shape === null || !Array.isArray(shape.stages) || typeof shape.ontology !== "object" || shape.ontology === null) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      "defineProject() needs the data of a generated project module: { title, codegen, stages, ontology }; write it with `task-agents codegen`.",
    );
  }
  return Object.freeze({
    kind: "typed-project" as const,
    shape,
    title: shape.title,
    projectHash: shape.projectHash,
    ontology: ontologyRefs(shape.ontology),
  });
}
