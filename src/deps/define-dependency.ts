import type { Logger } from "pino";
import type { Backend } from "../backends/backend.js";
import { ConfigurationError } from "../domain/errors.js";
import type { LabelRowJson, LabelRowMetadataJson } from "../domain/label-row-json.js";
import type { StorageItem } from "../domain/storage-item.js";
import type { AgentTask } from "../domain/task.js";
import type { AgentStage, Project } from "../domain/workflow.js";

/** What every handler and dependency sees of the task being processed. */
export interface TaskContext {
  readonly task: AgentTask;
  readonly stage: AgentStage;
  readonly project: Project;
  /** Aborted when the run gives up on this task (shutdown past its grace period). */
  readonly signal: AbortSignal;
  /** Logs with the stage and task UUID attached. */
  readonly logger: Logger;
}

/** Names the task context already uses, so no dependency may take them. */
export const contextNames: ReadonlySet<string> = new Set(["task", "stage", "project", "signal", "logger"]);

/** What a batch fetches in bulk for the dependencies that ask for it. */
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
 * Fetches, once per batch, what one built-in dependency needs for every task of the batch (the
 * twin project's label rows, say), so a batch of 100 tasks costs a few calls, not 100.
 */
export interface BatchLoader {
  /** A name for error messages. */
  readonly label: string;
  /** Values by task UUID; tasks without a value are left out. */
  load(input: BatchLoadInput): Promise<ReadonlyMap<string, unknown>>;
}

/** Per-task data a batch fetched in bulk; only built-in dependencies read it. */
export interface PrefetchedTaskData {
  readonly metadata?: LabelRowMetadataJson;
  readonly labelRow?: LabelRowJson;
  readonly storageItem?: StorageItem;
  /** What each batch loader loaded for this task. */
  readonly loaded?: ReadonlyMap<BatchLoader, unknown>;
  /** The backend the batch came from, for built-ins that fetch more (image-group frames). */
  readonly backend?: Backend;
}

/** Where built-in dependencies find their task's prefetched data on the context. */
export const prefetchedKey: unique symbol = Symbol("task-agents.prefetched");

const dependencyBrand = Symbol.for("task-agents.dependency");

/**
 * A value computed once per task attempt and handed to the handler under the name it was
 * declared with. Make one with {@link defineDependency}.
 */
export interface Dependency<T> {
  readonly [dependencyBrand]: true;
  /** Dependencies this one needs, resolved first and passed to `resolve` by name. */
  readonly deps: DependencyMap;
  /** Bulk data the batch must fetch for this dependency (built-ins only). */
  readonly prefetch: readonly PrefetchKind[];
  /** Loaders run once per batch for this dependency (built-ins only). */
  readonly batchLoaders: readonly BatchLoader[];
  /** A name for error messages. */
  readonly label: string;
  resolve(context: never): T | Promise<T>;
  dispose?(value: T): void | Promise<void>;
}

/** Names mapped to dependencies, as in `deps: { labelRow, model }`. */
export type DependencyMap = { readonly [name: string]: Dependency<unknown> };

/** The values a dependency map resolves to, under the same names. */
export type ResolvedDependencies<D extends DependencyMap> = { readonly [K in keyof D]: D[K] extends Dependency<infer T> ? T : never };

/** How to make a dependency: what it needs, how to compute it, how to release it. */
export interface DependencyDefinition<T, D extends DependencyMap> {
  /** Other dependencies (built-in or user-defined) this one needs. */
  readonly deps?: D;
  /** A name for error messages. @defaultValue "dependency" */
  readonly name?: string;
  /** Computes the value for one task attempt, from the task context and the resolved `deps`. */
  resolve(context: TaskContext & ResolvedDependencies<D>): T | Promise<T>;
  /** Releases the value after the task attempt, whether it succeeded or failed. */
  dispose?(value: Awaited<T>): void | Promise<void>;
}

/**
 * Defines a dependency for `runner.stage(…, { deps })`. Each task attempt resolves it afresh; a
 * dependency shared by several others is resolved once per attempt; `dispose` always runs after
 * the attempt, in reverse order of resolution.
 * @example
 * const model = defineDependency({ resolve: () => loadModel(), dispose: (m) => m.close() });
 * const size = defineDependency({ deps: { storageItem }, resolve: ({ storageItem }) => storageItem.width });
 */
export function defineDependency<T, D extends DependencyMap = Record<never, never>>(definition: DependencyDefinition<T, D>): Dependency<Awaited<T>> {
  for (const [name, needed] of Object.entries(definition.deps ?? {})) {
    if (contextNames.has(name)) {
      throw new ConfigurationError("TA_INVALID_ARGUMENT", `defineDependency(): a dependency may not be called ${JSON.stringify(name)}; the context already has ${[...contextNames].join(", ")}.`);
    }
    if (!isDependency(needed)) {
      const of = definition.name === undefined ? "" : ` of ${JSON.stringify(definition.name)}`;
      throw new ConfigurationError("TA_INVALID_ARGUMENT", `defineDependency(): deps.${name}${of} is not a dependency; use a built-in (labelRow, storageItem) or one made with defineDependency().`);
    }
  }
  return makeDependency<Awaited<T>>({
    deps: definition.deps ?? {},
    prefetch: [],
    batchLoaders: [],
    label: definition.name ?? "dependency",
    resolve: (context: never) => definition.resolve(context) as Awaited<T> | Promise<Awaited<T>>,
    dispose: definition.dispose ? (value: Awaited<T>) => definition.dispose!(value) : undefined,
  });
}

/** The parts of a dependency, as built-ins give them to {@link makeDependency}. */
export interface DependencyParts<T> {
  deps: DependencyMap;
  prefetch: readonly PrefetchKind[];
  batchLoaders?: readonly BatchLoader[];
  label: string;
  resolve: (context: never) => T | Promise<T>;
  dispose?: ((value: T) => void | Promise<void>) | undefined;
}

/** Builds a dependency object; built-ins use it with `prefetch` and `batchLoaders`. */
export function makeDependency<T>(parts: DependencyParts<T>): Dependency<T> {
  const dependency: Dependency<T> = {
    [dependencyBrand]: true,
    deps: parts.deps,
    prefetch: parts.prefetch,
    batchLoaders: parts.batchLoaders ?? [],
    label: parts.label,
    resolve: parts.resolve,
  };
  if (parts.dispose) dependency.dispose = parts.dispose;
  return Object.freeze(dependency);
}

/**
 * A built-in that works both bare, with its defaults (`deps: { frame: singleFrame }`), and
 * called with options (`deps: { frame: singleFrame({ frame: 5 }) }`): a function that is
 * itself the default dependency.
 */
export function makeConfigurableDependency<T, A extends unknown[]>(defaults: DependencyParts<T>, configure: (...args: A) => Dependency<T>): Dependency<T> & ((...args: A) => Dependency<T>) {
  const callable = (...args: A) => configure(...args);
  const dependency = makeDependency(defaults);
  for (const key of [dependencyBrand, "deps", "prefetch", "batchLoaders", "label", "resolve", "dispose"] as const) {
    if (key in dependency) Object.defineProperty(callable, key, { value: (dependency as unknown as Record<PropertyKey, unknown>)[key], enumerable: true });
  }
  return Object.freeze(callable) as unknown as Dependency<T> & ((...args: A) => Dependency<T>);
}

/** True for values made by {@link defineDependency} or the built-ins, from any copy of the package. */
export function isDependency(value: unknown): value is Dependency<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && (value as unknown as Record<symbol, unknown>)[dependencyBrand] === true;
}
