import { ConfigurationError, NotFoundError } from "../../domain/errors.js";
import { requirePathway, requireStage } from "../../domain/workflow-lookup.js";
import { isUuid } from "../../shared/uuid.js";
import type { Db } from "./database.js";
import { readProject } from "./projects.js";
import { arrivalStatus } from "./task-records.js";

/** Which tasks `tasks proceed` moves, and along which pathway. */
export interface ProceedRequest {
  /** Stage title or UUID. */
  readonly stage: string;
  /** Pathway name (`submit`, `approve`, `reject` or an agent pathway) or UUID. */
  readonly pathway: string;
  /** One task's UUID; or set `all`. */
  readonly taskUuid?: string;
  readonly all?: boolean;
  readonly actor: string;
}

/** What `tasks proceed` did. */
export interface ProceedResult {
  readonly moved: number;
  readonly fromStage: string;
  readonly toStage: string;
  readonly pathway: string;
}

/**
 * Moves one task or every task of a stage along a pathway, in one transaction, recording each
 * move. This is how a person acts in ANNOTATION and REVIEW stages of a local project.
 */
export function proceedTasks(db: Db, projectHash: string, request: ProceedRequest): ProceedResult {
  if ((request.taskUuid === undefined) === (request.all !== true)) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", "Say which tasks to move: either --task <uuid> for one task or --all for every task in the stage, not both.");
  }
  const project = readProject(db, projectHash);
  const stage = requireStage(project, request.stage);
  const pathway = requirePathway(stage, request.pathway);
  const destination = project.stages.find((s) => s.uuid === pathway.destinationUuid)!;
  const status = arrivalStatus(destination.type, stage.type === "REVIEW" && pathway.name === "reject");
  const now = new Date().toISOString();
  const result = { fromStage: stage.title, toStage: destination.title, pathway: pathway.name };

  return db.transaction((): ProceedResult => {
    if (request.all) {
      db.prepare(
        `INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at)
         SELECT uuid, project_uuid, stage_uuid, ?, ?, ?, ?, ? FROM tasks WHERE stage_uuid = ? ORDER BY id`,
      ).run(destination.uuid, pathway.uuid, pathway.name, request.actor, now, stage.uuid);
      const { changes } = db
        .prepare("UPDATE tasks SET stage_uuid = ?, status = ?, assignee = NULL, last_actioned_by = ?, updated_at = ? WHERE stage_uuid = ?")
        .run(destination.uuid, status, request.actor, now, stage.uuid);
      return { moved: changes, ...result };
    }
    const taskUuid = request.taskUuid!;
    const current = isUuid(taskUuid)
      ? (db
          .prepare("SELECT t.stage_uuid, s.title FROM tasks t JOIN stages s ON s.uuid = t.stage_uuid WHERE t.uuid = ? AND t.project_uuid = ?")
          .get(taskUuid.toLowerCase(), project.uuid) as { stage_uuid: string; title: string } | undefined)
      : undefined;
    if (!current) {
      throw new NotFoundError("TA_UNKNOWN_TASK", `Project ${JSON.stringify(project.title)} has no task ${JSON.stringify(taskUuid)}; a task is given by its UUID. Run \`task-agents tasks list ${project.uuid} --stage ${JSON.stringify(stage.title)}\` to see the tasks of the stage.`);
    }
    if (current.stage_uuid !== stage.uuid) {
      throw new ConfigurationError("TA_TASK_NOT_IN_STAGE", `Task ${taskUuid} is in stage ${JSON.stringify(current.title)}, not in ${JSON.stringify(stage.title)}; nothing was moved.`);
    }
    db.prepare("UPDATE tasks SET stage_uuid = ?, status = ?, assignee = NULL, last_actioned_by = ?, updated_at = ? WHERE uuid = ?").run(
      destination.uuid, status, request.actor, now, taskUuid.toLowerCase(),
    );
    db.prepare(
      `INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(taskUuid.toLowerCase(), project.uuid, stage.uuid, destination.uuid, pathway.uuid, pathway.name, request.actor, now);
    return { moved: 1, ...result };
  }).immediate();
}
