import type { Logger } from "pino";
import type { Backend } from "../backends/backend.js";
import { stageTasks } from "../backends/stage-tasks.js";
import { ConfigurationError } from "../domain/errors.js";
import type { AgentTask } from "../domain/task.js";
import type { AgentStage, Project } from "../domain/workflow.js";
import type { DependencyMap } from "../deps/define-dependency.js";
import { commitDecisions } from "./commit-decisions.js";
import { handleTasks } from "./handle-tasks.js";
import type { StageHandler, StageOptions } from "./handler.js";
import { createRunLogger } from "./output/run-logger.js";
import { loadRunnableProject } from "./project-checks.js";
import { RunControl } from "./run-control.js";
import { describeFailure } from "./run-report.js";
import { resolveQueueRunnerOptions, type QueueRunnerSettings } from "./options.js";
import { RunnerCore } from "./runner-core.js";
import type { BoundStage } from "./stage-registry.js";
import { parseTaskSpec, withSpecJson, type TaskCompletionResult, type TaskSpecJson } from "./task-spec.js";
import { logStoreBusyWaits } from "./store-busy-log.js";
import type { PathwayOf, StageRefOf, TypedProjectOption } from "../codegen/define-project.js";
import type { ProjectShape } from "../codegen/project-shape.js";
import { hasBrand } from "../shared/has-brand.js";

/** Options of `new QueueRunner()`. */
export interface QueueRunnerOptions {
  /** The project whose tasks the queue carries. */
  readonly projectHash: string;
  /** Where projects live. @defaultValue the local store (`TASK_AGENTS_STORE` or ./.task-agents/store.db) */
  readonly backend?: Backend;
  /** Extra attempts inside one call when a handler fails (the queue may retry whole jobs too). @defaultValue 0 */
  readonly numRetries?: number;
  /** Handlers in flight at once within one call with several specs. @defaultValue 1 */
  readonly concurrency?: number;
  /** Seconds one attempt may take. @defaultValue no limit */
  readonly taskTimeout?: number;
  /** Where handler logs go. @defaultValue human-readable lines on stderr */
  readonly logger?: Logger;
}

/** What a worker's batch call gives back: every result, and which entries a stop affected. */
export interface WorkerBatchResult {
  readonly results: TaskCompletionResult[];
  readonly stopError: ConfigurationError | undefined;
  /** Entries whose own result was the configuration error. */
  readonly stopped: ReadonlySet<number>;
  /** Entries not started because of it. */
  readonly notStarted: ReadonlySet<number>;
}

/** A handler wrapped for a queue: task spec(s) as JSON in, TaskCompletionResult(s) as JSON out. */
export type QueueHandler = (specs: string | readonly string[]) => Promise<string>;

/** An AGENT stage with a handler, as a producer sees it. */
export interface QueueAgentStage extends AgentStage {
  /** The tasks waiting in the stage, page by page; each task's `toJSON()` is its task spec. */
  getTasks(): AsyncIterable<AgentTask & { toJSON(): TaskSpecJson }>;
}

const queueRunnerBrand = Symbol.for("task-agents.queue-runner");

/** The bound stage a title or UUID names: a title first, as `stage()` binds (see findStage). */
function boundFor(stages: readonly BoundStage[], ref: string): BoundStage | undefined {
  return stages.find((b) => b.stage.title === ref) ?? stages.find((b) => b.stage.uuid === ref.toLowerCase());
}

/** True for a QueueRunner from any copy of the package. */
export function isQueueRunner(value: unknown): value is QueueRunner {
  return hasBrand(value, queueRunnerBrand);
}

/**
 * The Runner's handlers as JSON-in/JSON-out functions for any queue. Each call re-reads the
 * tasks it is given, handles them (with one bulk fetch) and commits all decisions in one call.
 * @example
 * const queueRunner = new QueueRunner({ projectHash });
 * const handle = queueRunner.stage("Pre-label", async ({ task }) => "annotate");
 * const resultJson = await handle(taskSpecJson);
 *
 * With a generated project (`task-agents codegen`), `new QueueRunner({ project })` checks stage
 * titles and pathways at compile time, as `Runner` does.
 */
