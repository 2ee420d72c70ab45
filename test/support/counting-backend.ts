import type {
  Backend,
  BackendKind,
  BatchCommit,
  CommitResult,
  InitialiseLabelsArgs,
  LabelRowJson,
  LabelRowMetadataIncludeArgs,
  LabelRowMetadataJson,
  ListTasksOptions,
  Project,
  StorageItem,
  TaskPage,
} from "../../src/index.js";

/** The methods of the Backend interface. */
export type BackendMethod =
  | "getProject"
  | "projectChanged"
  | "listStageTasks"
  | "countStageTasks"
  | "getLabelRowMetadata"
  | "matchDataInProject"
  | "getLabelRows"
  | "getStorageItems"
  | "getChildItems"
  | "commit"
  | "close";

/** One call a runner made, with its arguments as passed. */
export interface BackendCall {
  readonly method: BackendMethod;
  readonly args: readonly unknown[];
}

/**
 * A Backend that passes every call on to `inner` and records it, so tests can count calls
 * (bulk fetches per batch, commits per batch) and prove what a run did not touch.
 */
export class CountingBackend implements Backend {
  readonly calls: BackendCall[] = [];
  readonly inner: Backend;
  readonly countStageTasks?: (projectHash: string, stageUuid: string) => Promise<number>;
  readonly matchDataInProject?: Backend["matchDataInProject"];
  readonly getChildItems?: Backend["getChildItems"];
  readonly projectChanged?: Backend["projectChanged"];

  constructor(inner: Backend) {
    this.inner = inner;
    const count = inner.countStageTasks?.bind(inner);
    if (count) {
      this.countStageTasks = (projectHash, stageUuid) => {
        this.#record("countStageTasks", [projectHash, stageUuid]);
        return count(projectHash, stageUuid);
      };
    }
    // Optional methods exist here only where the inner backend has them, as runners test for them.
    const match = inner.matchDataInProject?.bind(inner);
    if (match) {
      this.matchDataInProject = (fromProjectHash, dataHashes, toProjectHash) => {
        this.#record("matchDataInProject", [fromProjectHash, dataHashes, toProjectHash]);
        return match(fromProjectHash, dataHashes, toProjectHash);
      };
    }
    const changed = inner.projectChanged?.bind(inner);
    if (changed) {
      this.projectChanged = (projectHash, options) => {
        this.#record("projectChanged", [projectHash]);
        return changed(projectHash, options);
      };
    }
    const children = inner.getChildItems?.bind(inner);
    if (children) {
      this.getChildItems = (item, options) => {
        this.#record("getChildItems", [item, options]);
        return children(item, options);
      };
    }
  }

  get kind(): BackendKind {
    return this.inner.kind;
  }

  get description(): string {
    return this.inner.description;
  }

  /** How many calls of `method` were made. */
  count(method: BackendMethod): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** The argument lists of every call of `method`, in call order. */
  argsOf(method: BackendMethod): (readonly unknown[])[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** The batches committed, in order. */
  get commits(): BatchCommit[] {
    return this.argsOf("commit").map((args) => args[1] as BatchCommit);
  }

  /** Forgets the calls recorded so far. */
  reset(): void {
    this.calls.length = 0;
  }

  #record(method: BackendMethod, args: readonly unknown[]): void {
    this.calls.push({ method, args });
  }

  getProject(projectHash: string, options?: { signal?: AbortSignal }): Promise<Project> {
    this.#record("getProject", [projectHash, options]);
    return this.inner.getProject(projectHash, options);
  }

  listStageTasks(projectHash: string, stageUuid: string, options?: ListTasksOptions): Promise<TaskPage> {
    this.#record("listStageTasks", [projectHash, stageUuid, options]);
    return this.inner.listStageTasks(projectHash, stageUuid, options);
  }

  getLabelRowMetadata(projectHash: string, dataHashes: readonly string[], include?: LabelRowMetadataIncludeArgs): Promise<LabelRowMetadataJson[]> {
    this.#record("getLabelRowMetadata", [projectHash, dataHashes, include]);
    return this.inner.getLabelRowMetadata(projectHash, dataHashes, include);
  }

  getLabelRows(projectHash: string, dataHashes: readonly string[], args?: InitialiseLabelsArgs): Promise<LabelRowJson[]> {
    this.#record("getLabelRows", [projectHash, dataHashes, args]);
    return this.inner.getLabelRows(projectHash, dataHashes, args);
  }

  getStorageItems(itemUuids: readonly string[], options?: { signUrls?: boolean }): Promise<StorageItem[]> {
    this.#record("getStorageItems", [itemUuids, options]);
    return this.inner.getStorageItems(itemUuids, options);
  }

  commit(projectHash: string, batch: BatchCommit): Promise<CommitResult> {
    this.#record("commit", [projectHash, batch]);
    return this.inner.commit(projectHash, batch);
  }

  close(): Promise<void> {
    this.#record("close", []);
    return this.inner.close();
  }
}

/** Wraps a backend so that every call is recorded; see {@link CountingBackend}. */
export function countingBackend(inner: Backend): CountingBackend {
  return new CountingBackend(inner);
}
