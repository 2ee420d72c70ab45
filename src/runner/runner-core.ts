import type { Logger } from "pino";
import type { Backend } from "../backends/backend.js";
import { selectBackend } from "../backends/select-backend.js";
import type { DependencyMap } from "../deps/define-dependency.js";
import type { Project } from "../domain/workflow.js";
import type { HandlingEnvironment } from "./handle-tasks.js";
import type { StageHandler, StageOptions } from "./handler.js";
import type { HandlingSettings } from "./options.js";
import type { RunControl } from "./run-control.js";
import { StageRegistry } from "./stage-registry.js";

/**
 * What a Runner and a QueueRunner share, composed into each: the registry of stage handlers (and
 * the parsing of `stage()`'s two call forms), the backend (the one given, or one chosen from the
 * environment on first use, which `close()` closes) and the one way their handling environment
 * is built from validated options.
 */
export class RunnerCore {
  readonly registry = new StageRegistry();
  readonly #given: Backend | undefined;
  #inUse: Backend | undefined;

  constructor(backend: Backend | undefined) {
    this.#given = backend;
  }

  /** The backend: the one given (or set by {@link useBackend}), else the one the environment names, chosen now. */
  get backend(): Backend {
    this.#inUse ??= selectBackend({ backend: this.#given });
    return this.#inUse;
  }

  /** Whether the runner came with its own backend. */
  get hasOwnBackend(): boolean {
    return this.#given !== undefined;
  }

  /** The backend to use when none was given (the command line's `--store`). */
  useBackend(backend: Backend): void {
    this.#inUse = backend;
  }

  /**
   * Registers a handler given as `stage(ref, handler)` or `stage(ref, options, handler)`; with a
   * known project the stage is checked now. Returns the handler.
   */
  register<D extends DependencyMap>(
    ref: string,
    optionsOrHandler: StageOptions<D> | StageHandler<D>,
    maybeHandler: StageHandler<D> | undefined,
    project: Project | undefined,
  ): StageHandler<D> {
    const [options, handler] = typeof optionsOrHandler === "function" ? [{}, optionsOrHandler] : [optionsOrHandler ?? {}, maybeHandler];
    // The registry holds handlers of every dependency map; `add` checks the arguments' shapes.
    this.registry.add(ref, options, handler as StageHandler<DependencyMap>, project);
    return handler!;
  }

  /** What handling a batch of `project`'s tasks needs, from the runner's validated settings. */
  handlingEnvironment(input: { project: Project; control: RunControl; logger: Logger; settings: HandlingSettings; actor: string }): HandlingEnvironment {
    const { settings } = input;
    return {
      backend: this.backend,
      project: input.project,
      control: input.control,
      logger: input.logger,
      numRetries: settings.numRetries,
      taskTimeoutMs: settings.taskTimeoutMs,
      concurrency: settings.concurrency,
      actor: input.actor,
    };
  }

  /** Closes the backend the runner opened itself (not one passed in). Idempotent. */
  async close(): Promise<void> {
    const opened = this.#inUse;
    this.#inUse = undefined;
    if (opened && opened !== this.#given) await opened.close();
  }
}