// `any` by default, as Runner's: a plain `QueueRunner` accepts typed ones too.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class QueueRunner<P extends ProjectShape | undefined = any> {
  readonly [queueRunnerBrand] = true;
  readonly #options: QueueRunnerOptions & TypedProjectOption<P>;
  /** numRetries, concurrency and taskTimeout, validated at construction. */
  readonly #settings: QueueRunnerSettings;
  /** The registry, the backend and the handling environment, shared with Runner. */
  readonly #core: RunnerCore;
  /** The wrapped handlers by the stage reference (title or UUID) they were registered with. */
  readonly #handlers = new Map<string, QueueHandler>();
  #bound: Promise<{ project: Project; stages: BoundStage[] }> | undefined;
  #logger: Logger | undefined;

  constructor(options: QueueRunnerOptions & TypedProjectOption<P>);
  /** A module generated from a project carries its hash; one from a spec file needs `projectHash`. */
  constructor(options: Omit<QueueRunnerOptions, "projectHash"> & { readonly projectHash?: string } & Required<TypedProjectOption<P>>);
  constructor(options: Omit<QueueRunnerOptions, "projectHash"> & { readonly projectHash?: string } & TypedProjectOption<P>) {
    const projectHash = options?.projectHash ?? options?.project?.projectHash;
    if (typeof projectHash !== "string" || projectHash.trim() === "") {
      throw new ConfigurationError(
        "TA_INVALID_PROJECT_HASH",
        `new QueueRunner() needs { projectHash }: the queue carries tasks of one project.` +
          `${options?.project === undefined ? "" : " Its project module was generated from a spec file, which names no project."}`,
      );
    }
    // Checked now, with the Runner's rules and messages, not at the first job.
    this.#settings = resolveQueueRunnerOptions(options);
    this.#options = { ...options, projectHash };
    this.#core = new RunnerCore(options.backend);
  }

  /** The backend: the one given, or the one chosen from the environment. */
  get backend(): Backend {
    return this.#core.backend;
  }

  /** @internal used by `queue work`: handler logs go to the worker's logger unless one was given */
  useLogger(logger: Logger): void {
    if (!this.#options.logger) this.#logger = logger;
  }

  /** @internal whether the QueueRunner came with its own backend */
  get hasOwnBackend(): boolean {
    return this.#core.hasOwnBackend;
  }

  /** @internal used by the CLI's `--store`: the backend to use when none was given */
  useBackend(backend: Backend): void {
    if (this.#bound) throw new ConfigurationError("TA_INVALID_ARGUMENT", "The backend of a QueueRunner cannot change after its first call.");
    this.#core.useBackend(backend);
  }

  get projectHash(): string {
    return this.#options.projectHash;
  }

  /**
   * Registers the handler of an AGENT stage (title or UUID) and returns it wrapped for a queue:
   * it takes one task spec (JSON) or an array of them and resolves to one TaskCompletionResult
   * (JSON) or an array in the same order. Failures of single tasks are results, not exceptions;
   * an unknown pathway is a configuration error and is thrown (after committing the rest).
   */
  stage<D extends DependencyMap = Record<never, never>, S extends StageRefOf<P> = StageRefOf<P>, const W extends PathwayOf<P, S> = PathwayOf<P, S>>(
    stage: S,
    handler: StageHandler<D, W>,
  ): QueueHandler;
  stage<D extends DependencyMap = Record<never, never>, S extends StageRefOf<P> = StageRefOf<P>, const W extends PathwayOf<P, S> = PathwayOf<P, S>>(
    stage: S,
    options: StageOptions<D, PathwayOf<P, S>>,
    handler: StageHandler<D, W>,
  ): QueueHandler;
  stage<D extends DependencyMap>(stage: string, optionsOrHandler: StageOptions<D> | StageHandler<D>, maybeHandler?: StageHandler<D>): QueueHandler {
    if (this.#bound) throw new ConfigurationError("TA_INVALID_ARGUMENT", "Register every stage before the first call of a wrapped handler.");
    this.#core.register(stage, optionsOrHandler, maybeHandler, undefined);
    const handle: QueueHandler = (specs) => this.#handle(stage, specs);
    this.#handlers.set(stage, handle);
    return handle;
  }

  /** The wrapped handler of a stage, by title or UUID (as a worker finds it from a job). */
  async handlerFor(stage: string): Promise<QueueHandler> {
    const { stages } = await this.#bind();
    const bound = boundFor(stages, stage);
    if (!bound) {
      throw new ConfigurationError(
        "TA_UNKNOWN_STAGE",
        `This QueueRunner has no handler for stage ${JSON.stringify(stage)}; it handles ` +
          `${stages.map((b) => `${JSON.stringify(b.stage.title)} (${b.stage.uuid})`).join(", ")}.`,
      );
    }
    const [, handle] = [...this.#handlers].find(([ref]) => boundFor(stages, ref) === bound)!;
    return handle;
  }

  /** The AGENT stages that have handlers, in registration order, each able to list its tasks. */
  async getAgentStages(): Promise<QueueAgentStage[]> {
    const { project, stages } = await this.#bind();
    const backend = this.backend;
    return stages.map((bound) => ({
      ...bound.stage,
      async *getTasks() {
        for await (const task of stageTasks(backend, project.uuid, bound.stage.uuid)) yield withSpecJson(task);
      },
    }));
  }

  /** A QueueRunner does not poll stages itself; this explains what to do instead. */
  execute(): never {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      "A QueueRunner does not run tasks itself: call the functions its stage() returned " +
        "with task specs, or use task-agents/bullmq (`task-agents queue enqueue <file>` " +
        "then `task-agents queue work <file>`). To poll stages in one process, use Runner.",
    );
  }

  /** See {@link execute}. */
  run(): never {
    return this.execute();
  }

  /** Closes the backend the QueueRunner opened itself (not one passed in). */
  close(): Promise<void> {
    this.#bound = undefined;
    return this.#core.close();
  }

  /** Handler logs and the QueueRunner's own notes go here: the logger given, else one of its own on stderr. */
  #loggerInUse(): Logger {
    return (this.#logger ??= this.#options.logger ?? createRunLogger("human", process.stderr));
  }

  #bind(): Promise<{ project: Project; stages: BoundStage[] }> {
    this.#bound ??= (async () => {
      const project = await loadRunnableProject(this.backend, this.#options.projectHash, this.#options.project);
      const stages = this.#core.registry.bind(project);
      for (const note of this.#core.registry.matchNotes(project).values()) this.#loggerInUse()[note.ambiguous ? "warn" : "info"](note.message);
      return { project, stages };
    })();
    // A failed bind (unknown stage, backend down) is retried on the next call.
    this.#bound.catch(() => (this.#bound = undefined));
    return this.#bound;
  }

  async #handle(ref: string, input: string | readonly string[]): Promise<string> {
    const single = !Array.isArray(input);
    const specs: readonly unknown[] = single ? [input] : (input as readonly unknown[]);
    const { project, stages } = await this.#bind();
    const bound = boundFor(stages, ref)!;
    const results = await this.#handleSpecs(project, bound, specs);
    return JSON.stringify(single ? results[0] : results);
  }

  async #handleSpecs(project: Project, bound: BoundStage, specs: readonly unknown[]): Promise<TaskCompletionResult[]> {
    const handled = await this.#handleSpecsReporting(project, bound, specs);
    if (handled.stopError) throw handled.stopError;
    return handled.results;
  }

  /**
   * @internal for queue workers: handles specs like a wrapped handler but does not throw a
   * stop error; instead it says which entries caused it (`stopped`) and which were not started
   * because of it (`notStarted`), so only those jobs fail and the others keep their results.
   * `concurrency` (the worker's) applies unless the QueueRunner was given its own.
   */
  async handleForWorker(stage: string, specs: readonly string[], options: { concurrency?: number } = {}): Promise<WorkerBatchResult> {
    const { project, stages } = await this.#bind();
    // A job names its stage by UUID (enqueueTasks writes stage.uuid), even where a title is one.
    const bound = stages.find((b) => b.stage.uuid === stage.toLowerCase()) ?? boundFor(stages, stage);
    if (!bound) await this.handlerFor(stage);
    return this.#handleSpecsReporting(project, bound!, specs, options.concurrency);
  }

  async #handleSpecsReporting(project: Project, bound: BoundStage, specs: readonly unknown[], concurrency?: number): Promise<WorkerBatchResult> {
    const stageUuid = bound.stage.uuid;
    const fail = (taskUuid: string | null, error: string): TaskCompletionResult => ({
      task_uuid: taskUuid,
      stage_uuid: stageUuid,
      success: false,
      pathway: null,
      error,
    });
    const parsed = specs.map((s) => parseTaskSpec(s));
    const results: (TaskCompletionResult | undefined)[] = parsed.map((p) => (p.ok ? undefined : fail(p.taskUuid, p.error)));

    // Re-read the tasks: only those still in the stage are handled, each once per call.
    const wanted = parsed.flatMap((p) => (p.ok ? [p] : []));
    const current = await this.#currentTasks(project, bound, [...new Set(wanted.map((p) => p.dataHash))]);
    const taskIndex = new Map<string, number>();
    const tasks: AgentTask[] = [];
    parsed.forEach((p, i) => {
      if (!p.ok) return;
      const task = current.get(p.taskUuid);
      if (!task)
        results[i] = fail(
          p.taskUuid,
          `Task ${p.taskUuid} is not in stage ${JSON.stringify(bound.stage.title)} ` +
            `(${stageUuid}) any more; it was moved on or never was there. Nothing was done.`,
        );
      else if (taskIndex.has(p.taskUuid)) results[i] = fail(p.taskUuid, `Task ${p.taskUuid} appears twice in this call; it was handled once.`);
      else {
        taskIndex.set(p.taskUuid, tasks.length);
        tasks.push(task);
      }
    });

    const logger = this.#loggerInUse();
    // A stop (an unknown pathway) takes no new tasks; handlers already running finish and their
    // decisions are committed, as in Runner. No grace timer aborts them (longest setTimeout delay).
    const control = new RunControl({ gracePeriodMs: 2 ** 31 - 1, onStop: () => undefined });
    const stopLoggingBusyWaits = logStoreBusyWaits(this.backend, logger);
    // The runner's own concurrency wins; else a worker's: its N active jobs run side by side.
    const settings = { ...this.#settings, concurrency: this.#settings.concurrency ?? concurrency ?? 1 };
    const env = this.#core.handlingEnvironment({ project, control, logger, settings, actor: "queue-agent" });
    const stopped = new Set<number>();
    const notStarted = new Set<number>();
    try {
      const outcomes = tasks.length > 0 ? await handleTasks(env, bound, tasks) : [];
      const committed = await commitDecisions(env, bound, tasks, outcomes);
      parsed.forEach((p, i) => {
        if (!p.ok || results[i] !== undefined) return;
        const index = taskIndex.get(p.taskUuid)!;
        const outcome = outcomes[index];
        const task = tasks[index]!;
        if (outcome === undefined) {
          notStarted.add(i);
          results[i] = fail(task.uuid, "Not handled: the call stopped at a configuration error in another task.");
        } else if (outcome.kind !== "decided") {
          if (outcome.kind === "stop") stopped.add(i);
          const error = describeFailure(outcome.error);
          const failed = fail(task.uuid, error.stack ?? `${error.name}: ${error.message}`);
          // Moved along the stage's onFailure pathway in the commit: the result says where.
          results[i] = committed.routed.has(task.uuid) ? { ...failed, pathway: bound.failurePathway!.uuid } : failed;
        } else if (committed.refused.has(task.uuid)) results[i] = fail(task.uuid, committed.refused.get(task.uuid)!.message);
        else
          results[i] = {
            task_uuid: task.uuid,
            stage_uuid: stageUuid,
            success: true,
            pathway: committed.moved.has(task.uuid) ? outcome.decision.pathway!.uuid : null,
            error: null,
          };
      });
    } finally {
      stopLoggingBusyWaits();
      control.dispose();
    }
    // The call's stop cause, read at the edge: the layers below keep it in `control` only.
    return { results: results as TaskCompletionResult[], stopError: control.configurationError, stopped, notStarted };
  }

  async #currentTasks(project: Project, bound: BoundStage, dataHashes: readonly string[]): Promise<Map<string, AgentTask>> {
    const found = new Map<string, AgentTask>();
    if (dataHashes.length === 0) return found;
    for await (const task of stageTasks(this.backend, project.uuid, bound.stage.uuid, { dataHashes })) found.set(task.uuid.toLowerCase(), task);
    return found;
  }
}
