import type { Backend } from "../backends/backend.js";
import { ConfigurationError, isConfigurationError } from "../domain/errors.js";
import type { AgentStage, Project } from "../domain/workflow.js";
import type { DependencyMap } from "../deps/define-dependency.js";
import { drainStage } from "./drain-stage.js";
import type { StageHandler, StageOptions } from "./handler.js";
import { resolveExecuteOptions, type ExecuteOptions, type ResolvedExecuteOptions, type RunnerOptions, type RunStageOptions } from "./options.js";
import { createRunOutput } from "./output/create-output.js";
import { processStreams, type OutputStreams } from "./output/output-streams.js";
import { loadRunnableProject } from "./project-checks.js";
import { RunControl, sleepUnless } from "./run-control.js";
import { changeWaitOf, type ChangeWait } from "./watch-for-work.js";
import { startingRunReport, type RunReport } from "./run-report.js";
import { recordedOptions, startRecording, type RecordedRun, type RecordedRunKind } from "./run-recording.js";
import { FailedTasks } from "./failed-tasks.js";
import { RunnerCore } from "./runner-core.js";
import { SingleFlight } from "./single-flight.js";
import { resolveAgentStage, type BoundStage } from "./stage-registry.js";
import { logStoreBusyWaits } from "./store-busy-log.js";
import type { PathwayOf, StageRefOf, TypedProject, TypedProjectOption } from "../codegen/define-project.js";
import type { ProjectShape } from "../codegen/project-shape.js";
import { hasBrand } from "../shared/has-brand.js";

/** Set by `task-agents run` while it imports an agent file. */
export const loadingAgentFile = Symbol.for("task-agents.loading-agent-file");

const runnerBrand = Symbol.for("task-agents.runner");

/** True for a Runner from any copy of the package (an agent file may import another copy). */
export function isRunner(value: unknown): value is Runner {
  return hasBrand(value, runnerBrand);
}

/**
 * Runs handlers on the tasks of a workflow project's AGENT stages: stage by stage in
 * registration order, batch by batch, committing each batch's label saves, priorities and moves
 * together.
 * @example
 * const runner = new Runner({ projectHash });
 * runner.stage("Pre-label", { deps: { labelRow } }, async ({ labelRow }) => {
 *   labelRow.setPriority(0.5);
 *   return { pathway: "annotate", labelRow };
 * });
 * await runner.execute({ taskBatchSize: 50 });
 *
 * With a generated project (`task-agents codegen`), `new Runner({ project })` accepts only that
 * project's AGENT stages in `stage()` and only each stage's pathways as handler results.
 */
