import { BackendError, ConfigurationError, NotFoundError } from "../../domain/errors.js";
import type { LabelRowJson, LabelRowMetadataIncludeArgs, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import type { StorageItem, StorageItemType } from "../../domain/storage-item.js";
import type { Project } from "../../domain/workflow.js";
import { settleAll } from "../../shared/settle-all.js";
import { assertProjectHash, assertWorkflowProject } from "../../domain/project-checks.js";
import type {
  BackOff,
  Backend,
  RequestOutcome,
  BatchCommit,
  CommitResult,
  InitialiseLabelsArgs,
  ListTasksOptions,
  ReadStageOptions,
  StageReader,
  StorageItemPatch,
  TaskPage,
} from "../backend.js";
import { chunks } from "./chunks.js";
import {
  labelRowsFromWire,
  listFromWire,
  metadataFromWire,
  ontologyStructureFromWire,
  pageFromWire,
  projectFromWire,
  storageItemFromWire,
  taskFromWire,
} from "./encord-wire.js";
import { abortableSleep } from "./http/abortable-sleep.js";
import { isEncordApiError, type EncordApiError } from "./http/errors.js";
import { EncordHttpClient, withoutNulls, type EncordHttpClientOptions } from "./http/index.js";
import { encordLimits } from "./limits.js";
import type { ReaderThreadData } from "./listing/reader-messages.js";
import { ThreadedStageReader } from "./listing/threaded-stage-reader.js";
import type { EncordSettings } from "./settings.js";
import { privateKeyObjectOf } from "./ssh-key.js";
import { TaskMover, type StagePathways } from "./task-mover.js";
import { withSignal } from "./with-signal.js";

/** Options of {@link encordBackend}. */
export interface EncordBackendOptions extends Omit<EncordHttpClientOptions, "settings"> {
  readonly settings: EncordSettings;
  /**
   * Whether a pass reads a stage's listing on a thread of its own (`readStageAhead`), so that
   * handlers never hold the next page back. @defaultValue true
   */
  readonly readerThread?: boolean;
}

interface PageWire {
  results?: unknown[];
  nextPageToken?: string | null;
  next_page_token?: string | null;
}

/**
 * The Encord cloud API as a {@link Backend}: v2 for projects, tasks, actions, priorities and
 * storage items, v1 for label rows (docs/encord-protocol.md §3–§6), every call in bulk and chunked at
 * the SDK's limits.
 */
export class EncordBackend implements Backend {
  readonly kind = "encord";
  readonly description: string;
  readonly #client: EncordHttpClient;
  readonly #options: EncordBackendOptions;
  readonly #readers = new Set<StageReader>();
  readonly #domain: string;
  readonly #mover: TaskMover;
  /**
   * Label hashes from the latest metadata listings, so fetching rows needs no second listing. By
   * project and data hash: the same data (and data hash) can sit in several projects, each with
   * its own label row.
   */
  readonly #metadataByDataHash = new Map<string, LabelRowMetadataJson>();
  readonly #pathwaysByProject = new Map<string, StagePathways>();
  /** What of each project's wire a run depends on, as last read by getProject (see revisionOf). */
  readonly #revisions = new Map<string, string>();

  constructor(options: EncordBackendOptions) {
    this.#client = new EncordHttpClient(options);
    this.#options = options;
    this.#domain = this.#client.domain;
    this.description = `Encord ${this.#domain}`;
    this.#mover = new TaskMover(
      this.#client,
      {
        maxRetries: options.maxRetries ?? 3,
        backoffFactor: options.backoffFactor ?? 1.5,
        backoffMaxMs: options.backoffMaxMs ?? 120_000,
        sleep: options.sleep ?? abortableSleep,
      },
      (projectHash, stageUuid, listOptions) => this.listStageTasks(projectHash, stageUuid, listOptions),
      async (projectHash, dataHashes) =>
        new Map((await this.getLabelRowMetadata(projectHash, dataHashes)).map((m) => [m.data_hash, m.workflow_graph_node?.uuid ?? null])),
    );
  }

  /** Requests sent so far (attempts, retries, throttled), for benchmarks and tests. */
  get stats(): EncordHttpClient["stats"] {
    return this.#client.stats;
  }

  onBackOff(listener: (event: BackOff) => void): () => void {
    return this.#client.onBackOff(listener);
  }

  onRequest(listener: (event: RequestOutcome) => void): () => void {
    return this.#client.onRequest(listener);
  }

  async getProject(projectHash: string, options: { signal?: AbortSignal } = {}): Promise<Project> {
    assertProjectHash(projectHash);
    const wire = await this.#projectWire(projectHash, options.signal);
    if (wire === null) throw new NotFoundError("TA_UNKNOWN_PROJECT", `Project ${projectHash} was not found on ${this.#domain}.`);
    let ontologyWire: unknown;
    try {
      const ontologyHash =
        typeof wire["ontologyHash"] === "string" ? wire["ontologyHash"] : typeof wire["ontology_hash"] === "string" ? wire["ontology_hash"] : null;
      ontologyWire =
        ontologyHash === null
          ? { editor: wire["editorOntology"] ?? wire["editor_ontology"] }
          : await this.#client.v2("GET", `ontologies/${ontologyHash}`, withSignal(options.signal));
    } catch (error) {
      throw this.#projectError(projectHash, error);
    }
    const project = projectFromWire(wire, ontologyStructureFromWire(ontologyWire));
    assertWorkflowProject(project);
    this.#revisions.set(projectHash, revisionOf(wire));
    this.#pathwaysByProject.set(projectHash, new Map(project.stages.map((stage) => [stage.uuid, new Map(stage.pathways.map((p) => [p.uuid, p]))])));
    return project;
  }

  async projectChanged(projectHash: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const loaded = this.#revisions.get(projectHash);
    if (loaded === undefined) return true;
    const wire = await this.#projectWire(projectHash, options.signal);
    return wire === null || revisionOf(wire) !== loaded;
  }

  /** The project as Encord sends it (null: no content), its failures in the terms of {@link #projectError}. */
  async #projectWire(projectHash: string, signal: AbortSignal | undefined): Promise<Record<string, unknown> | null> {
    try {
      return await this.#client.v2<Record<string, unknown>>("GET", `projects/${projectHash}`, withSignal(signal));
    } catch (error) {
      throw this.#projectError(projectHash, error);
    }
  }

  /**
   * The first call of a run tells whether the credentials and the project are right: its
   * failures become configuration errors (exit 1) that say what to fix.
   */
  #projectError(projectHash: string, error: unknown): unknown {
    if (!isEncordApiError(error)) return error;
    const options = { cause: error };
    switch (error.code) {
      case "TA_ENCORD_AUTH":
        return new ConfigurationError("TA_ENCORD_AUTH", error.message, options);
      case "TA_ENCORD_FORBIDDEN":
        return new ConfigurationError(
          "TA_ENCORD_FORBIDDEN",
          `The Encord user of this key has no access to project ${projectHash} on ${this.#domain}` +
            `. Ask an admin of the project to add that user, or use the key of a user who has access.`,
          options,
        );
      case "TA_ENCORD_NOT_FOUND":
        return new NotFoundError(
          "TA_UNKNOWN_PROJECT",
          `Project ${projectHash} was not found on ${this.#domain}. Check the project ` +
            `hash (the UUID in the project's URL in the Encord app) and ENCORD_DOMAIN ` +
            `(https://api.encord.com, or https://api.us.encord.com for the US platform).`,
          options,
        );
      default:
        return error;
    }
  }

  readStageAhead(projectHash: string, stageUuid: string, options: ReadStageOptions = {}): StageReader {
    const reader = new ThreadedStageReader({
      thread: this.#readerThreadData(`projects/${projectHash}/workflow/stages/${stageUuid}/tasks`),
      readPage: (pageToken) =>
        this.listStageTasks(projectHash, stageUuid, { ...(pageToken === undefined ? {} : { pageToken }), ...withSignal(options.signal) }),
      decodePage: (page) => this.#taskPage(page, stageUuid),
      onRequest: (event) => this.#client.relayRequest(event),
      onBackOff: (event) => this.#client.relayBackOff(event),
      maxTasks: options.maxTasks ?? Number.POSITIVE_INFINITY,
      signal: options.signal,
    });
    this.#readers.add(reader);
    return {
      next: () => reader.next(),
      close: async () => {
        this.#readers.delete(reader);
        await reader.close();
      },
    };
  }

  /** What the reader thread needs to list like this backend; undefined when it cannot (or may not). */
  #readerThreadData(path: string): ReaderThreadData | undefined {
    const options = this.#options;
    // A fixed rate is this client's to keep: a second client would double it.
    if (options.readerThread === false || Number.isFinite(options.requestsPerSecond ?? Infinity) || options.sleep !== undefined || options.now !== undefined)
      return undefined;
    const { credentials } = options.settings;
    let threadCredentials: ReaderThreadData["credentials"];
    if (credentials.kind === "bearer") threadCredentials = { kind: "bearer", token: credentials.token.reveal() };
    else {
      const privateKey = privateKeyObjectOf(credentials.key);
      if (privateKey === undefined) return undefined;
      threadCredentials = { kind: "ssh", privateKey };
    }
    const { userAgent, maxRetries, backoffFactor, backoffMaxMs, timeoutMs } = options;
    const client = withoutNulls({ userAgent, maxRetries, backoffFactor, backoffMaxMs, timeoutMs }) as ReaderThreadData["client"];
    return { domain: options.settings.domain, credentials: threadCredentials, client, path };
  }

  #taskPage(wire: unknown, stageUuid: string): TaskPage {
    const page = pageFromWire(wire, `the tasks of stage ${stageUuid}`);
    return { tasks: page.results.map((task) => taskFromWire(task, stageUuid)), nextPageToken: page.nextPageToken };
  }

  async listStageTasks(projectHash: string, stageUuid: string, options: ListTasksOptions = {}): Promise<TaskPage> {
    // An empty filter would list the whole stage: no data items, no tasks.
    if (options.dataHashes?.length === 0) return { tasks: [], nextPageToken: null };
    const wire = await this.#client.v2<unknown>("GET", `projects/${projectHash}/workflow/stages/${stageUuid}/tasks`, {
      query: { pageToken: options.pageToken, dataHashes: options.dataHashes },
      ...withSignal(options.signal),
    });
    return this.#taskPage(wire, stageUuid);
  }

  async getLabelRowMetadata(projectHash: string, dataHashes: readonly string[], include: LabelRowMetadataIncludeArgs = {}): Promise<LabelRowMetadataJson[]> {
    const found = new Map<string, LabelRowMetadataJson>();
    const lists = await settleAll(
      chunks([...new Set(dataHashes)], encordLimits.metadataPerList).map((chunk) =>
        this.#client.v1<unknown>({ projectHash }, "labelrowmetadata", "GET", null, metadataQuery(chunk, include), { retryable: true }),
      ),
    );
    for (const rows of lists) {
      for (const row of listFromWire(rows, "label-row metadata")) {
        const metadata = metadataFromWire(row);
        found.set(metadata.data_hash, metadata);
        this.#remember(projectHash, metadata);
      }
    }
    return dataHashes.flatMap((hash) => (found.has(hash) ? [found.get(hash)!] : []));
  }

  async getLabelRows(projectHash: string, dataHashes: readonly string[], args: InitialiseLabelsArgs = {}): Promise<LabelRowJson[]> {
    const wanted = [...new Set(dataHashes)];
    const unknown = wanted.filter((hash) => !this.#metadataByDataHash.has(cacheKey(projectHash, hash)));
    if (unknown.length > 0) await this.getLabelRowMetadata(projectHash, unknown);
    const existing: string[] = [];
    const missing: string[] = [];
    for (const hash of wanted) {
      const metadata = this.#metadataByDataHash.get(cacheKey(projectHash, hash));
      if (metadata?.label_hash) existing.push(metadata.label_hash);
      else if (metadata) missing.push(hash);
    }
    const byDataHash = new Map<string, LabelRowJson>();
    // Reading existing rows and creating missing ones are independent: all chunks go out together.
    const fetched = chunks(existing, encordLimits.labelRowsPerGet).map((chunk) =>
      this.#client.v1<unknown>(
        { projectHash },
        "labelrow",
        "GET",
        chunk,
        {
          get_signed_url: false,
          multi_request: true,
          include_object_feature_hashes: args.includeObjectFeatureHashes ?? null,
          include_classification_feature_hashes: args.includeClassificationFeatureHashes ?? null,
          include_reviews: args.includeReviews ?? false,
          include_export_history: false,
          include_archived: false,
        },
        { retryable: true },
      ),
    );
    // Rows that do not exist yet are created (the SDK's initialise_labels does the same). Retried,
    // unlike the SDK (§3.3 (c)): else one 429, 5xx or reset connection ends the whole run. A retry
    // after a lost answer relies on creating an existing row returning it (the fake server's
    // choice; UNCONFIRMED on Encord).
    const created = chunks(missing, encordLimits.labelRowsPerCreate).map((chunk) =>
      this.#client.v1<unknown>(
        { projectHash },
        "labelrow",
        "PUT",
        chunk,
        { multi_request: true, get_signed_url: false, branch_name: null },
        { retryable: true },
      ),
    );
    const answers = await settleAll([...fetched, ...created]);
    for (const rows of answers.slice(0, fetched.length)) for (const row of labelRowsFromWire(rows)) byDataHash.set(row.data_hash, row);
    for (const rows of answers.slice(fetched.length)) {
      for (const row of labelRowsFromWire(rows)) {
        byDataHash.set(row.data_hash, row);
        const metadata = this.#metadataByDataHash.get(cacheKey(projectHash, row.data_hash));
        if (metadata && row.label_hash) this.#remember(projectHash, { ...metadata, label_hash: row.label_hash });
      }
    }
    return dataHashes.flatMap((hash) => (byDataHash.has(hash) ? [byDataHash.get(hash)!] : []));
  }

  async getStorageItems(itemUuids: readonly string[], options: { signUrls?: boolean } = {}): Promise<StorageItem[]> {
    const byUuid = new Map<string, StorageItem>();
    const wanted = [...new Set(itemUuids)];
    for (const chunk of chunks(wanted, encordLimits.storageItemsPerRequest)) {
      let page: PageWire | null;
      try {
        page = await this.#client.v2<PageWire>("POST", "storage/items/get-bulk", { body: { itemUuids: chunk, signUrls: options.signUrls ?? false } });
      } catch (error) {
        // Encord answers 403 (or 404) for the whole request when any item is unknown or not accessible.
        throw asMissingItems(chunk, error);
      }
      for (const item of pageFromWire(page, "storage items").results.map(storageItemFromWire)) byUuid.set(item.uuid.toLowerCase(), item);
    }
    const missing = wanted.filter((uuid) => !byUuid.has(uuid.toLowerCase()));
    if (missing.length > 0) throw missingItems(missing);
    return itemUuids.map((uuid) => byUuid.get(uuid.toLowerCase())!);
  }

  /**
   * Encord lists children per folder (`…/folders/{parent}/items/{uuid}/child-items`), so an item
   * without its folder (one not read from Encord) is fetched first. Items that cannot have
   * children (images, videos, …) give `[]` without a request, as Encord lists none for them.
   */
  async getChildItems(item: StorageItem, options: { signUrls?: boolean; signal?: AbortSignal } = {}): Promise<StorageItem[]> {
    if (!PARENT_TYPES.has(item.itemType)) return [];
    const parent = item.parentFolderUuid ?? (await this.#getStorageItem(item.uuid, options.signal)).parentFolderUuid;
    if (!parent) {
      throw new BackendError("TA_STORE_ERROR", `Encord sent storage item ${item.uuid} without its folder ("parent"), which listing its child items needs.`);
    }
    const children: StorageItem[] = [];
    const pages = this.#client.v2Pages<unknown>(
      `storage/folders/${parent}/items/${item.uuid}/child-items`,
      { signUrls: options.signUrls ?? false },
      withSignal(options.signal),
    );
    try {
      for await (const results of pages) children.push(...pageFromWire({ results }, `the child items of ${item.uuid}`).results.map(storageItemFromWire));
    } catch (error) {
      throw asMissingItems([item.uuid], error);
    }
    return children;
  }

  /** One storage item (`GET storage/items/{uuid}`, §6.1), unsigned. */
  async #getStorageItem(uuid: string, signal: AbortSignal | undefined): Promise<StorageItem> {
    let wire: unknown;
    try {
      wire = await this.#client.v2<unknown>("GET", `storage/items/${uuid}`, { query: { signUrl: false }, ...withSignal(signal) });
    } catch (error) {
      throw asMissingItems([uuid], error);
    }
    if (wire === null) throw missingItems([uuid]);
    return storageItemFromWire(wire);
  }

  async updateStorageItems(patches: readonly StorageItemPatch[]): Promise<StorageItem[]> {
    // Later patches of the same item win, field by field, as one bundled patch-bulk does (§5).
    const merged = new Map<string, Record<string, unknown>>();
    for (const patch of patches) {
      const fields = merged.get(patch.uuid) ?? {};
      if (patch.name !== undefined) fields["name"] = patch.name;
      if (patch.description !== undefined) fields["description"] = patch.description;
      if (patch.clientMetadata !== undefined) fields["clientMetadata"] = patch.clientMetadata;
      merged.set(patch.uuid, fields);
    }
    const byUuid = new Map<string, StorageItem>();
    // PATCH is not retried (§2.5): a patch whose answer was lost may or may not have been applied.
    for (const chunk of chunks([...merged], encordLimits.storageItemsPerRequest)) {
      let page: PageWire | null;
      try {
        page = await this.#client.v2<PageWire>("PATCH", "storage/items/patch-bulk", { body: { itemPatches: Object.fromEntries(chunk) } });
      } catch (error) {
        throw asMissingItems(
          chunk.map(([uuid]) => uuid),
          error,
        );
      }
      for (const item of pageFromWire(page, "storage items").results.map(storageItemFromWire)) byUuid.set(item.uuid.toLowerCase(), item);
    }
    const missing = [...merged.keys()].filter((uuid) => !byUuid.has(uuid.toLowerCase()));
    if (missing.length > 0) throw missingItems(missing);
    return [...merged.keys()].map((uuid) => byUuid.get(uuid.toLowerCase())!);
  }

  async commit(projectHash: string, batch: BatchCommit): Promise<CommitResult> {
    const signal = batch.signal;
    const saves = batch.labelSaves ?? [];
    // Every save is checked before any is sent, so a bad one cannot leave half a batch saved.
    const rows = saves.map((save) => {
      const labelHash = save.labelRow.label_hash ?? this.#metadataByDataHash.get(cacheKey(projectHash, save.dataHash))?.label_hash ?? null;
      return {
        dataHash: save.dataHash,
        labelHash,
        labelRow: labelHash === save.labelRow.label_hash ? save.labelRow : { ...save.labelRow, label_hash: labelHash },
      };
    });
    const unsaved = rows.filter((row) => !row.labelHash);
    if (unsaved.length > 0) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `Label rows of data ${unsaved.map((s) => s.dataHash).join(", ")} have no label ` +
          `hash; fetch them with getLabelRows (which creates missing rows) before saving them.`,
      );
    }
    // The chunks of each phase are independent and go out together; a phase starts once the one
    // before has finished, so each task's row is saved before its priority is set and it moves.
    const saveChunks = chunks(rows, encordLimits.labelRowsPerSave);
    await settleAll(
      saveChunks.map((chunk) =>
        // Saving overwrites the row, so a retry after a lost answer stores the same content again.
        this.#client.v1(
          { projectHash },
          "labelrow",
          "POST",
          chunk.map((row) => row.labelHash),
          { multi_request: true, labels: chunk.map((row) => row.labelRow), validate_before_saving: false },
          { retryable: true, ...withSignal(signal) },
        ),
      ),
    );
    const saved = rows.length;
    const priorityChunks = chunks(batch.priorities ?? [], encordLimits.prioritiesPerRequest);
    await settleAll(
      priorityChunks.map((chunk) =>
        this.#client.v2("POST", `projects/${projectHash}/priorities`, {
          body: { priorities: chunk.map((p) => [p.dataHash, p.priority]) },
          ...withSignal(signal),
        }),
      ),
    );
    const prioritised = batch.priorities?.length ?? 0;
    let stages = this.#pathwaysByProject.get(projectHash);
    if (stages === undefined && (batch.moves ?? []).length > 0) {
      await this.getProject(projectHash, withSignal(signal));
      stages = this.#pathwaysByProject.get(projectHash)!;
    }
    const { moved, refused } = await this.#mover.move(projectHash, batch.moves ?? [], stages ?? new Map(), signal);
    return { saved, prioritised, moved, refused };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#readers].map((reader) => reader.close()));
    await this.#client.close();
  }

  #remember(projectHash: string, metadata: LabelRowMetadataJson): void {
    const key = cacheKey(projectHash, metadata.data_hash);
    this.#metadataByDataHash.delete(key);
    this.#metadataByDataHash.set(key, metadata);
    // Bounded: a long polling run sees every item of the project over time.
    if (this.#metadataByDataHash.size > 20_000) this.#metadataByDataHash.delete(this.#metadataByDataHash.keys().next().value as string);
  }
}

