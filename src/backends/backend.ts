import type { LabelRowJson, LabelRowMetadataJson, LabelRowMetadataIncludeArgs } from "../domain/label-row-json.js";
import type { StorageItem } from "../domain/storage-item.js";
import type { WorkflowTask } from "../domain/task.js";
import type { Project } from "../domain/workflow.js";

/** One throttling answer from the service and how the backend backed off. */
export interface BackOff {
  /** The HTTP status: 429 or 503. */
  readonly status: number;
  /** The endpoint kind, e.g. `"GET /v2/public/projects/{id}/workflow/stages/{id}/tasks"`. */
  readonly endpoint: string;
  /** What the service asked to wait (`Retry-After`) before this request is tried again, in ms. */
  readonly retryAfterMs: number | undefined;
  /** Requests allowed in flight before and after the back-off (halved, at least 1). */
  readonly window: { readonly from: number; readonly to: number };
}

/** One attempt of a request, as request listeners (metrics) see it. */
export interface RequestOutcome {
  /** The endpoint's template: `"GET /v2/public/projects/{id}"`, `"v1 labelrow GET"`. */
  readonly endpoint: string;
  /** The HTTP status, or `"transport-error"` when no answer came. */
  readonly status: number | "transport-error";
}

/** One wait for a store another process was writing to (SQLite's write lock was taken). */
export interface StoreBusyWait {
  /** The store file. */
  readonly storePath: string;
  /** What waits, e.g. `"commit"`. */
  readonly operation: string;
  /** Attempts made so far (each found the store busy). */
  readonly attempt: number;
  /** How long this wait lasts before the next attempt (ms). */
  readonly waitMs: number;
  /** Time since the first attempt (ms). */
  readonly waitedMs: number;
}

/** One page of a stage's tasks. */
export interface TaskPage {
  readonly tasks: readonly WorkflowTask[];
  /** Pass back as `pageToken` for the next page; `null` after the last page. */
  readonly nextPageToken: string | null;
}

