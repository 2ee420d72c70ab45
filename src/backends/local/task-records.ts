import type { TaskStatus, WorkflowTask } from "../../domain/task.js";

/** The columns every task query selects (see {@link taskColumns}). */
export interface TaskRecord {
  id: number;
  uuid: string;
  data_hash: string;
  data_title: string;
  branch_name: string;
  stage_uuid: string;
  status: string;
  priority: number;
  assignee: string | null;
  last_actioned_by: string | null;
  created_at: string;
  updated_at: string;
}

/** SELECT list and joins for {@link TaskRecord}; `t` is tasks. */
export const taskColumns = `t.id, t.uuid, t.data_hash, d.title AS data_title, l.branch_name, t.stage_uuid, t.status,
  t.priority, t.assignee, t.last_actioned_by, t.created_at, t.updated_at`;
export const taskJoins = `JOIN data_units d ON d.data_hash = t.data_hash JOIN label_rows l ON l.data_hash = t.data_hash`;

export function toWorkflowTask(record: TaskRecord): WorkflowTask {
  return {
    uuid: record.uuid,
    dataHash: record.data_hash,
    dataTitle: record.data_title,
    labelBranchName: record.branch_name,
    status: record.status as TaskStatus,
    assignee: record.assignee,
    lastActionedBy: record.last_actioned_by,
    createdAt: new Date(record.created_at),
    updatedAt: new Date(record.updated_at),
    stageUuid: record.stage_uuid,
    priority: record.priority,
  };
}

/** Records one move in the task history; parameters in column order. */
export const recordMoveSql = `INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** Like {@link recordMoveSql}, with the error that made the move (a failed task sent along `onFailure`) last. */
export const recordMoveWithErrorSql =
  `INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, ` +
  `to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at, error)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The status a task gets when it arrives in a stage: sent back by a reviewer, it is reopened. */
export function arrivalStatus(destinationType: string, rejectedInReview: boolean): TaskStatus {
  if (destinationType === "DONE") return "COMPLETED";
  return rejectedInReview ? "REOPENED" : "NEW";
}

/** Page tokens are the id of the last task of the previous page, so pages survive moves. */
export function encodePageToken(lastId: number): string {
  return String(lastId);
}

/** The id a page token stands for, or undefined when it is not one of ours. */
export function decodePageToken(token: string): number | undefined {
  return /^\d{1,15}$/.test(token) ? Number(token) : undefined;
}
