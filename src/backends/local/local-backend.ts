import { existsSync } from "node:fs";
import type {
  Backend,
  BatchCommit,
  ClaimTasksOptions,
  CommitResult,
  InitialiseLabelsArgs,
  StorageItemPatch,
  StoreBusyWait,
  ListTasksOptions,
  TaskPage,
} from "../backend.js";
import type { LabelRowJson, LabelRowMetadataIncludeArgs, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import type { StorageItem } from "../../domain/storage-item.js";
import type { Project } from "../../domain/workflow.js";
import { commitBatch } from "./commit-batch.js";
import { ConfigurationError, NotFoundError, isTaskAgentsError } from "../../domain/errors.js";
import { addDataItems, type AddDataResult } from "./data-items.js";
import { itemsFromManifest, itemsFromPaths } from "./data-sources.js";
import { retryWhileBusy } from "./busy-retry.js";
import { StoreConnection, type Db, type StoreAccess } from "./database.js";
import { iterateLabelRowJson, selectLabelRowMetadata, selectLabelRows, selectSameData } from "./label-queries.js";
import { proceedTasks, type ProceedRequest, type ProceedResult } from "./proceed-tasks.js";
import { loadProjectSpec, validateProjectSpec } from "./project-spec.js";
import {
  countStageTasks,
  countTasksByStage,
  insertProject,
  listProjects,
  readProject,
  requireProjectRow,
  type ProjectSummary,
  type StageCounts,
} from "./projects.js";
import { selectChildItems, selectStorageItems, updateStorageItems } from "./storage-queries.js";
import { iterateHistoryPages, listTasksPage, requireStageOfProject, type TaskMoveRecord } from "./task-queries.js";
import { resolveStorePath } from "./store-path.js";
import { claimTasks, releaseClaims, renewClaims } from "./task-claims.js";
import { selectNotifyingStages, type NotifyingStage } from "./stage-notifications.js";
import { StoreChanges } from "./store-changes.js";
import { insertRun, updateRun, type WrittenState } from "./run-records.js";
import { findRun, listRuns, runFailures, type ListRunsOptions, type RunDetail, type RunFailureRow } from "./run-queries.js";
import type { RecordedRun, RunRecorder, RunStart } from "../../runner/run-recording.js";
import { failureNote } from "../../runner/run-report.js";

/** What {@link LocalBackend.addData} adds: files and folders, or a manifest. */
export interface DataSource {
  readonly paths?: readonly string[];
  /** Path of a JSON Lines manifest; `path` entries are relative to its folder. */
  readonly manifest?: string;
  /** Who added the data, for the task history. @defaultValue "api" */
  readonly actor?: string;
}

/** Options of {@link localBackend}. */
export interface LocalBackendOptions {
  /** Store file. @defaultValue `TASK_AGENTS_STORE`, else `./.task-agents/store.db` */
  readonly storePath?: string;
}

/**
 * The embedded store: one SQLite file holding many projects. Besides the {@link Backend}
 * operations it creates projects, adds data and lets people act in human stages.
 */
export class LocalBackend implements Backend, RunRecorder, AsyncDisposable {
  readonly kind = "local";
  readonly storePath: string;
  #store: StoreConnection | undefined;
  readonly #busyListeners = new Set<(wait: StoreBusyWait) => void>();
  #changes: StoreChanges | undefined;
  #closed = false;

  constructor(options: LocalBackendOptions = {}) {
    this.storePath = resolveStorePath(options.storePath);
  }

  get description(): string {
    return `local store ${this.storePath}`;
  }

  // Opened on first use so `new` stays cheap and side-effect free. Only creating a project
  // creates the store file; only writing migrates it; reading leaves the file as it is.
  #open(access: StoreAccess): Db {
    if (this.#closed) throw new Error("This local backend is closed.");
    if (this.#store === undefined) {
      this.#store = StoreConnection.open(this.storePath, access);
      // From here on, commits by others are changes a watcher sees (see waitForChange).
      this.#changes = new StoreChanges(this.#store.db);
    }
    return this.#store.use(access);
  }

  get #database(): Db {
    return this.#open("read");
  }

  /**
   * Runs `work` on the store, waiting while another process holds its write lock: until `signal`
   * fires, else for a minute (or `patienceMs`). Each wait is reported to {@link onStoreBusy}
   * listeners.
   */
  #whileBusy<T>(access: StoreAccess, operation: string, work: (db: Db) => T, signal?: AbortSignal, patienceMs?: number): Promise<T> {
    const db = this.#open(access);
    return retryWhileBusy(db, () => work(db), { storePath: this.storePath, operation, signal, patienceMs, onWait: (wait) => this.#reportWait(wait) });
  }

  #reportWait(wait: StoreBusyWait): void {
    for (const listener of this.#busyListeners) listener(wait);
  }

  /**
   * Calls `listener` each time an operation finds the store busy (another process writing to
   * it) and waits before trying again; returns the function that stops listening.
   */
  onStoreBusy(listener: (wait: StoreBusyWait) => void): () => void {
    this.#busyListeners.add(listener);
    return () => this.#busyListeners.delete(listener);
  }

  // Projects are never deleted, so one found stays found; this spares a lookup per call.
  readonly #knownProjects = new Set<string>();
  #projectUuid(projectHash: string): string {
    const key = projectHash.toLowerCase();
    if (this.#knownProjects.has(key)) return key;
    const uuid = requireProjectRow(this.#database, projectHash).uuid;
    this.#knownProjects.add(uuid);
    return uuid;
  }

  async getProject(projectHash: string, options?: { signal?: AbortSignal }): Promise<Project> {
    return this.#whileBusy("read", "project read", (db) => readProject(db, projectHash), options?.signal);
  }

  async listStageTasks(projectHash: string, stageUuid: string, options?: ListTasksOptions): Promise<TaskPage> {
    return this.#whileBusy(
      "read",
      "task listing",
      (db) => {
        const projectUuid = this.#projectUuid(projectHash);
        requireStageOfProject(db, projectUuid, stageUuid);
        return listTasksPage(db, projectUuid, stageUuid.toLowerCase(), options);
      },
      options?.signal,
    );
  }

  /**
   * Claims up to `options.limit` free tasks of a stage for `options.owner` in one write
   * transaction (see {@link Backend.claimStageTasks}); waits while another process writes, until
   * `options.signal` fires. A claim also ends when the process that took it is gone from this
   * machine, so a killed run's tasks are taken up at once by the next run on the machine.
   */
  async claimStageTasks(projectHash: string, stageUuid: string, options: ClaimTasksOptions): Promise<TaskPage> {
    return this.#whileBusy(
      "write",
      "task claim",
      (db) => {
        requireStageOfProject(db, this.#projectUuid(projectHash), stageUuid);
        return claimTasks(db, stageUuid.toLowerCase(), options);
      },
      options.signal,
    );
  }

  /** Waits while another process writes: until `options.signal` fires, else for a minute. */
  async renewClaims(owner: string, leaseMs: number, options?: { signal?: AbortSignal }): Promise<number> {
    return this.#whileBusy("write", "claim renewal", (db) => renewClaims(db, owner, leaseMs), options?.signal);
  }

  /** Waits while another process writes: until `options.signal` fires, else for a minute. */
  async releaseClaims(owner: string, taskUuids?: readonly string[], options?: { signal?: AbortSignal }): Promise<number> {
    return this.#whileBusy("write", "claim release", (db) => db.transaction(() => releaseClaims(db, owner, taskUuids)).immediate(), options?.signal);
  }

  async countStageTasks(projectHash: string, stageUuid: string): Promise<number> {
    return this.#whileBusy("read", "task count", (db) => countStageTasks(db, this.#projectUuid(projectHash), stageUuid.toLowerCase()));
  }

  /** A page of all the tasks of a project, whatever stage they are in. */
  async listProjectTasks(projectHash: string, options?: ListTasksOptions): Promise<TaskPage> {
    return this.#whileBusy("read", "task listing", (db) => listTasksPage(db, this.#projectUuid(projectHash), undefined, options), options?.signal);
  }

  async getLabelRowMetadata(projectHash: string, dataHashes: readonly string[], include?: LabelRowMetadataIncludeArgs): Promise<LabelRowMetadataJson[]> {
    return this.#whileBusy("read", "label-row read", (db) => selectLabelRowMetadata(db, this.#projectUuid(projectHash), dataHashes, include));
  }

  // Every local item gets its label row when it is added, so there is nothing to initialise.
  async getLabelRows(projectHash: string, dataHashes: readonly string[], _args?: InitialiseLabelsArgs): Promise<LabelRowJson[]> {
    return this.#whileBusy("read", "label-row read", (db) => selectLabelRows(db, this.#projectUuid(projectHash), dataHashes));
  }

  // Each local project has its own data hashes, so twins are found by the file they were added from.
  async matchDataInProject(fromProjectHash: string, dataHashes: readonly string[], toProjectHash: string): Promise<Map<string, string>> {
    return this.#whileBusy("read", "twin lookup", (db) => selectSameData(db, this.#projectUuid(fromProjectHash), dataHashes, this.#projectUuid(toProjectHash)));
  }

  async getStorageItems(itemUuids: readonly string[], options?: { signUrls?: boolean }): Promise<StorageItem[]> {
    return this.#whileBusy("read", "storage-item read", (db) => selectStorageItems(db, itemUuids, options?.signUrls ?? false));
  }

  /** A DICOM series' slices, in frame order (slice N is frame N); none for other items. */
  async getChildItems(item: StorageItem, options: { signUrls?: boolean } = {}): Promise<StorageItem[]> {
    return this.#whileBusy("read", "child-item read", (db) => selectChildItems(db, item.uuid, options.signUrls ?? false));
  }

  async updateStorageItems(patches: readonly StorageItemPatch[]): Promise<StorageItem[]> {
    return this.#whileBusy("write", "storage-item update", (db) => updateStorageItems(db, patches));
  }

  /**
   * Applies a batch in one transaction. While another process holds the write lock it waits for
   * as long as that takes (until `batch.signal` fires, if one is given): decisions are never
   * dropped for lack of patience, and a process that holds the lock releases it when it ends.
   */
  async commit(projectHash: string, batch: BatchCommit): Promise<CommitResult> {
    const result = await this.#whileBusy("write", "commit", (db) => commitBatch(db, this.#projectUuid(projectHash), batch), batch.signal, Infinity);
    if (result.moved.length > 0) this.#changes?.noteOwnWrite();
    return result;
  }

  /**
   * Resolves `true` once the store changed after the previous call resolved (the first call:
   * after the backend first opened the store): another process or connection committed, or this
   * backend moved tasks. Resolves `false` when `signal` aborts first. Polls SQLite's
   * `data_version` every 100 ms, which reads no tables.
   */
  async waitForChange(signal: AbortSignal): Promise<boolean> {
    this.#open("read");
    return this.#changes!.wait(signal);
  }

  /** The AGENT stages of a project that carry `notify` settings, with the work waiting in each. */
  notifyingStages(projectHash: string): NotifyingStage[] {
    return selectNotifyingStages(this.#database, this.#projectUuid(projectHash));
  }

  /** Creates a project from a spec file (JSON or YAML) or an already parsed spec; returns its hash. */
  createProject(spec: string | object): string {
    const validated = typeof spec === "string" ? loadProjectSpec(spec) : validateProjectSpec(spec);
    return insertProject(this.#open("create"), validated, typeof spec === "string" ? spec : "(inline)");
  }

  /** Every project of the store, oldest first; none when there is no store there yet (no file, or an empty one). */
  listProjects(): ProjectSummary[] {
    if (this.#store === undefined && this.storePath !== ":memory:" && !existsSync(this.storePath)) return [];
    try {
      return listProjects(this.#database);
    } catch (error) {
      if (this.#store === undefined && isTaskAgentsError(error) && error.code === "TA_NO_STORE") return [];
      throw error;
    }
  }

  /** Task counts per stage UUID. */
  countTasksByStage(projectHash: string): StageCounts {
    return countTasksByStage(this.#database, this.#projectUuid(projectHash));
  }

  /**
   * Adds files and folders (walked recursively, hidden entries skipped) or the items of a JSON
   * Lines manifest (`{ "title"?, "path" | "url", "clientMetadata"? }` per line) to a project.
   * Each item gets a storage item, a data unit, an empty label row and a task at the START
   * stage's successor. All or nothing: if any item cannot be added, none is.
   */
  async addData(projectHash: string, source: DataSource): Promise<AddDataResult> {
    const hasPaths = source.paths !== undefined && source.paths.length > 0;
    if (hasPaths === (source.manifest !== undefined)) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        hasPaths ? "Give either files and folders or a manifest, not both." : "Nothing to add: give files or folders, or a manifest (.jsonl).",
      );
    }
    const items = source.manifest !== undefined ? itemsFromManifest(source.manifest) : itemsFromPaths(source.paths!);
    const result = await addDataItems(this.#open("write"), projectHash, items, {
      actor: source.actor ?? "api",
      busy: { storePath: this.storePath, onWait: (wait) => this.#reportWait(wait) },
    });
    this.#changes?.noteOwnWrite();
    return result;
  }

  /** Moves one task or all tasks of a stage along a pathway (human stages and agent pathways). */
  proceed(projectHash: string, request: ProceedRequest): ProceedResult {
    const result = proceedTasks(this.#open("write"), projectHash, request);
    if (result.moved > 0) this.#changes?.noteOwnWrite();
    return result;
  }

  /** Every label row of a project as JSON text, streamed in data order. */
  exportLabelRows(projectHash: string): Generator<string> {
    return iterateLabelRowJson(this.#database, this.#projectUuid(projectHash));
  }

  /** Recorded moves of a project, or of one task, oldest first, a page at a time. */
  history(projectHash: string, taskUuid?: string): Generator<TaskMoveRecord[]> {
    return iterateHistoryPages(this.#database, this.#projectUuid(projectHash), taskUuid);
  }

  /** Recorded runs, newest first (see {@link startRun}); none in a store no run has written to yet. */
  listRuns(options: ListRunsOptions = {}): RunDetail[] {
    return listRuns(this.#database, options.projectUuid === undefined ? options : { ...options, projectUuid: this.#projectUuid(options.projectUuid) });
  }

  /** One recorded run with the failures it listed; throws NotFoundError for an unknown id. */
  getRun(id: number): { run: RunDetail; failures: RunFailureRow[] } {
    const run = findRun(this.#database, id);
    if (run === undefined)
      throw new NotFoundError("TA_UNKNOWN_RUN", `There is no run ${id} in ${this.storePath}; \`task-agents runs list\` lists the recorded runs.`);
    return { run, failures: runFailures(this.#database, id) };
  }

  /**
   * Records a run in the store's `runs` (see {@link RunRecorder}): a row now, brought up to date by
   * the returned record's `progress` and `finish`, each one short write transaction.
   */
  async startRun(start: RunStart): Promise<RecordedRun> {
    const projectUuid = this.#projectUuid(start.projectHash);
    const inserted = await this.#whileBusy("write", "run record", (db) => insertRun(db, projectUuid, start));
    let written: WrittenState = inserted.written;
    // Progress writes run one after another, so failures are listed once and in order.
    let queue = Promise.resolve();
    const write = (report: Parameters<RecordedRun["progress"]>[0], ending?: { outcome: string; error: string | undefined }) => {
      const next = queue.then(async () => {
        const now = await this.#whileBusy("write", "run record", (db) => db.transaction(() => updateRun(db, inserted.id, report, written, ending)).immediate());
        if (now !== undefined) written = now;
      });
      queue = next.catch(() => undefined);
      return next;
    };
    return {
      id: inserted.id,
      progress: (report) => write(report),
      finish: (report, error) => write(report, { outcome: report.end, error: error === undefined ? undefined : failureNote(error) }),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#store?.close();
    this.#store = undefined;
    this.#changes = undefined;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * The embedded local store as a {@link Backend}.
 * @example
 * const backend = localBackend({ storePath: "./demo.db" });
 */
export function localBackend(options: LocalBackendOptions = {}): LocalBackend {
  return new LocalBackend(options);
}
