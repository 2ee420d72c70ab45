import { ConfigurationError, NotFoundError, isTaskAgentsError } from "../../domain/errors.js";
import type { LabelRowJson, LabelRowMetadataIncludeArgs, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import type { StorageItem } from "../../domain/storage-item.js";
import type { Pathway, Project } from "../../domain/workflow.js";
import { isUuid } from "../../shared/uuid.js";
import type { Backend, BatchCommit, CommitResult, InitialiseLabelsArgs, ListTasksOptions, RefusedMove, TaskMove, TaskPage } from "../backend.js";
import { chunks } from "./chunks.js";
import { metadataFromWire, ontologyStructureFromWire, projectFromWire, storageItemFromWire, taskFromWire } from "./encord-wire.js";
import { EncordApiError } from "./http/errors.js";
import { EncordHttpClient, type EncordHttpClientOptions } from "./http/index.js";
import { encordLimits } from "./limits.js";
import type { EncordSettings } from "./settings.js";

/** Options of {@link encordBackend}. */
export interface EncordBackendOptions extends Omit<EncordHttpClientOptions, "settings"> {
  readonly settings: EncordSettings;
}

interface PageWire {
  results?: unknown[];
  nextPageToken?: string | null;
  next_page_token?: string | null;
}

/**
 * The Encord cloud API as a {@link Backend}: v2 for projects, tasks, actions, priorities and
 * storage items, v1 for label rows (protocol notes §3–§6), every call in bulk and chunked at
 * the SDK's limits.
 */
export class EncordBackend implements Backend {
  readonly kind = "encord";
  readonly description: string;
  readonly #client: EncordHttpClient;
  /** Label hashes from the latest metadata listings, so fetching rows needs no second listing. */
  readonly #metadataByDataHash = new Map<string, LabelRowMetadataJson>();
  readonly #pathwaysByProject = new Map<string, Map<string, Pathway>>();

  constructor(options: EncordBackendOptions) {
    this.#client = new EncordHttpClient(options);
    this.description = `Encord ${options.settings.domain}`;
  }

  /** Requests sent so far (attempts, retries), for benchmarks and tests. */
  get stats(): EncordHttpClient["stats"] {
    return this.#client.stats;
  }

  async getProject(projectHash: string, options: { signal?: AbortSignal } = {}): Promise<Project> {
    if (!isUuid(projectHash)) {
      throw new ConfigurationError("TA_INVALID_PROJECT_HASH", `Project hash ${JSON.stringify(projectHash)} is not a UUID; Encord project hashes look like "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b".`);
    }
    let wire: Record<string, unknown> | null;
    try {
      wire = await this.#client.v2<Record<string, unknown>>("GET", `projects/${projectHash}`, withSignal(options.signal));
    } catch (error) {
      if (error instanceof EncordApiError && (error.status === 404 || error.status === 403)) {
        throw new NotFoundError(
          "TA_UNKNOWN_PROJECT",
          `Project ${projectHash} was not found on ${this.description.replace(/^Encord /, "")}, or the key's user has no access to it (Encord said: ${error.message})`,
          { cause: error },
        );
      }
      throw error;
    }
    if (wire === null) throw new NotFoundError("TA_UNKNOWN_PROJECT", `Project ${projectHash} was not found on ${this.description}.`);
    const ontologyHash = typeof wire["ontologyHash"] === "string" ? wire["ontologyHash"] : typeof wire["ontology_hash"] === "string" ? wire["ontology_hash"] : null;
    const ontology = ontologyHash === null
      ? ontologyStructureFromWire({ editor: wire["editorOntology"] ?? wire["editor_ontology"] })
      : ontologyStructureFromWire(await this.#client.v2("GET", `ontologies/${ontologyHash}`, withSignal(options.signal)));
    const project = projectFromWire(wire, ontology);
    if (project.projectType !== "workflow") {
      throw new ConfigurationError(
        "TA_NOT_WORKFLOW_PROJECT",
        `Project ${projectHash} ("${project.title}") is not a workflow project; task agents run on the AGENT stages of workflow projects.`,
      );
    }
    this.#pathwaysByProject.set(projectHash, new Map(project.stages.flatMap((stage) => stage.pathways.map((p) => [p.uuid, p] as const))));
    return project;
  }

  async listStageTasks(projectHash: string, stageUuid: string, options: ListTasksOptions = {}): Promise<TaskPage> {
    const page = await this.#client.v2<PageWire>("GET", `projects/${projectHash}/workflow/stages/${stageUuid}/tasks`, {
      query: { pageToken: options.pageToken, dataHashes: options.dataHashes },
      ...withSignal(options.signal),
    });
    return {
      tasks: (page?.results ?? []).map((task) => taskFromWire(task, stageUuid)),
      nextPageToken: page?.nextPageToken ?? page?.next_page_token ?? null,
    };
  }

  async getLabelRowMetadata(projectHash: string, dataHashes: readonly string[], include: LabelRowMetadataIncludeArgs = {}): Promise<LabelRowMetadataJson[]> {
    const found = new Map<string, LabelRowMetadataJson>();
    for (const chunk of chunks(dataHashes, encordLimits.metadataPerList)) {
      const rows = await this.#client.v1<unknown[]>({ projectHash }, "labelrowmetadata", "GET", null, metadataQuery(chunk, include), { retryable: true });
      for (const row of rows ?? []) {
        const metadata = metadataFromWire(row);
        found.set(metadata.data_hash, metadata);
        this.#remember(metadata);
      }
    }
    return dataHashes.flatMap((hash) => (found.has(hash) ? [found.get(hash)!] : []));
  }

  async getLabelRows(projectHash: string, dataHashes: readonly string[], args: InitialiseLabelsArgs = {}): Promise<LabelRowJson[]> {
    const unknown = dataHashes.filter((hash) => !this.#metadataByDataHash.has(hash));
    if (unknown.length > 0) await this.getLabelRowMetadata(projectHash, unknown);
    const existing: string[] = [];
    const missing: string[] = [];
    for (const hash of dataHashes) {
      const labelHash = this.#metadataByDataHash.get(hash)?.label_hash;
      if (labelHash) existing.push(labelHash);
      else if (this.#metadataByDataHash.has(hash)) missing.push(hash);
    }
    const byDataHash = new Map<string, LabelRowJson>();
    for (const chunk of chunks(existing, encordLimits.labelRowsPerGet)) {
      const rows = await this.#client.v1<LabelRowJson[]>({ projectHash }, "labelrow", "GET", chunk, {
        get_signed_url: false,
        multi_request: true,
        include_object_feature_hashes: args.includeObjectFeatureHashes ?? null,
        include_classification_feature_hashes: args.includeClassificationFeatureHashes ?? null,
        include_reviews: args.includeReviews ?? false,
        include_export_history: false,
        include_archived: false,
      }, { retryable: true });
      for (const row of rows ?? []) byDataHash.set(row.data_hash, row);
    }
    // Rows that do not exist yet are created (the SDK's initialise_labels does the same; not retried).
    for (const chunk of chunks(missing, encordLimits.labelRowsPerCreate)) {
      const rows = await this.#client.v1<LabelRowJson[]>({ projectHash }, "labelrow", "PUT", chunk, { multi_request: true, get_signed_url: false, branch_name: null }, { retryable: false });
      for (const row of rows ?? []) {
        byDataHash.set(row.data_hash, row);
        const metadata = this.#metadataByDataHash.get(row.data_hash);
        if (metadata && row.label_hash) this.#remember({ ...metadata, label_hash: row.label_hash });
      }
    }
    return dataHashes.flatMap((hash) => (byDataHash.has(hash) ? [byDataHash.get(hash)!] : []));
  }

  async getStorageItems(itemUuids: readonly string[], options: { signUrls?: boolean } = {}): Promise<StorageItem[]> {
    const items: StorageItem[] = [];
    for (const chunk of chunks(itemUuids, encordLimits.storageItemsPerRequest)) {
      const page = await this.#client.v2<PageWire>("POST", "storage/items/get-bulk", { body: { itemUuids: chunk, signUrls: options.signUrls ?? false } });
      items.push(...(page?.results ?? []).map(storageItemFromWire));
    }
    return items;
  }

  async commit(projectHash: string, batch: BatchCommit): Promise<CommitResult> {
    const signal = batch.signal;
    let saved = 0;
    const saves = batch.labelSaves ?? [];
    for (const chunk of chunks(saves, encordLimits.labelRowsPerSave)) {
      const labelHashes = chunk.map((save) => save.labelRow.label_hash ?? this.#metadataByDataHash.get(save.dataHash)?.label_hash ?? null);
      const unsaved = chunk.filter((_, i) => !labelHashes[i]);
      if (unsaved.length > 0) {
        throw new ConfigurationError("TA_INVALID_ARGUMENT", `Label rows of ${unsaved.map((s) => s.dataHash).join(", ")} have no label hash; a row must be fetched (and so created) before it is saved.`);
      }
      await this.#client.v1({ projectHash }, "labelrow", "POST", labelHashes, { multi_request: true, labels: chunk.map((save) => save.labelRow), validate_before_saving: false }, { retryable: true, ...withSignal(signal) });
      saved += chunk.length;
    }
    let prioritised = 0;
    for (const chunk of chunks(batch.priorities ?? [], encordLimits.prioritiesPerRequest)) {
      await this.#client.v2("POST", `projects/${projectHash}/priorities`, { body: { priorities: chunk.map((p) => [p.dataHash, p.priority]) }, ...withSignal(signal) });
      prioritised += chunk.length;
    }
    const { moved, refused } = await this.#move(projectHash, batch.moves ?? [], signal);
    return { saved, prioritised, moved, refused };
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  #remember(metadata: LabelRowMetadataJson): void {
    this.#metadataByDataHash.delete(metadata.data_hash);
    this.#metadataByDataHash.set(metadata.data_hash, metadata);
    // Bounded: a long polling run sees every item of the project over time.
    if (this.#metadataByDataHash.size > 20_000) this.#metadataByDataHash.delete(this.#metadataByDataHash.keys().next().value as string);
  }

  async #move(projectHash: string, moves: readonly TaskMove[], signal: AbortSignal | undefined): Promise<Pick<CommitResult, "moved" | "refused">> {
    const moved: { taskUuid: string; toStageUuid: string }[] = [];
    const refused: RefusedMove[] = [];
    if (moves.length === 0) return { moved, refused };
    let pathways = this.#pathwaysByProject.get(projectHash);
    if (pathways === undefined) {
      await this.getProject(projectHash, withSignal(signal));
      pathways = this.#pathwaysByProject.get(projectHash)!;
    }
    const byStage = new Map<string, TaskMove[]>();
    for (const move of moves) {
      if (!pathways.has(move.pathwayUuid)) {
        refused.push({ taskUuid: move.taskUuid, reason: "unknown-pathway", message: `Pathway ${move.pathwayUuid} is not a pathway of stage ${move.fromStageUuid}.` });
        continue;
      }
      byStage.set(move.fromStageUuid, [...(byStage.get(move.fromStageUuid) ?? []), move]);
    }
    for (const [stageUuid, stageMoves] of byStage) {
      for (const chunk of chunks(stageMoves, encordLimits.actionsPerRequest)) {
        const outcome = await this.#proceed(projectHash, stageUuid, chunk, pathways, signal);
        moved.push(...outcome.moved);
        refused.push(...outcome.refused);
      }
    }
    return { moved, refused };
  }

  /**
   * One `PATHWAY_ACTION` request for a chunk. When Encord refuses it (a task left the stage),
   * the tasks still there are looked up and moved; the others are reported, never retried blindly.
   */
  async #proceed(projectHash: string, stageUuid: string, chunk: readonly TaskMove[], pathways: Map<string, Pathway>, signal: AbortSignal | undefined): Promise<Pick<CommitResult, "moved" | "refused">> {
    const send = (items: readonly TaskMove[]) =>
      this.#client.v2("POST", `projects/${projectHash}/workflow/stages/${stageUuid}/actions`, {
        body: items.map((move) => ({ taskUuid: move.taskUuid, action: "PATHWAY_ACTION", pathwayUuid: move.pathwayUuid })),
        ...withSignal(signal),
      });
    const done = (items: readonly TaskMove[]) => items.map((move) => ({ taskUuid: move.taskUuid, toStageUuid: pathways.get(move.pathwayUuid)!.destinationUuid }));
    try {
      await send(chunk);
      return { moved: done(chunk), refused: [] };
    } catch (error) {
      if (!(error instanceof EncordApiError) || !(error.status === 400 || error.status === 404 || error.status === 409)) throw error;
      const stillThere = await this.#tasksInStage(projectHash, stageUuid, chunk, signal);
      const retry = chunk.filter((move) => stillThere.has(move.taskUuid));
      const gone = chunk.filter((move) => !stillThere.has(move.taskUuid));
      if (retry.length === chunk.length) throw error;
      // A task that already reached the pathway's destination was moved by an earlier attempt
      // whose answer was lost: it counts as moved, once.
      const arrived = await this.#arrivedAlready(projectHash, gone, pathways, signal);
      const moved = done(gone.filter((move) => arrived.has(move.taskUuid)));
      const refused: RefusedMove[] = gone
        .filter((move) => !arrived.has(move.taskUuid))
        .map((move) => ({ taskUuid: move.taskUuid, reason: "not-in-stage", message: `Task ${move.taskUuid} is no longer in stage ${stageUuid}; it was not moved.` }));
      if (retry.length > 0) {
        const outcome = await this.#proceed(projectHash, stageUuid, retry, pathways, signal);
        return { moved: [...moved, ...outcome.moved], refused: [...refused, ...outcome.refused] };
      }
      return { moved, refused };
    }
  }

  async #tasksInStage(projectHash: string, stageUuid: string, moves: readonly TaskMove[], signal: AbortSignal | undefined): Promise<Set<string>> {
    const dataHashes = moves.flatMap((move) => (move.dataHash ? [move.dataHash] : []));
    const present = new Set<string>();
    if (dataHashes.length < moves.length) {
      // Without data hashes the stage has to be paged whole.
      for (let token: string | null | undefined = undefined; ; ) {
        const page: TaskPage = await this.listStageTasks(projectHash, stageUuid, { ...(token ? { pageToken: token } : {}), ...withSignal(signal) });
        for (const task of page.tasks) present.add(task.uuid);
        token = page.nextPageToken;
        if (!token) break;
      }
      return present;
    }
    for (const chunk of chunks(dataHashes, 100)) {
      for (let token: string | null | undefined = undefined; ; ) {
        const page: TaskPage = await this.listStageTasks(projectHash, stageUuid, { dataHashes: chunk, ...(token ? { pageToken: token } : {}), ...withSignal(signal) });
        for (const task of page.tasks) present.add(task.uuid);
        token = page.nextPageToken;
        if (!token) break;
      }
    }
    return present;
  }

  async #arrivedAlready(projectHash: string, moves: readonly TaskMove[], pathways: Map<string, Pathway>, signal: AbortSignal | undefined): Promise<Set<string>> {
    const arrived = new Set<string>();
    const byDestination = new Map<string, TaskMove[]>();
    for (const move of moves) {
      if (!move.dataHash) continue;
      const destination = pathways.get(move.pathwayUuid)!.destinationUuid;
      byDestination.set(destination, [...(byDestination.get(destination) ?? []), move]);
    }
    for (const [destination, destinationMoves] of byDestination) {
      try {
        for (const uuid of await this.#tasksInStage(projectHash, destination, destinationMoves, signal)) arrived.add(uuid);
      } catch (error) {
        // Some stage types (DONE) may not list tasks for an agent's key; then the move stays "refused".
        if (!isTaskAgentsError(error)) throw error;
      }
    }
    return arrived;
  }
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

function metadataQuery(dataHashes: readonly string[], include: LabelRowMetadataIncludeArgs): Record<string, unknown> {
  return {
    edited_before: null,
    edited_after: null,
    label_statuses: null,
    shadow_data_state: null,
    include_uninitialised_labels: true,
    data_hashes: dataHashes,
    label_hashes: null,
    data_title_eq: null,
    data_title_like: null,
    workflow_graph_node_title_eq: null,
    workflow_graph_node_title_like: null,
    include_client_metadata: include.includeClientMetadata ?? false,
    include_images_data: include.includeImagesData ?? false,
    include_children: false,
    include_workflow_graph_node: true,
    include_all_label_branches: include.includeAllLabelBranches ?? false,
    branch_name: null,
  };
}

/** The Encord backend for these settings (see `encordSettingsFromEnv`). */
export function encordBackend(options: EncordBackendOptions): EncordBackend {
  return new EncordBackend(options);
}
