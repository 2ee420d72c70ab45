import type { Logger } from "pino";
import { ConfigurationError, TaskAgentsError } from "../domain/errors.js";
import type { Dependency, DependencyMap, TaskContext } from "../deps/define-dependency.js";
import type { PrefetchedTaskData } from "./batch-data.js";

/**
 * Resolves the dependencies of one task attempt. Each dependency object is resolved at most
 * once per scope (so one shared by two others resolves once), its own dependencies first, and
 * gets the task context, their values and the task's prefetched data.
 * {@link dispose} releases every resolved value in reverse order of resolution.
 */
export class DependencyScope {
  readonly #context: TaskContext;
  readonly #prefetched: PrefetchedTaskData;
  readonly #values = new Map<Dependency<unknown>, Promise<unknown>>();
  readonly #resolvedInOrder: { dependency: Dependency<unknown>; value: unknown }[] = [];

  constructor(context: TaskContext, prefetched: PrefetchedTaskData) {
    this.#context = context;
    this.#prefetched = prefetched;
  }

  /** The values of `deps`, under the same names. */
  async resolveAll(deps: DependencyMap): Promise<Record<string, unknown>> {
    // Checked before resolving: a cycle through an async dependency would otherwise leave two
    // resolutions waiting for each other's cached promise, and the task would hang.
    const cycle = cycleOf(deps);
    if (cycle) throw cycleError(cycle);
    const entries = await Promise.all(Object.entries(deps).map(async ([name, dependency]) => [name, await this.#resolve(dependency, [])] as const));
    return Object.fromEntries(entries);
  }

  #resolve(dependency: Dependency<unknown>, path: readonly Dependency<unknown>[]): Promise<unknown> {
    if (path.includes(dependency)) return Promise.reject(cycleError([...path.slice(path.indexOf(dependency)), dependency]));
    let value = this.#values.get(dependency);
    if (value === undefined) {
      value = this.#compute(dependency, [...path, dependency]);
      this.#values.set(dependency, value);
    }
    return value;
  }

  async #compute(dependency: Dependency<unknown>, path: readonly Dependency<unknown>[]): Promise<unknown> {
    const inner = new Map<Dependency<unknown>, unknown>();
    for (const needed of Object.values(dependency.deps)) inner.set(needed, await this.#resolve(needed, path));
    const value = await dependency.resolve({
      context: this.#context,
      prefetched: this.#prefetched,
      valueOf: <V>(needed: Dependency<V>): V => {
        if (!inner.has(needed))
          throw new TaskAgentsError(
            "TA_INVALID_ARGUMENT",
            `Dependency ${JSON.stringify(dependency.label)} asked for the value of ${JSON.stringify(needed.label)}, which is not among its deps.`,
          );
        // Stored under this very dependency object, from its own resolve(): a V.
        return inner.get(needed) as V;
      },
    });
    this.#resolvedInOrder.push({ dependency, value });
    return value;
  }

  /**
   * Disposes every resolved value, last resolved first. Every dispose runs even if one throws;
   * failures are logged, not thrown, so they never change a task's outcome. `logger` is asked
   * for only when one fails.
   */
  async dispose(logger: () => Logger): Promise<void> {
    // Values still resolving (an attempt abandoned mid-resolution) are disposed once they settle.
    await Promise.allSettled(this.#values.values());
    for (const { dependency, value } of this.#resolvedInOrder.reverse()) {
      if (!dependency.dispose) continue;
      try {
        await dependency.dispose(value);
      } catch (error) {
        logger().warn({ err: error, dependency: dependency.label }, `dispose of dependency ${JSON.stringify(dependency.label)} failed`);
      }
    }
    this.#resolvedInOrder.length = 0;
  }
}

function cycleError(cycle: readonly Dependency<unknown>[]): ConfigurationError {
  const names = cycle.map((d) => d.label).join(" → ");
  return new ConfigurationError("TA_INVALID_ARGUMENT", `Dependencies form a cycle: ${names}. A dependency may not need itself, directly or through others.`);
}

/** Dependency maps already checked (a stage's map is the same object for every task): their cycle or null. */
const checked = new WeakMap<DependencyMap, Dependency<unknown>[] | null>();
function cycleOf(deps: DependencyMap): Dependency<unknown>[] | undefined {
  let cycle = checked.get(deps);
  if (cycle === undefined) {
    cycle = findCycle(deps) ?? null;
    checked.set(deps, cycle);
  }
  return cycle ?? undefined;
}

/** The first cycle among the dependencies reachable from a map (its first element repeated at the end), if any. */
function findCycle(deps: DependencyMap): Dependency<unknown>[] | undefined {
  const done = new Set<Dependency<unknown>>();
  const path: Dependency<unknown>[] = [];
  const visit = (dependency: Dependency<unknown>): Dependency<unknown>[] | undefined => {
    if (path.includes(dependency)) return [...path.slice(path.indexOf(dependency)), dependency];
    if (done.has(dependency)) return undefined;
    path.push(dependency);
    for (const inner of Object.values(dependency.deps)) {
      const cycle = visit(inner);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(dependency);
    return undefined;
  };
  for (const dependency of Object.values(deps)) {
    const cycle = visit(dependency);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every dependency reachable from a map, each once. */
export function allDependencies(deps: DependencyMap): Set<Dependency<unknown>> {
  const seen = new Set<Dependency<unknown>>();
  const visit = (dependency: Dependency<unknown>) => {
    if (seen.has(dependency)) return;
    seen.add(dependency);
    for (const inner of Object.values(dependency.deps)) visit(inner);
  };
  for (const dependency of Object.values(deps)) visit(dependency);
  return seen;
}
