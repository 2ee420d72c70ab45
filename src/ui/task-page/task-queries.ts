import type { Db } from "../../backends/local/database.js";
import { statement } from "../../backends/local/statements.js";
import { published } from "../../backends/local/intake-visibility.js";
import { NotFoundError } from "../../domain/errors.js";

/** A task of a project, with its data item and where it is now. */
export interface TaskRecord {
  /** The row id: the order tasks are listed in within a stage (keyset for next/previous). */
  readonly id: number;
  readonly uuid: string;
  readonly projectUuid: string;
  readonly dataHash: string;
  readonly dataTitle: string;
  readonly stageUuid: string;
  readonly status: string;
  readonly priority: number;
  readonly assignee: string | null;
  readonly lastActionedBy: string | null;
  readonly updatedAt: string;
}

interface TaskRow {
  id: number;
  uuid: string;
  project_uuid: string;
  data_hash: string;
  data_title: string;
  stage_uuid: string;
  status: string;
  priority: number;
  assignee: string | null;
  last_actioned_by: string | null;
  updated_at: string;
}

/** The task of a project by UUID; throws NotFoundError (a 404 page) when the project has none. */
export function requireTask(db: Db, projectUuid: string, projectTitle: string, taskUuid: string): TaskRecord {
  const row = statement(
    db,
    `SELECT t.id, t.uuid, t.project_uuid, t.data_hash, d.title AS data_title, t.stage_uuid, t.status, t.priority, t.assignee, t.last_actioned_by, t.updated_at
     FROM tasks t JOIN data_units d ON d.data_hash = t.data_hash WHERE t.uuid = ? AND t.project_uuid = ? AND ${published("t")}`,
  ).get(taskUuid.toLowerCase(), projectUuid) as TaskRow | undefined;
  if (row === undefined) {
    throw new NotFoundError(
      "TA_UNKNOWN_TASK",
      `Project ${JSON.stringify(projectTitle)} has no task ${JSON.stringify(taskUuid)}; a task is given by its UUID, as its stage page links it.`,
    );
  }
  return {
    id: row.id,
    uuid: row.uuid,
    projectUuid: row.project_uuid,
    dataHash: row.data_hash,
    dataTitle: row.data_title,
    stageUuid: row.stage_uuid,
    status: row.status,
    priority: row.priority,
    assignee: row.assignee,
    lastActionedBy: row.last_actioned_by,
    updatedAt: row.updated_at,
  };
}

/**
 * The tasks listed before and after position `id` in a stage (the stage page's order), for
 * j/k. `id` need not be in the stage any more: after a task moves on, "next" is the one that
 * followed it.
 */
export function stageNeighbours(db: Db, stageUuid: string, id: number): { previous: string | undefined; next: string | undefined } {
  const previous = statement(db, `SELECT uuid FROM tasks t WHERE stage_uuid = ? AND id < ? AND ${published("t")} ORDER BY id DESC LIMIT 1`, {
    pluck: true,
  }).get(stageUuid, id) as string | undefined;
  const next = statement(db, `SELECT uuid FROM tasks t WHERE stage_uuid = ? AND id > ? AND ${published("t")} ORDER BY id LIMIT 1`, { pluck: true }).get(
    stageUuid,
    id,
  ) as string | undefined;
  return { previous, next };
}

/** The data title of a project's task, or undefined when the project has no such task. */
export function taskDataTitle(db: Db, projectUuid: string, taskUuid: string): string | undefined {
  return statement(
    db,
    `SELECT d.title FROM tasks t JOIN data_units d ON d.data_hash = t.data_hash WHERE t.uuid = ? AND t.project_uuid = ? AND ${published("t")}`,
    { pluck: true },
  ).get(taskUuid.toLowerCase(), projectUuid) as string | undefined;
}
