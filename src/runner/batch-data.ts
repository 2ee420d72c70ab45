import type { Backend } from "../backends/backend.js";
import type { LabelRowJson, LabelRowMetadataJson } from "../domain/label-row-json.js";
import type { StorageItem } from "../domain/storage-item.js";
import type { AgentTask } from "../domain/task.js";
import type { Project } from "../domain/workflow.js";

/**
 * What a batch fetches in bulk for the dependencies that declare it (`Dependency.prefetch`).
 * `labelRow` is also a capability: a stage whose dependencies read the task's label row may
 * decide the task's priority without `willSetPriority`, as the row it returns carries it.
 */
export type PrefetchKind = "labelRowMetadata" | "labelRow" | "storageItem";

/** What a {@link BatchLoader} gets: the batch's tasks and what was already fetched for them. */
export interface BatchLoadInput {
  readonly backend: Backend;
  readonly project: Project;
  readonly tasks: readonly AgentTask[];
  /** Label-row metadata of the batch by data hash, when a dependency asked for it. */
  readonly metadataByDataHash: ReadonlyMap<string, LabelRowMetadataJson>;
}

/**
 * Fetches, once per batch, what one dependency needs for every task of the batch (the twin
 * project's label rows, say), so a batch of 100 tasks costs a few calls, not 100.
 */
export interface BatchLoader<V = unknown> {
  /** A name for error messages. */
  readonly label: string;
  /** Values by task UUID; tasks without a value are left out. */
  load(input: BatchLoadInput): Promise<ReadonlyMap<string, V>>;
}

/** Per-task data a batch fetched in bulk, handed to each dependency's `resolve`. */
export interface PrefetchedTaskData {
  /** The backend the batch came from, for dependencies that fetch more (image-group frames). */
  readonly backend: Backend;
  readonly metadata?: LabelRowMetadataJson;
  readonly labelRow?: LabelRowJson;
  readonly storageItem?: StorageItem;
  /** What each batch loader loaded for this task; read it with {@link loadedBy}. */
  readonly loaded?: ReadonlyMap<BatchLoader, unknown>;
}

/** What `loader` loaded for the task, if anything. */
export function loadedBy<V>(data: PrefetchedTaskData, loader: BatchLoader<V>): V | undefined {
  // The map is keyed by the loader whose load() produced each value (prefetch.ts), so it is a V.
  return data.loaded?.get(loader) as V | undefined;
}
