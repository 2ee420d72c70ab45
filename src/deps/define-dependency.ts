import type { Logger } from "pino";
import { ConfigurationError } from "../domain/errors.js";
import type { AgentTask } from "../domain/task.js";
import type { AgentStage, Project } from "../domain/workflow.js";
import type { BatchLoader, PrefetchedTaskData, PrefetchKind } from "../runner/batch-data.js";
import { hasBrand } from "../shared/has-brand.js";

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

/**
 * What a dependency's `resolve` gets for one task attempt: the task context, the values of the
 * dependencies it declared in `deps` (by the dependency object, so each comes typed), and what
 * the batch fetched in bulk for the task (what the dependencies' `prefetch` and `batchLoaders` asked for).
 */
export interface ResolveScope {
  readonly context: TaskContext;
  /** The value of `dependency`, one of those this dependency declared in its `deps`. */
  readonly valueOf: <V>(dependency: Dependency<V>) => V;
  readonly prefetched: PrefetchedTaskData;
}

const dependencyBrand = Symbol.for("task-agents.dependency");

/**
 * A value computed once per task attempt and handed to the handler under the name it was
 * declared with. Make one with {@link defineDependency}.
 */
export interface Dependency<T> {
  readonly [dependencyBrand]: true;
  /** Dependencies this one needs, resolved first and passed to `resolve` by name. */
  readonly deps: DependencyMap;
  /**
   * Bulk data the batch must fetch for this dependency (built-ins only). What a stage may do
   * follows from it, not from which dependency it is: see {@link PrefetchKind}.
   */
  readonly prefetch: readonly PrefetchKind[];
  /** Loaders run once per batch for this dependency (built-ins only). */
  readonly batchLoaders: readonly BatchLoader[];
  /** A name for error messages. */
  readonly label: string;
  /** Computes the value for one task attempt; the runner calls it once its `deps` are resolved. */
  resolve(scope: ResolveScope): T | Promise<T>;
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
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `defineDependency(): a dependency may not be called ${JSON.stringify(name)}; the context already has ${[...contextNames].join(", ")}.`,
      );
    }
    if (!isDependency(needed)) {
      const of = definition.name === undefined ? "" : ` of ${JSON.stringify(definition.name)}`;
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `defineDependency(): deps.${name}${of} is not a dependency; use a built-in (labelRow, storageItem) or one made with defineDependency().`,
      );
    }
  }
  return makeDependency<Awaited<T>>({
    deps: definition.deps ?? {},
    prefetch: [],
    batchLoaders: [],
    label: definition.name ?? "dependency",
    resolve: async (scope: ResolveScope): Promise<Awaited<T>> => await definition.resolve({ ...scope.context, ...valuesByName(definition.deps, scope) }),
    dispose: definition.dispose ? (value: Awaited<T>) => definition.dispose!(value) : undefined,
  });
}

/** The values of `deps` under their names, as a user's `resolve` takes them. */
function valuesByName<D extends DependencyMap>(deps: D | undefined, scope: ResolveScope): ResolvedDependencies<D> {
  const values: Record<string, unknown> = {};
  for (const [name, dependency] of Object.entries(deps ?? {})) values[name] = scope.valueOf(dependency);
  // Built from D's own entries, each the value of the dependency under that name: what the mapped type says.
  return values as ResolvedDependencies<D>;
}

/** The parts of a dependency, as built-ins give them to {@link makeDependency}. */
export interface DependencyParts<T> {
  deps: DependencyMap;
  prefetch: readonly PrefetchKind[];
  batchLoaders?: readonly BatchLoader[];
  label: string;
  resolve: (scope: ResolveScope) => T | Promise<T>;
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
export function makeConfigurableDependency<T, A extends unknown[]>(
  defaults: DependencyParts<T>,
  configure: (...args: A) => Dependency<T>,
): Dependency<T> & ((...args: A) => Dependency<T>) {
  const callable = (...args: A) => configure(...args);
  const dependency = makeDependency(defaults);
  for (const key of [dependencyBrand, "deps", "prefetch", "batchLoaders", "label", "resolve", "dispose"] as const) {
    if (key in dependency) Object.defineProperty(callable, key, { value: (dependency as unknown as Record<PropertyKey, unknown>)[key], enumerable: true });
  }
  return Object.freeze(callable) as unknown as Dependency<T> & ((...args: A) => Dependency<T>);
}

/** True for values made by {@link defineDependency} or the built-ins, from any copy of the package. */
export function isDependency(value: unknown): value is Dependency<unknown> {
  return hasBrand(value, dependencyBrand);
}