// The default is `any`, not `undefined`: a plain `Runner` (the type every API that takes a
// runner names) must accept typed runners too, and an untyped one accepts any stage anyway.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Runner<P extends ProjectShape | undefined = any> {
  readonly [runnerBrand] = true;
  readonly #options: RunnerOptions & TypedProjectOption<P>;
  /** The registry, the backend and the handling environment, shared with QueueRunner. */
  readonly #core: RunnerCore;
  readonly #stagePasses = new SingleFlight<RunReport>();
  /** Tasks that failed for good, skipped by later passes of every execute() and runStage(). */
  readonly #failedTasks = new FailedTasks();
  #project: Project | undefined;
  #lastReport: RunReport | undefined;
  /** @internal streams for tests and the CLI; process streams by default */
  streams: OutputStreams = processStreams();

  constructor(options: RunnerOptions & TypedProjectOption<P> = {}) {
    // A module generated from a project carries its hash; one from a spec file does not.
    this.#options = { ...options, projectHash: options.projectHash ?? options.project?.projectHash };
    this.#core = new RunnerCore(options.backend);
  }

  /** The project, once loaded (by {@link loadProject} or an execution). */
  get project(): Project | undefined {
    return this.#project;
  }

  /** The project this runner works on: the one loaded, else the one given to the constructor. */
  get projectHash(): string | undefined {
    return this.#project?.uuid ?? this.#options.projectHash;
  }

  /**
   * Whether a handler is registered for `stage` (title or UUID) of the project, loading the
   * project when it is not loaded yet. An unknown stage has none.
   */
  async hasHandler(stage: string, projectHash?: string): Promise<boolean> {
    const project = await this.#projectFor(projectHash);
    if (this.#core.registry.size === 0) return false;
    try {
      const uuid = resolveAgentStage(project, stage).uuid;
      return this.#core.registry.bind(project).some((b) => b.stage.uuid === uuid);
    } catch (error) {
      if (isConfigurationError(error) && error.code === "TA_UNKNOWN_STAGE") return false;
      throw error;
    }
  }

  /** The AGENT stages with a handler, in registration order (loads the project if needed). */
  async handledStages(projectHash?: string): Promise<AgentStage[]> {
    const project = await this.#projectFor(projectHash);
    return this.#core.registry.bind(project).map((b) => b.stage);
  }

  /** The report of the last execution, also when it ended with an error. */
  get lastReport(): RunReport | undefined {
    return this.#lastReport;
  }

  /**
   * Loads the project now, so later `stage()` calls are checked at once against its stages.
   * @returns the project
   */
  async loadProject(projectHash?: string): Promise<Project> {
    this.#project = await loadRunnableProject(this.#backend(), projectHash ?? this.#options.projectHash, this.#typedProject);
    return this.#project;
  }

  /**
   * Registers the handler of an AGENT stage, given by title or UUID, and returns the handler.
   * A second handler for the same stage is an error unless `overwrite: true`.
   */
  stage<D extends DependencyMap = Record<never, never>, S extends StageRefOf<P> = StageRefOf<P>, const W extends PathwayOf<P, S> = PathwayOf<P, S>>(
    stage: S,
    handler: StageHandler<D, W>,
  ): StageHandler<D, PathwayOf<P, S>>;
  stage<D extends DependencyMap = Record<never, never>, S extends StageRefOf<P> = StageRefOf<P>, const W extends PathwayOf<P, S> = PathwayOf<P, S>>(
    stage: S,
    options: StageOptions<D, PathwayOf<P, S>>,
    handler: StageHandler<D, W>,
  ): StageHandler<D, PathwayOf<P, S>>;
  stage<D extends DependencyMap>(stage: string, optionsOrHandler: StageOptions<D> | StageHandler<D>, maybeHandler?: StageHandler<D>): StageHandler<D> {
    return this.#core.register(stage, optionsOrHandler, maybeHandler, this.#project);
  }

  /** The project loaded already when it is the one asked for (or none is named), else loaded now. */
  async #projectFor(projectHash: string | undefined): Promise<Project> {
    const loaded = this.#project;
    if (loaded !== undefined && (projectHash === undefined || loaded.uuid === projectHash.toLowerCase())) return loaded;
    return this.loadProject(projectHash);
  }

  /** The generated project module given, checked against the live project at every load. */
  get #typedProject(): TypedProject | undefined {
    return this.#options.project;
  }

  #backend(): Backend {
    return this.#core.backend;
  }

  /**
   * Runs every registered handler on the tasks waiting in its stage: one pass, or one pass every
   * `refreshEvery` seconds until `signal` aborts. Returns the run report; throws on a
   * configuration error (after committing what was already decided).
   */
  async execute(options: ExecuteOptions = {}): Promise<RunReport> {
    const resolved = resolveExecuteOptions(options);
    const backend = this.#backend();
    const waitForChange = resolved.watch ? changeWaitOf(backend) : undefined;
    const project = await loadRunnableProject(backend, resolved.projectHash ?? this.#options.projectHash, this.#typedProject);
    this.#project = project;
    return this.#runPasses(backend, project, this.#core.registry.bind(project), resolved, waitForChange);
  }

  /**
   * One pass over one stage (title or UUID) and nothing else: no polling, no terminal output
   * unless `output` asks for it. Resolves to a report of that stage alone. Meant for a receiver of
   * task-ready notifications, a cron job or a queue consumer: calls for the same stage are single
   * flight, so while a pass runs, further calls join one follow-up pass that starts when it ends
   * (at most one running and one pending per stage; the follow-up runs with the options of the
   * call that made it). Passes over different stages run side by side. The project is read
   * afresh for every pass, so a changed workflow is seen.
   */
  async runStage(stage: string, options: RunStageOptions = {}): Promise<RunReport> {
    const { refreshEvery, watch, ...rest } = options as ExecuteOptions;
    if (refreshEvery !== undefined || watch !== undefined) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `runStage() runs one pass; ${refreshEvery !== undefined ? "refreshEvery" : "watch"} is ` +
          `an option of execute(). Call runStage() again (on each notification or schedule) instead.`,
      );
    }
    const resolved = resolveExecuteOptions({ output: "silent", ...rest });
    const backend = this.#backend();
    const projectHash = resolved.projectHash ?? this.#options.projectHash;
    // The project resolves the title to the stage's UUID, the key passes share.
    const current =
      this.#project?.uuid === projectHash && this.#project !== undefined ? this.#project : await loadRunnableProject(backend, projectHash, this.#typedProject);
    this.#project = current;
    const bound = this.#boundStage(current, stage);
    return this.#stagePasses.run(`${current.uuid}/${bound.stage.uuid}`, async () => {
      const project = await loadRunnableProject(backend, current.uuid, this.#typedProject);
      this.#project = project;
      return this.#runPasses(backend, project, [this.#boundStage(project, bound.stage.uuid)], resolved, undefined, "stage-pass");
    });
  }

  /** Stages with a pass running, and whether a follow-up waits behind it (for health checks). */
  get stagePasses(): { key: string; pending: boolean }[] {
    return this.#stagePasses.keys.map((key) => ({ key, pending: this.#stagePasses.state(key).pending }));
  }

  /** Settles when no `runStage` pass is running or pending. */
  stagePassesIdle(): Promise<void> {
    return this.#stagePasses.idle();
  }

  /** The handler registered for the stage `ref` names, bound to it. */
  #boundStage(project: Project, ref: string): BoundStage {
    const stage = resolveAgentStage(project, ref);
    const bound = this.#core.registry.bind(project).find((b) => b.stage.uuid === stage.uuid);
    if (bound === undefined) {
      throw new ConfigurationError(
        "TA_NO_HANDLERS",
        `No handler is registered for stage ${JSON.stringify(stage.title)} (${stage.uuid}). Stages with handlers: ${this.#core.registry
          .bind(project)
          .map((b) => `${JSON.stringify(b.stage.title)} (${b.stage.uuid})`)
          .join(", ")}.`,
      );
    }
    return bound;
  }

  /** Whether a polling run should read its project again; false once the run is stopping. */
  async #projectChanged(backend: Backend, project: Project, control: RunControl): Promise<boolean> {
    if (backend.projectChanged === undefined) return false;
    try {
      return await backend.projectChanged(project.uuid, { signal: control.stopSignal });
    } catch (error) {
      if (control.stopping) return false;
      throw error;
    }
  }

  /** The passes of one execution over `stages`: one, or one every `refreshEvery`. */
  async #runPasses(
    backend: Backend,
    loadedProject: Project,
    boundStages: readonly BoundStage[],
    resolved: ResolvedExecuteOptions,
    waitForChange?: ChangeWait,
    kind: RecordedRunKind = "run",
  ): Promise<RunReport> {
    let project = loadedProject;
    let stages = boundStages;
    const events = createRunOutput(resolved.output, this.streams, resolved.logger, resolved.logLevel);
    const control = new RunControl({ gracePeriodMs: resolved.gracePeriodMs, external: resolved.signal, onStop: (reason) => events.stopRequested(reason) });
    const report = startingRunReport(
      backend.description,
      project,
      stages.map((b) => b.stage),
    );
    this.#lastReport = report;
    const started = performance.now();
    const stopWatchingBackOffs = backend.onBackOff?.((backOff) => {
      report.throttled++;
      events.logger.debug(
        { status: backOff.status, endpoint: backOff.endpoint, retryAfterMs: backOff.retryAfterMs, inFlight: backOff.window.to },
        `${backend.description} throttled a request (HTTP ${backOff.status}); requests ` +
          `in flight ${backOff.window.from} → ${backOff.window.to}` +
          `${backOff.retryAfterMs === undefined ? "" : `, retrying after ${backOff.retryAfterMs} ms`}`,
      );
    });
    const stopLoggingBusyWaits = logStoreBusyWaits(backend, events.logger);
    let failure: unknown;
    let recording: RecordedRun | undefined;
    try {
      events.runStarted({ backend: backend.description, project, stages: stages.map((b) => b.stage) });
      recording = await startRecording(backend, { kind, projectHash: project.uuid, options: recordedOptions(resolved, stages), report }, events.logger);
      for (const [uuid, note] of this.#core.registry.matchNotes(project))
        if (stages.some((b) => b.stage.uuid === uuid)) events.logger[note.ambiguous ? "warn" : "info"](note.message);
      await this.#options.preExecutionCallback?.(this);
      const environment = (current: Project) => ({
        ...this.#core.handlingEnvironment({ project: current, control, logger: events.logger, settings: resolved, actor: "agent" }),
        events,
        failedTasks: this.#failedTasks,
        retryFailedAfterMs: resolved.retryFailedAfterMs,
        claimLeaseMs: resolved.claimLeaseMs,
      });
      let env = environment(project);
      for (;;) {
        const passStarted = Date.now();
        // Polling: the workflow or ontology may have been edited since the project was read.
        if (report.passes > 0 && resolved.refreshEveryMs !== undefined && (await this.#projectChanged(backend, project, control))) {
          if (control.stopping) break;
          project = await loadRunnableProject(backend, project.uuid, this.#typedProject);
          const uuids = stages.map((b) => b.stage.uuid);
          stages = uuids.map((uuid) => this.#boundStage(project, uuid));
          env = environment(project);
          events.logger.info(`The workflow or ontology of project ${JSON.stringify(project.title)} changed; pass ${report.passes + 1} uses it as it is now.`);
        }
        report.passes++;
        for (const [i, bound] of stages.entries()) {
          if (control.stopping) break;
          await drainStage(env, bound, report.stages[i]!, {
            taskBatchSize: resolved.taskBatchSize,
            maxTasksPerStage: resolved.maxTasksPerStage,
            pass: report.passes,
          });
        }
        // Thrown once the stage has committed what was decided.
        if (control.configurationError) throw control.configurationError;
        await recording?.progress(report);
        if (waitForChange !== undefined && !control.stopping) {
          // Watching: the next pass starts when the store changes, not on a clock.
          events.passFinished(report.passes, undefined);
          await waitForChange(control.stopSignal);
          if (control.stopping) break;
          continue;
        }
        if (resolved.refreshEveryMs === undefined || control.stopping) {
          events.passFinished(report.passes, undefined);
          break;
        }
        // The next pass starts refreshEvery after this one started, at once if it took longer.
        const wait = Math.max(0, passStarted + resolved.refreshEveryMs - Date.now());
        events.passFinished(report.passes, wait);
        await sleepUnless(wait, control.stopSignal);
        if (control.stopping) break;
      }
      report.end = control.stopping ? "stopped" : "completed";
      return report;
    } catch (error) {
      failure = error;
      report.end = isConfigurationError(error) ? "configuration-error" : "error";
      throw error;
    } finally {
      stopWatchingBackOffs?.();
      stopLoggingBusyWaits();
      control.dispose();
      report.finishedAt = new Date();
      report.durationMs = performance.now() - started;
      await recording?.finish(report, failure);
      events.runFinished(report, failure);
      events.close();
    }
  }

  /**
   * Makes the file a command-line program: parses `argv` (`--project-hash`, `--refresh-every`,
   * `--num-retries`, `--task-batch-size`, `--max-tasks-per-stage`, `--concurrency`, `--json`,
   * `--help`), executes, and resolves to the exit code (also set as `process.exitCode`): 0 when no
   * task failed for good, 2 when some did (abandoned ones included), 1 on a configuration error,
   * 130 (143 for SIGTERM) when a second signal forced the stop. SIGINT/SIGTERM stop gracefully; a
   * second signal abandons in-flight handlers at once and commits what was decided. When handlers
   * the run abandoned are still running afterwards, they are listed and the process ends.
   */
  async run(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
    // Under `task-agents run <file>` the CLI imports the file and runs its exported runner with
    // its own flags, so a file that ends with `await runner.run()` works both ways.
    if ((globalThis as Record<symbol, unknown>)[loadingAgentFile] === true) return 0;
    // Loaded here, so a library user who never calls run() does not load the command-line code.
    const { runFromCommandLine } = await import("../cli/run-command.js");
    const code = await runFromCommandLine(this, argv, { streams: this.streams, installSignalHandlers: true, env: process.env });
    process.exitCode = code;
    return code;
  }

  /** @internal used by `task-agents run`: whether the runner came with its own backend */
  get hasOwnBackend(): boolean {
    return this.#core.hasOwnBackend;
  }

  /** @internal used by `serve` and `queue work` for metrics: the backend runs use (chosen now if need be) */
  get backendInUse(): Backend {
    return this.#backend();
  }

  /** @internal used by `--store`: the backend to use when none was given */
  useBackend(backend: Backend): void {
    this.#core.useBackend(backend);
  }

  /** Closes the backend the runner opened itself (not one passed in). Idempotent. */
  close(): Promise<void> {
    return this.#core.close();
  }
}
