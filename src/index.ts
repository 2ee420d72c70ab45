/**
 * task-agents: run task agents on the agent stages of annotation workflows.
 * Every public name is listed here; anything not exported from this file is internal.
 */

// Backends
export type {
  Backend,
  BatchCommit,
  CommitResult,
  InitialiseLabelsArgs,
  LabelSave,
  ListTasksOptions,
  PriorityUpdate,
  RefusedMove,
  TaskMove,
  TaskPage,
} from "./backends/backend.js";
export { localBackend } from "./backends/local/local-backend.js";
export type { DataSource, LocalBackend, LocalBackendOptions } from "./backends/local/local-backend.js";
export { validateProjectSpec, loadProjectSpec } from "./backends/local/project-spec.js";
export type { ProjectSpec, StageSpec } from "./backends/local/project-spec.js";

// Domain types
export type { AgentTask, TaskStatus, WorkflowTask } from "./domain/task.js";
export type { AgentStage, OntologyStructureJson, Pathway, Project, Stage, StageType } from "./domain/workflow.js";
export type { StorageItem, StorageItemType } from "./domain/storage-item.js";
export type { LabelRowJson, LabelRowMetadataJson, LabelRowMetadataIncludeArgs } from "./domain/label-row-json.js";

// Errors
export {
  BackendError,
  ConfigurationError,
  DataInputError,
  NotFoundError,
  SpecValidationError,
  TaskAgentsError,
  isTaskAgentsError,
} from "./domain/errors.js";
export type { ErrorCode } from "./domain/errors.js";