/** A stage's pages read ahead of the pass that takes them ({@link Backend.readStageAhead}). */
export interface StageReader {
  /** The next page, in order; after a page whose `nextPageToken` is null there is none. */
  next(): Promise<TaskPage>;
  /** Stops reading ahead and lets go of what the reader holds. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link Backend.readStageAhead}. */
export interface ReadStageOptions {
  /** The pass takes at most this many tasks: no page is read ahead beyond them. */
  readonly maxTasks?: number;
  readonly signal?: AbortSignal;
}

/** Options of {@link Backend.listStageTasks}. */
export interface ListTasksOptions {
  /** The token of the page to fetch; absent for the first page. */
  readonly pageToken?: string;
  /** Tasks per page. @defaultValue 1000 (backends may cap it) */
  readonly pageSize?: number;
  /** Only tasks of these data items. */
  readonly dataHashes?: readonly string[];
  readonly signal?: AbortSignal;
}

/** Options of {@link Backend.claimStageTasks}. */
export interface ClaimTasksOptions {
  /** At most this many tasks (1 to 10,000). */
  readonly limit: number;
  /** How long the claims last unless renewed ({@link Backend.renewClaims}) or released (ms). */
  readonly leaseMs: number;
  /** Who claims: an id of the claimer's own (one per runner pass over a stage), used to renew and release. */
  readonly owner: string;
  /** Only tasks after this position: the `nextPageToken` of the previous claim of the pass. */
  readonly after?: string;
  readonly signal?: AbortSignal;
}

/** Releases claims taken with {@link Backend.claimStageTasks} as part of a commit. */
export interface ClaimRelease {
  /** The owner the claims were taken as. */
  readonly owner: string;
  /** The tasks whose claims end, whatever the commit does with them (moved, left, failed, not started). */
  readonly taskUuids: readonly string[];
}

/** Options of {@link Backend.getLabelRows}. Passed through to Encord; the local store ignores them. */
export interface InitialiseLabelsArgs {
  readonly includeObjectFeatureHashes?: readonly string[];
  readonly includeClassificationFeatureHashes?: readonly string[];
  readonly includeReviews?: boolean;
  readonly overwrite?: boolean;
}

/** A label row to store, in Encord's wire form. */
export interface LabelSave {
  readonly dataHash: string;
  readonly labelRow: LabelRowJson;
}

/** A priority (0..1) to give the task of a data item. */
export interface PriorityUpdate {
  readonly dataHash: string;
  readonly priority: number;
}

/** Move a task out of `fromStageUuid` along one of that stage's pathways. */
export interface TaskMove {
  readonly taskUuid: string;
  readonly fromStageUuid: string;
  readonly pathwayUuid: string;
  /** The task's data item: lets a backend look the task up again when a move is refused. */
  readonly dataHash?: string;
  /**
   * Why a task that failed is moved (the error of its last attempt, for an `onFailure`
   * pathway): kept with the move where the backend keeps a task history (the local store);
   * otherwise the move is the same as any other.
   */
  readonly error?: string;
}

/** A change to a storage item's editable fields (Encord's patch-bulk); omitted fields stay. */
export interface StorageItemPatch {
  readonly uuid: string;
  readonly name?: string;
  readonly description?: string;
  /** Replaces the item's client metadata (read, merge and write back to add keys). */
  readonly clientMetadata?: Record<string, unknown>;
}

/** Everything one batch decided, applied by {@link Backend.commit}. */
export interface BatchCommit {
  readonly labelSaves?: readonly LabelSave[];
  readonly priorities?: readonly PriorityUpdate[];
  readonly moves?: readonly TaskMove[];
  /** Who acted, recorded in the task history. @defaultValue "agent" */
  readonly actor?: string;
  /**
   * Claims to release in the same transaction (backends with {@link Backend.claimStageTasks});
   * a commit with nothing else to do only releases them. Backends without claims ignore it.
   */
  readonly releaseClaims?: ClaimRelease;
  readonly signal?: AbortSignal;
}

/** A move the backend did not make, and why. */
export interface RefusedMove {
  readonly taskUuid: string;
  readonly reason: "not-in-stage" | "unknown-task" | "unknown-pathway";
  readonly message: string;
}

/** What a commit did. */
export interface CommitResult {
  readonly saved: number;
  readonly prioritised: number;
  readonly moved: readonly { readonly taskUuid: string; readonly toStageUuid: string }[];
  readonly refused: readonly RefusedMove[];
}

/** The backends task-agents has. */
export type BackendKind = "local" | "encord";

/**
 * What runners need from where projects live. Every method works in bulk so a batch of tasks
 * costs a handful of calls, whatever the backend.
 *
 * Guarantees callers rely on: project hashes, stage and pathway UUIDs and task UUIDs come back in
 * lower case (callers compare them as strings, not case-insensitively; input a user typed is
 * lower-cased where it enters); `commit` needs nothing from earlier calls but what its
 * {@link BatchCommit} carries, except that a backend may reuse label hashes and pathways it read
 * in this process (the Encord backend does, to save requests) and must then fall back to reading
 * them again.
 */
export interface Backend {
  /** Which service: the embedded store or Encord (a wrapper passes on the kind it wraps). */
  readonly kind: BackendKind;
  /** Where it points, for the first line of a run ("local store /x/store.db"). No secrets. */
  readonly description: string;

  /** The project with its ontology and workflow. Throws NotFoundError for an unknown hash. */
  getProject(projectHash: string, options?: { signal?: AbortSignal }): Promise<Project>;

  /** A page of the tasks in a stage, oldest first; pages stay valid while tasks leave the stage. */
  listStageTasks(projectHash: string, stageUuid: string, options?: ListTasksOptions): Promise<TaskPage>;

  /**
   * Claims up to `limit` tasks of a stage that nobody else holds, in listing order after
   * `options.after`, and returns them: one write, so two processes never get the same task while
   * a claim lasts. A claim ends when released (by the commit of its batch, or
   * {@link releaseClaims}), when its lease passes without renewal, or, on a backend that can
   * tell, when the claiming process is gone. `nextPageToken` is `null` once no further task
   * could be claimed. Absent where tasks cannot be claimed (Encord): runners list instead.
   */
  claimStageTasks?(projectHash: string, stageUuid: string, options: ClaimTasksOptions): Promise<TaskPage>;

