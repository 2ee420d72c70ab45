/** Workflow task statuses, as Encord names them. */
export type TaskStatus = "NEW" | "ASSIGNED" | "RELEASED" | "SKIPPED" | "REOPENED" | "COMPLETED";

/** A task sitting in a stage: one per data item. Field names follow Encord's AgentTask. */
export interface AgentTask {
  readonly uuid: string;
  readonly dataHash: string;
  readonly dataTitle: string;
  readonly labelBranchName: string;
  readonly status: TaskStatus;
  readonly assignee: string | null;
  readonly lastActionedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A task with where it is and how urgent it is, as listings show it. */
export interface WorkflowTask extends AgentTask {
  readonly stageUuid: string;
  /** 0..1; `null` when the backend does not report priorities in listings. */
  readonly priority: number | null;
}
