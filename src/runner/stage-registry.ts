import { ConfigurationError, isConfigurationError, NotFoundError } from "../domain/errors.js";
import { findStage, stageMatchNote, requirePathway } from "../domain/workflow-lookup.js";
import { isAgentStage, type AgentStage, type Pathway, type Project } from "../domain/workflow.js";
import { contextNames, isDependency, type DependencyMap } from "../deps/define-dependency.js";
import { article, didYouMean } from "../shared/suggest.js";
import { isUuid } from "../shared/uuid.js";
import type { BatchLoader, PrefetchKind } from "./batch-data.js";
import type { StageHandler, StageOptions } from "./handler.js";
import { allDependencies } from "./resolve-deps.js";

/** A handler as registered, before it is bound to a project's stage. */
interface Registration {
  readonly ref: string;
  readonly handler: StageHandler<DependencyMap>;
  readonly options: StageOptions<DependencyMap>;
}

/** A handler bound to an AGENT stage of a project, with what its batches must fetch. */
export interface BoundStage {
  readonly stage: AgentStage;
  readonly handler: StageHandler<DependencyMap>;
  readonly options: StageOptions<DependencyMap>;
  readonly deps: DependencyMap;
  readonly prefetch: ReadonlySet<PrefetchKind>;
  /** Loaders the batch runs once for these dependencies (the twin project's rows…). */
  readonly batchLoaders: ReadonlySet<BatchLoader>;
  readonly canSetPriority: boolean;
  /** Where a task goes once its last attempt failed (`onFailure`); undefined: it stays. */
  readonly failurePathway: Pathway | undefined;
}

const optionKeys = new Set(["deps", "labelRowMetadataIncludeArgs", "labelRowInitialiseLabelsArgs", "overwrite", "willSetPriority", "onFailure"]);

function agentStageList(project: Project): string {
  return project.stages
    .filter(isAgentStage)
    .map((s) => `${JSON.stringify(s.title)} (${s.uuid})`)
    .join(", ");
}

function suggestedCall(project: Project): string {
  const agents = project.stages.filter(isAgentStage);
  // "runner" stands for a Runner or a QueueRunner: both register the same way.
  return agents.length === 1 ? `runner.stage(${JSON.stringify(agents[0]!.title)}, handler)` : `runner.stage("<title or UUID of an agent stage>", handler)`;
}

/** The AGENT stage a registration names, or a ConfigurationError that lists the agent stages. */
export function resolveAgentStage(project: Project, ref: string): AgentStage {
  const stage = findStage(project, ref);
  if (!stage) {
    const titles = project.stages.filter(isAgentStage).map((s) => s.title);
    throw new NotFoundError(
      "TA_UNKNOWN_STAGE",
      `Project ${JSON.stringify(project.title)} has no stage ${JSON.stringify(ref)}` +
        `. Agent stages: ${agentStageList(project)}.` +
        `${isUuid(ref) ? "" : didYouMean(ref, titles)} Register with ${suggestedCall(project)}.`,
    );
  }
  if (!isAgentStage(stage)) {
    throw new ConfigurationError(
      "TA_UNKNOWN_STAGE",
      `Stage ${JSON.stringify(stage.title)} is ${article(stage.type)} ` +
        `${stage.type} stage; handlers run only in AGENT stages. Agent stages: ` +
        `${agentStageList(project)}. Register with ${suggestedCall(project)}.`,
    );
  }
  return stage;
}

/** The pathway `onFailure` names, or a ConfigurationError naming the call and the stage's pathways. */
function resolveFailurePathway(stage: AgentStage, ref: string, onFailure: string): Pathway {
  try {
    return requirePathway(stage, onFailure);
  } catch (error) {
    if (!isConfigurationError(error)) throw error;
    throw new NotFoundError("TA_UNKNOWN_PATHWAY", `runner.stage(${JSON.stringify(ref)}, { onFailure }, …): ${error.message}`);
  }
}