  /** Extends every claim `owner` still holds to `leaseMs` from now; resolves to how many. */
  renewClaims?(owner: string, leaseMs: number, options?: { signal?: AbortSignal }): Promise<number>;

  /** Ends the claims `owner` holds (on these tasks, or all of them); resolves to how many. */
  releaseClaims?(owner: string, taskUuids?: readonly string[], options?: { signal?: AbortSignal }): Promise<number>;

  /**
   * The pages of a whole stage, read ahead where the backend can do so off the runner's thread,
   * so that the handlers of a pass (which share the runner's thread) never hold its listing back.
   * Optional: a pass pages with {@link listStageTasks} otherwise.
   */
  readStageAhead?(projectHash: string, stageUuid: string, options?: ReadStageOptions): StageReader;

  /**
   * Whether the project's workflow or ontology may differ from what this backend's last
   * {@link getProject} of it read (one cheap read), so that a polling run reads the project again
   * only then. Absent: a run reads its project once.
   */
  projectChanged?(projectHash: string, options?: { signal?: AbortSignal }): Promise<boolean>;

  /** How many tasks wait in a stage, when the backend can tell cheaply (for progress and ETA). */
  countStageTasks?(projectHash: string, stageUuid: string): Promise<number>;

  /** Label-row metadata for these data items, in the order given; unknown hashes are left out. */
  getLabelRowMetadata(projectHash: string, dataHashes: readonly string[], include?: LabelRowMetadataIncludeArgs): Promise<LabelRowMetadataJson[]>;

  /**
   * For data items of one project, the data hash of the same data in another project, by source
   * data hash (data the other project lacks is left out). Absent where data hashes are shared by
   * every project the data is in, as on Encord.
   */
  matchDataInProject?(fromProjectHash: string, dataHashes: readonly string[], toProjectHash: string): Promise<Map<string, string>>;

  /** Full label rows for these data items, in the order given, created where none exists yet. */
  getLabelRows(projectHash: string, dataHashes: readonly string[], args?: InitialiseLabelsArgs): Promise<LabelRowJson[]>;

  /** Storage items by UUID, in the order given; throws when any is missing or not accessible. */
  getStorageItems(itemUuids: readonly string[], options?: { signUrls?: boolean }): Promise<StorageItem[]>;

  /**
   * The child items of an image group, image sequence, DICOM series or group, in the order the
   * backend lists them (frame order for image groups): an image group's frames are downloaded
   * through its children, as the group itself has no file. An item without children gives `[]`.
   */
  getChildItems?(item: StorageItem, options?: { signUrls?: boolean; signal?: AbortSignal }): Promise<StorageItem[]>;

  /** Updates storage items' names, descriptions or client metadata; returns them as they are now. */
  updateStorageItems?(patches: readonly StorageItemPatch[]): Promise<StorageItem[]>;

  /**
   * Applies a batch's decisions: label saves first, then priorities, then moves, so a task never
   * moves before its labels are stored. A move of a task that is no longer in `fromStageUuid` is
   * refused and reported; nothing else is undone.
   */
  commit(projectHash: string, batch: BatchCommit): Promise<CommitResult>;

  /**
   * Calls `listener` each time the service throttles a request (HTTP 429 or 503) and the backend
   * backs off; returns the function that stops listening. Absent where nothing throttles.
   */
  onBackOff?(listener: (event: BackOff) => void): () => void;

  /**
   * Calls `listener` each time the store is busy (another process holds its write lock) and the
   * backend waits before trying again; returns the function that stops listening. Absent where
   * there is no shared store file.
   */
  onStoreBusy?(listener: (wait: StoreBusyWait) => void): () => void;

  /**
   * Calls `listener` after every request the backend sends to its service (metrics); returns the
   * function that stops listening. Absent where there is no service.
   */
  onRequest?(listener: (event: RequestOutcome) => void): () => void;

  /**
   * Resolves `true` once the backend's data changed after the previous call resolved (tasks
   * arrived, moved or were added by anyone), `false` when `signal` aborts first; `run --watch`
   * waits on it between passes. Absent where changes cannot be seen cheaply (Encord, which
   * notifies a receiver instead).
   */
  waitForChange?(signal: AbortSignal): Promise<boolean>;

  /** Releases connections and files. Idempotent. */
  close(): Promise<void>;
}
