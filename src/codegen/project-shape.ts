/**
 * The data a generated project module holds (the argument of `defineProject`), and the types
 * the typed runners derive from it: which stage references and pathway references compile.
 */
import type { OntologyShape } from "../labels/ontology/typed-ontology.js";

/** An AGENT stage's pathway: its name, its UUID (absent when a spec file gave none) and where it leads. */
export interface PathwayShape {
  readonly name: string;
  readonly uuid?: string;
  /** The title of the stage it leads to. */
  readonly to: string;
}

/** A workflow stage. Only AGENT stages list their pathways; agents move tasks only out of those. */
export interface StageShape {
  readonly title: string;
  /** Absent when the module was generated from a spec file that gave the stage none. */
  readonly uuid?: string;
  readonly type: string;
  readonly pathways?: readonly PathwayShape[];
}

/** Everything a generated module knows about its project. */
export interface ProjectShape {
  readonly title: string;
  /** The project the module was generated from; absent for a spec file. */
  readonly projectHash?: string;
  /** The command that writes this module again, named in drift messages. */
  readonly codegen: string;
  readonly stages: readonly StageShape[];
  readonly ontology: OntologyShape;
}

/** The AGENT stages of a project shape. */
export type AgentStageShape<P extends ProjectShape> = Extract<P["stages"][number], { readonly type: "AGENT" }>;

type RefsOf<T extends { readonly uuid?: string }, Name extends string> = T extends unknown ? Name | (T["uuid"] extends string ? T["uuid"] : never) : never;

/** What `runner.stage()` accepts for this project: an AGENT stage's title or UUID. */
export type AgentStageRef<P extends ProjectShape> = AgentStageShape<P> extends infer S ? (S extends StageShape ? RefsOf<S, S["title"]> : never) : never;

/** A stage's pathway names and UUIDs. */
type PathwayRefsOf<T> = T extends { readonly pathways: readonly (infer W)[] } ? (W extends PathwayShape ? RefsOf<W, W["name"]> : never) : never;

/** Each AGENT stage reference (title or UUID) with the pathway references of its stage. */
type PathwayTable<P extends ProjectShape> = {
  readonly [R in AgentStageRef<P>]: PathwayRefsOf<Extract<AgentStageShape<P>, { readonly title: R } | { readonly uuid: R }>>;
};

/**
 * What a handler of stage `R` may return as its pathway: one of that stage's pathway names or
 * UUIDs. A lookup in a table rather than a conditional type, so that while `R` is still being
 * inferred the compiler already sees string literals here and keeps a handler's "annotate" a
 * literal instead of widening it to string.
 */
export type PathwayRef<P extends ProjectShape, R extends string> = PathwayTable<P>[R & keyof PathwayTable<P>];