function checkRegistration(ref: unknown, options: StageOptions<DependencyMap>, handler: unknown): void {
  if (typeof ref !== "string" || ref.trim() === "") {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `runner.stage() needs a stage title or UUID as its first argument, got ${JSON.stringify(ref) ?? String(ref)}.`,
    );
  }
  if (typeof handler !== "function") {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `runner.stage(${JSON.stringify(ref)}, …) needs a handler function as its last argument.`);
  }
  const unknown = Object.keys(options).filter((k) => !optionKeys.has(k));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `runner.stage(${JSON.stringify(ref)}, …): unknown option${unknown.length === 1 ? "" : "s"} ` +
        `${unknown.map((k) => JSON.stringify(k)).join(", ")}; accepted: ${[...optionKeys].join(", ")}.`,
    );
  }
  if (options.onFailure !== undefined && (typeof options.onFailure !== "string" || options.onFailure.trim() === "")) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `runner.stage(${JSON.stringify(ref)}, …): onFailure must be the name or UUID of one of the ` +
        `stage's pathways, got ${JSON.stringify(options.onFailure) ?? String(options.onFailure)}.`,
    );
  }
  for (const [name, dependency] of Object.entries(options.deps ?? {})) {
    if (contextNames.has(name)) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `runner.stage(${JSON.stringify(ref)}, …): a dependency may not be called ` +
          `${JSON.stringify(name)}; the context already has ${[...contextNames].join(", ")}.`,
      );
    }
    if (!isDependency(dependency)) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `runner.stage(${JSON.stringify(ref)}, …): deps.${name} is not a dependency; ` +
          `use a built-in (labelRow, storageItem) or one made with defineDependency().`,
      );
    }
  }
}

/** The handlers of a runner, in registration order. */
export class StageRegistry {
  #entries: Registration[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /**
   * What the log should say about handlers registered with a title that parses as a UUID (see
   * stageMatchNote), by the UUID of the stage each is bound to.
   */
  matchNotes(project: Project): Map<string, { readonly ambiguous: boolean; readonly message: string }> {
    const notes = new Map<string, { ambiguous: boolean; message: string }>();
    for (const { ref } of this.#entries) {
      const note = stageMatchNote(project, ref);
      const stage = findStage(project, ref);
      if (note && stage) notes.set(stage.uuid, { ambiguous: note.ambiguous, message: `runner.stage(${JSON.stringify(ref)}, …): ${note.message}` });
    }
    return notes;
  }

  /** Adds a handler; with a known project the stage is checked now, otherwise at execution. */
  add(ref: string, options: StageOptions<DependencyMap>, handler: StageHandler<DependencyMap>, project: Project | undefined): void {
    checkRegistration(ref, options, handler);
    // Only the new registration is checked here; earlier ones were checked when they were added
    // (or will be at execution), so an error always names the call that caused it.
    const key = (r: string) => (project ? (findStage(project, r)?.uuid ?? r) : isUuid(r) ? r.toLowerCase() : r);
    const stage = project ? resolveAgentStage(project, ref) : undefined;
    if (stage && options.onFailure !== undefined) resolveFailurePathway(stage, ref, options.onFailure);
    const newKey = stage ? stage.uuid : key(ref);
    const index = this.#entries.findIndex((e) => key(e.ref) === newKey);
    const entry: Registration = { ref, handler, options };
    if (index === -1) {
      this.#entries.push(entry);
      return;
    }
    if (!options.overwrite) throw duplicateError(ref);
    this.#entries[index] = entry;
  }

  /** Binds every handler to its stage of `project`, in registration order. */
  bind(project: Project): BoundStage[] {
    if (this.#entries.length === 0) {
      throw new ConfigurationError(
        "TA_NO_HANDLERS",
        `No handlers are registered. Register one per agent stage with ${suggestedCall(project)} before executing. Agent stages: ${agentStageList(project)}.`,
      );
    }
    const bound: BoundStage[] = [];
    for (const entry of this.#entries) {
      const stage = resolveAgentStage(project, entry.ref);
      const existing = bound.findIndex((b) => b.stage.uuid === stage.uuid);
      const deps = entry.options.deps ?? {};
      const reachable = allDependencies(deps);
      const prefetch = new Set([...reachable].flatMap((d) => d.prefetch));
      const batchLoaders = new Set([...reachable].flatMap((d) => d.batchLoaders));
      const failurePathway = entry.options.onFailure === undefined ? undefined : resolveFailurePathway(stage, entry.ref, entry.options.onFailure);
      const item: BoundStage = {
        stage,
        handler: entry.handler,
        options: entry.options,
        deps,
        prefetch,
        batchLoaders,
        // Asked of what the dependencies declare, not of which they are: see PrefetchKind.
        canSetPriority: entry.options.willSetPriority === true || prefetch.has("labelRow"),
        failurePathway,
      };
      if (existing === -1) bound.push(item);
      // The same stage by title and by UUID: only an overwrite may say so.
      else if (entry.options.overwrite) bound[existing] = item;
      else throw duplicateError(entry.ref);
    }
    return bound;
  }
}

function duplicateError(ref: string): ConfigurationError {
  return new ConfigurationError(
    "TA_DUPLICATE_STAGE",
    `A handler is already registered for stage ${JSON.stringify(ref)}. One handler per stage; pass { overwrite: true } to replace it.`,
  );
}