function cacheKey(projectHash: string, dataHash: string): string {
  return `${projectHash.toLowerCase()} ${dataHash}`;
}

/** Item types that hold other items (§6.1, child items); only these are asked for children. */
const PARENT_TYPES: ReadonlySet<StorageItemType> = new Set<StorageItemType>(["imageGroup", "imageSequence", "dicomSeries", "group"]);

/**
 * What a storage call's failure means: Encord answers 403 (or 404) for a whole request when any
 * item in it is unknown or out of the key's reach, which is a missing item to the caller.
 */
function asMissingItems(uuids: readonly string[], error: unknown): unknown {
  return isEncordApiError(error) && (error.code === "TA_ENCORD_FORBIDDEN" || error.code === "TA_ENCORD_NOT_FOUND") ? missingItems(uuids, error) : error;
}

function missingItems(uuids: readonly string[], cause?: EncordApiError): BackendError {
  const shown = uuids.slice(0, 5).join(", ") + (uuids.length > 5 ? ` and ${uuids.length - 5} more` : "");
  return new BackendError(
    "TA_MISSING_STORAGE_ITEMS",
    `Encord returned no storage item for ` +
      `${uuids.length === 1 ? "" : `some of the ${uuids.length} items `}${shown}: ` +
      `${uuids.length === 1 ? "it does" : "they do"} not exist, ` +
      `or the key's user has no access to the folders holding them.`,
    cause === undefined ? undefined : { cause },
  );
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

/**
 * What a run depends on in a project's wire: its type, its ontology (hash and the project's copy
 * of the structure) and its workflow. Equal texts: nothing a run bound to has changed.
 */
function revisionOf(wire: Record<string, unknown>): string {
  const either = (camel: string, snake: string): unknown => wire[camel] ?? wire[snake];
  return JSON.stringify([
    either("projectType", "project_type"),
    either("ontologyHash", "ontology_hash"),
    either("editorOntology", "editor_ontology"),
    wire["workflow"],
  ]);
}
