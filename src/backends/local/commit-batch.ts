import type { LabelRowJson } from "../../domain/label-row-json.js";
import type { BatchCommit, CommitResult, RefusedMove } from "../backend.js";
import { ConfigurationError } from "../../domain/errors.js";
import type { Db } from "./database.js";
import { published } from "./intake-visibility.js";
import { arrivalStatus, recordMoveWithErrorSql } from "./task-records.js";
import { statement } from "./statements.js";
import { dropClaimOfMovedTask, releaseClaims } from "./task-claims.js";

interface PathwayRecord {
  name: string;
  destination_uuid: string;
  destination_type: string;
  stage_type: string;
}

/**
 * Applies a batch in one IMMEDIATE transaction: label saves, then priorities, then moves, then
 * the release of the batch's claims (a moved task's claim ends whoever held it). A move
 * whose task has left `fromStageUuid` (or whose pathway is not one of that stage's) is refused and
 * reported; the rest of the batch still commits. Inputs are checked before anything is written.
 */
export function commitBatch(db: Db, projectUuid: string, batch: BatchCommit): CommitResult {
  for (const p of batch.priorities ?? []) {
    if (typeof p.priority !== "number" || !Number.isFinite(p.priority) || p.priority < 0 || p.priority > 1) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `Priority ${JSON.stringify(p.priority)} for data item ${p.dataHash} is not accepted; a priority is a number from 0 to 1.`,
      );
    }
  }
  const actor = batch.actor ?? "agent";
  const saveLabels = statement(
    db,
    `UPDATE label_rows SET label_json = ?, label_status = ?, version = version + 1, last_edited_at = ?
     WHERE data_hash = ? AND (SELECT project_uuid FROM data_units d WHERE d.data_hash = label_rows.data_hash AND ${published("d")}) = ?`,
  );
  const setPriority = statement(db, `UPDATE tasks AS t SET priority = ?, updated_at = ? WHERE data_hash = ? AND project_uuid = ? AND ${published("t")}`);
  const findPathway = statement(
    db,
    `SELECT p.name, p.destination_uuid, d.type AS destination_type, s.type AS stage_type FROM pathways p JOIN stages s ON s.uuid = p.stage_uuid
     JOIN stages d ON d.uuid = p.destination_uuid WHERE p.uuid = ? AND p.stage_uuid = ? AND s.project_uuid = ?`,
  );
  const moveTask = statement(
    db,
    `UPDATE tasks AS t SET stage_uuid = ?, status = ?, assignee = NULL, last_actioned_by = ?, updated_at = ?
     WHERE uuid = ? AND stage_uuid = ? AND project_uuid = ? AND ${published("t")}`,
  );
  const recordMove = statement(db, recordMoveWithErrorSql);
  const whereIsTask = statement(
    db,
    `SELECT s.title FROM tasks t JOIN stages s ON s.uuid = t.stage_uuid WHERE t.uuid = ? AND t.project_uuid = ? AND ${published("t")}`,
    { pluck: true },
  );

  return db
    .transaction((): CommitResult => {
      const now = new Date().toISOString();
      let saved = 0;
      for (const save of batch.labelSaves ?? []) {
        const row = { ...save.labelRow, label_status: savedLabelStatus(save.labelRow) };
        saved += saveLabels.run(JSON.stringify(row), row.label_status, now, save.dataHash, projectUuid).changes;
      }
      let prioritised = 0;
      for (const p of batch.priorities ?? []) {
        prioritised += setPriority.run(p.priority, now, p.dataHash, projectUuid).changes;
      }
      const moved: { taskUuid: string; toStageUuid: string }[] = [];
      // A batch moves its tasks along a handful of pathways: look each up once.
      const pathways = new Map<string, PathwayRecord | undefined>();
      const refused: RefusedMove[] = [];
      for (const move of batch.moves ?? []) {
        const taskUuid = move.taskUuid.toLowerCase();
        const pathwayKey = `${move.pathwayUuid.toLowerCase()} ${move.fromStageUuid.toLowerCase()}`;
        if (!pathways.has(pathwayKey))
          pathways.set(pathwayKey, findPathway.get(move.pathwayUuid.toLowerCase(), move.fromStageUuid.toLowerCase(), projectUuid) as PathwayRecord | undefined);
        const pathway = pathways.get(pathwayKey);
        if (!pathway) {
          refused.push({ taskUuid, reason: "unknown-pathway", message: `Stage ${move.fromStageUuid} has no pathway ${move.pathwayUuid}.` });
          continue;
        }
        const status = arrivalStatus(pathway.destination_type, pathway.stage_type === "REVIEW" && pathway.name === "reject");
        const { changes } = moveTask.run(pathway.destination_uuid, status, actor, now, taskUuid, move.fromStageUuid.toLowerCase(), projectUuid);
        if (changes === 1) {
          recordMove.run(
            taskUuid,
            projectUuid,
            move.fromStageUuid.toLowerCase(),
            pathway.destination_uuid,
            move.pathwayUuid.toLowerCase(),
            pathway.name,
            actor,
            now,
            move.error ?? null,
          );
          moved.push({ taskUuid, toStageUuid: pathway.destination_uuid });
          dropClaimOfMovedTask(db, taskUuid);
          continue;
        }
        const currentStage = whereIsTask.get(taskUuid, projectUuid) as string | undefined;
        refused.push(
          currentStage === undefined
            ? { taskUuid, reason: "unknown-task", message: `Task ${taskUuid} does not exist in project ${projectUuid}.` }
            : {
                taskUuid,
                reason: "not-in-stage",
                message: `Task ${taskUuid} is no longer in stage ${move.fromStageUuid}; it is in ${JSON.stringify(currentStage)}. It was not moved.`,
              },
        );
      }
      // Released with the decisions, so no other process can take a task between the two.
      if (batch.releaseClaims !== undefined) releaseClaims(db, batch.releaseClaims.owner, batch.releaseClaims.taskUuids);
      return { saved, prioritised, moved, refused };
    })
    .immediate();
}

/**
 * The label status after a save, as the server keeps it: a row that now holds labels is at
 * least in progress; any other status the row states is kept.
 */
function savedLabelStatus(row: LabelRowJson): string {
  const status = typeof row.label_status === "string" ? row.label_status : "NOT_LABELLED";
  const hasLabels = Object.keys(row.object_answers ?? {}).length > 0 || Object.keys(row.classification_answers ?? {}).length > 0;
  return status === "NOT_LABELLED" && hasLabels ? "LABEL_IN_PROGRESS" : status;
}
