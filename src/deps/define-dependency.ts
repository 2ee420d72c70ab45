import type { Logger } from "pino";
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

/** Per-task data a batch fetched in bulk; only built-in dependencies read it. */
export interface PrefetchedTaskData {
  readonly metadata?: LabelRowMetadataJson;
  readonly labelRow?: LabelRowJson;
  readonly storageItem?: StorageItem;
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
    label: definition.name ?? "dependency",
    resolve: (context: never) => definition.resolve(context) as Awaited<T> | Promise<Awaited<T>>,
    dispose: definition.dispose ? (value: Awaited<T>) => definition.dispose!(value) : undefined,
  });
}

/** Builds a dependency object; built-ins use it with `prefetch`. */
export function makeDependency<T>(parts: {
  deps: DependencyMap;
  prefetch: readonly PrefetchKind[];
  label: string;
  resolve: (context: never) => T | Promise<T>;
  dispose?: ((value: T) => void | Promise<void>) | undefined;
}): Dependency<T> {
  const dependency: Dependency<T> = {
    [dependencyBrand]: true,
    deps: parts.deps,
    prefetch: parts.prefetch,
    label: parts.label,
    resolve: parts.resolve,
  };
  if (parts.dispose) dependency.dispose = parts.dispose;
  return Object.freeze(dependency);
}

/** True for values made by {@link defineDependency} or the built-ins, from any copy of the package. */
export function isDependency(value: unknown): value is Dependency<unknown> {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[dependencyBrand] === true;
}
