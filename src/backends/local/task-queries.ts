import type { ListTasksOptions, TaskPage } from "../backend.js";
import { ConfigurationError, NotFoundError } from "../../domain/errors.js";
import type { Db } from "./database.js";
import { published } from "./intake-visibility.js";
import { decodePageToken, encodePageToken, taskColumns, taskJoins, toWorkflowTask, type TaskRecord } from "./task-records.js";
import { statement } from "./statements.js";

const defaultPageSize = 1000;
const maxPageSize = 10_000;

/**
 * One page of tasks, walked by id. With `stageUuid`, only that stage; otherwise the whole project.
 * Keyset paging keeps a page valid while earlier tasks leave the stage.
 */
export function listTasksPage(db: Db, projectUuid: string, stageUuid: string | undefined, options: ListTasksOptions = {}): TaskPage {
  const pageSize = options.pageSize ?? defaultPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `pageSize ${JSON.stringify(pageSize)} is not accepted; use an integer from 1 to ${maxPageSize}.`);
  }
  let afterId = 0;
  if (options.pageToken !== undefined) {
    const decoded = decodePageToken(options.pageToken);
    if (decoded === undefined) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `Page token ${JSON.stringify(options.pageToken)} was not issued by this store; pass the nextPageToken of the previous page.`,
      );
    }
    afterId = decoded;
  }
  const where = `${stageUuid === undefined ? "t.project_uuid = ?" : "t.stage_uuid = ?"} AND t.id > ? AND ${published("t")}`;
  // With data hashes the tasks are looked up by hash (a unique index) instead of walking the
  // stage: a queue worker asks for one or a few tasks of a stage holding thousands.
  const hashes = options.dataHashes;
  const single = hashes?.length === 1;
  const from = hashes === undefined || single ? "tasks t" : "json_each(?) w CROSS JOIN tasks t ON t.data_hash = w.value";
  const params: unknown[] = hashes === undefined || single ? [] : [JSON.stringify(hashes)];
  params.push(stageUuid ?? projectUuid, afterId);
  if (single) params.push(hashes[0]);
  params.push(pageSize + 1);
  // One row more than asked tells whether another page follows.
  const sql = `SELECT ${taskColumns} FROM ${from} ${taskJoins} WHERE ${where}${single ? " AND t.data_hash = ?" : ""} ORDER BY t.id LIMIT ?`;
  const records = statement(db, sql).all(...params) as TaskRecord[];
  const hasMore = records.length > pageSize;
  const page = hasMore ? records.slice(0, pageSize) : records;
  return {
    tasks: page.map(toWorkflowTask),
    nextPageToken: hasMore ? encodePageToken(page.at(-1)!.id) : null,
  };
}

/** Checks that a stage belongs to a project. */
export function requireStageOfProject(db: Db, projectUuid: string, stageUuid: string): void {
  const found = statement(db, "SELECT 1 FROM stages WHERE uuid = ? AND project_uuid = ?").get(stageUuid.toLowerCase(), projectUuid);
  if (!found) {
    throw new NotFoundError(
      "TA_UNKNOWN_STAGE",
      `Project ${projectUuid} has no stage with UUID ${JSON.stringify(stageUuid)}. Run \`task-agents project show ${projectUuid}\` to see its stages.`,
    );
  }
}

/** A recorded move, as `tasks history` shows it. */
export interface TaskMoveRecord {
  readonly taskUuid: string;
  readonly fromStage: string | null;
  readonly toStage: string;
  readonly pathway: string | null;
  readonly actor: string;
  readonly movedAt: Date;
  /** Why a failed task was moved (its last error, along an `onFailure` pathway); null for other moves. */
  readonly error: string | null;
}

/**
 * The recorded moves of a project (or of one task), oldest first, a page at a time (keyset on the
 * move id), so a long history is never held in memory.
 */
export function* iterateHistoryPages(db: Db, projectUuid: string, taskUuid?: string, pageSize = 1000): Generator<TaskMoveRecord[]> {
  const page = statement(
    db,
    `SELECT m.id, m.task_uuid, f.title AS from_title, t.title AS to_title, m.pathway_name, m.actor, m.moved_at, m.error
     FROM task_moves m LEFT JOIN stages f ON f.uuid = m.from_stage_uuid JOIN stages t ON t.uuid = m.to_stage_uuid
     WHERE m.project_uuid = ? AND m.id > ? ${taskUuid === undefined ? "" : "AND m.task_uuid = ?"} AND ${published("m")} ORDER BY m.id LIMIT ?`,
  );
  let afterId = 0;
  for (;;) {
    const params = taskUuid === undefined ? [projectUuid, afterId, pageSize] : [projectUuid, afterId, taskUuid.toLowerCase(), pageSize];
    const rows = page.all(...params) as {
      id: number;
      task_uuid: string;
      from_title: string | null;
      to_title: string;
      pathway_name: string | null;
      actor: string;
      moved_at: string;
      error: string | null;
    }[];
    if (rows.length > 0) {
      yield rows.map((row) => ({
        taskUuid: row.task_uuid,
        fromStage: row.from_title,
        toStage: row.to_title,
        pathway: row.pathway_name,
        actor: row.actor,
        movedAt: new Date(row.moved_at),
        error: row.error,
      }));
    }
    if (rows.length < pageSize) return;
    afterId = rows.at(-1)!.id;
  }
}
