import type { Backend, BatchCommit, CommitResult, ListTasksOptions, TaskPage } from "../../backends/backend.js";
import type { LocalBackend } from "../../backends/local/local-backend.js";
import { isRunRecorder, type RunRecorder } from "../../runner/run-recording.js";

/** What a dry run's handler decided, as its commit would have applied it. */
export interface RecordedCommit {
  readonly batch: BatchCommit;
}

/**
 * The store as a runner sees it when the dashboard runs the agent on one task: the stage lists
 * only that task (by its data hash), so a normal stage pass handles it and nothing else. Tasks
 * are listed, never claimed: the one task is named by the person acting.
 *
 * With `dryRun`, `commit` applies nothing and keeps what it was asked to do (the pathway, the
 * labels, the priority) in `commits`, and no run is recorded; otherwise commits go to the store
 * and the run is recorded as any run is.
 */
export function singleTaskBackend(store: LocalBackend, dataHash: string, options: { dryRun: boolean }): Backend & { readonly commits: RecordedCommit[] } {
  const commits: RecordedCommit[] = [];
  const backend: Backend & { readonly commits: RecordedCommit[] } = {
    kind: store.kind,
    description: store.description,
    commits,
    getProject: (projectHash, opts) => store.getProject(projectHash, opts),
    listStageTasks: (projectHash, stageUuid, opts?: ListTasksOptions): Promise<TaskPage> =>
      store.listStageTasks(projectHash, stageUuid, { ...opts, dataHashes: [dataHash] }),
    getLabelRowMetadata: (projectHash, dataHashes, include) => store.getLabelRowMetadata(projectHash, dataHashes, include),
    getLabelRows: (projectHash, dataHashes, args) => store.getLabelRows(projectHash, dataHashes, args),
    getStorageItems: (uuids, opts) => store.getStorageItems(uuids, opts),
    updateStorageItems: (patches) => store.updateStorageItems(patches),
    commit: async (projectHash, batch): Promise<CommitResult> => {
      if (!options.dryRun) return store.commit(projectHash, batch);
      commits.push({ batch });
      const project = await store.getProject(projectHash);
      const destination = (pathwayUuid: string) => project.stages.flatMap((s) => s.pathways).find((p) => p.uuid === pathwayUuid)?.destinationUuid ?? "";
      return {
        saved: batch.labelSaves?.length ?? 0,
        prioritised: batch.priorities?.length ?? 0,
        moved: (batch.moves ?? []).map((m) => ({ taskUuid: m.taskUuid, toStageUuid: destination(m.pathwayUuid) })),
        refused: [],
      };
    },
    // The one task's run is short: no waiting for changes, and the backend is the dashboard's to close.
    close: async () => undefined,
  };
  if (options.dryRun || !isRunRecorder(store)) return backend;
  const recorder: RunRecorder = { startRun: (start) => store.startRun(start) };
  return Object.assign(backend, recorder);
}
