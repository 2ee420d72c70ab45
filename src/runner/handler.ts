import type { DependencyMap, ResolvedDependencies, TaskContext } from "../deps/define-dependency.js";
import type { InitialiseLabelsArgs } from "../backends/backend.js";
import type { LabelRowMetadataIncludeArgs } from "../domain/label-row-json.js";
import type { LabelRow } from "../labels/label-row.js";

/** What a handler gets: the task context plus one property per declared dependency. */
export type HandlerContext<D extends DependencyMap = Record<never, never>> = TaskContext & ResolvedDependencies<D>;

/**
 * A handler's full answer: move along `pathway`, save `labelRow`, set the task's priority.
 * `W` is what the pathway may be: any string, or with a generated project the stage's own
 * pathway names and UUIDs.
 */
export interface HandlerDecision<W extends string = string> {
  /** Pathway name or UUID; absent or null leaves the task in the stage. */
  readonly pathway?: W | null;
  /** Saved in the batch's commit (with its priority, if `setPriority` was called). */
  readonly labelRow?: LabelRow | null;
  /** 0..1; 0 is a real priority. Needs the `labelRow` dependency or `willSetPriority`. */
  readonly labelRowPriority?: number | null;
}

/** A pathway name or UUID, nothing (the task stays), or a {@link HandlerDecision}. */
export type HandlerResult<W extends string = string> = W | null | undefined | void | HandlerDecision<W>;

/** The code that acts on each task of a stage; `W`: the pathways it may return (see {@link HandlerDecision}). */
export type StageHandler<D extends DependencyMap = Record<never, never>, W extends string = string> = (
  context: HandlerContext<D>,
) => HandlerResult<W> | Promise<HandlerResult<W>>;

/** Options of `runner.stage()`; `W`: the stage's pathways (see {@link HandlerDecision}). */
export interface StageOptions<D extends DependencyMap = Record<never, never>, W extends string = string> {
  /** Dependencies to resolve for each task, passed to the handler under the same names. */
  readonly deps?: D;
  /** Passed to the label-row metadata listing (e.g. `includeClientMetadata`). */
  readonly labelRowMetadataIncludeArgs?: LabelRowMetadataIncludeArgs;
  /** Passed to label-row initialisation on Encord. */
  readonly labelRowInitialiseLabelsArgs?: InitialiseLabelsArgs;
  /** Replace a handler already registered for this stage (keeping its place in the order). @defaultValue false */
  readonly overwrite?: boolean;
  /** The handler returns `labelRowPriority` without a `labelRow` dependency. @defaultValue false */
  readonly willSetPriority?: boolean;
  /**
   * A pathway (name or UUID) of the stage to move a task along once its last attempt failed;
   * the move is committed with the batch and the error recorded with it where the backend keeps
   * a history. Without it, such a task stays in the stage and later passes of the same Runner
   * skip it (see `retryFailedAfter`). @defaultValue none
   */
  readonly onFailure?: W;
}
