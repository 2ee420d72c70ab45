import { ConfigurationError, NotFoundError } from "../../domain/errors.js";
import { requirePathway, requireStage } from "../../domain/workflow-lookup.js";
import type { Db } from "./database.js";
import { published } from "./intake-visibility.js";
import type { Pathway, Project, Stage } from "../../domain/workflow.js";
import { commitBatch } from "./commit-batch.js";
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
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      "Say which tasks to move: either --task <uuid> for one task or --all for every task in the stage, not both.",
    );
  }
  const project = readProject(db, projectHash);
  const stage = requireStage(project, request.stage);
  const pathway = requirePathway(stage, request.pathway);
  const destination = project.stages.find((s) => s.uuid === pathway.destinationUuid)!;
  const result = { fromStage: stage.title, toStage: destination.title, pathway: pathway.name };

  if (request.taskUuid !== undefined) return proceedOne(db, project, stage, pathway, request.taskUuid, request.actor, result);

  // Every task of the stage in two set-based statements: 100,000 tasks move in about a second.
  const status = arrivalStatus(destination.type, stage.type === "REVIEW" && pathway.name === "reject");
  const now = new Date().toISOString();
  return db
    .transaction((): ProceedResult => {
      db.prepare(
        `INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at)
       SELECT uuid, project_uuid, stage_uuid, ?, ?, ?, ?, ? FROM tasks t WHERE stage_uuid = ? AND ${published("t")} ORDER BY id`,
      ).run(destination.uuid, pathway.uuid, pathway.name, request.actor, now, stage.uuid);
      const { changes } = db
        .prepare(
          `UPDATE tasks AS t SET stage_uuid = ?, status = ?, assignee = NULL, last_actioned_by = ?, updated_at = ? WHERE stage_uuid = ? AND ${published("t")}`,
        )
        .run(destination.uuid, status, request.actor, now, stage.uuid);
      return { moved: changes, ...result };
    })
    .immediate();
}

// One task goes through the same commit as an agent's decision, so both refuse a task that is
// not (or no longer) in the stage in the same way.
function proceedOne(
  db: Db,
  project: Project,
  stage: Stage,
  pathway: Pathway,
  taskUuid: string,
  actor: string,
  result: Omit<ProceedResult, "moved">,
): ProceedResult {
  const { refused } = commitBatch(db, project.uuid, { moves: [{ taskUuid, fromStageUuid: stage.uuid, pathwayUuid: pathway.uuid }], actor });
  const refusal = refused[0];
  if (refusal?.reason === "unknown-task") {
    throw new NotFoundError(
      "TA_UNKNOWN_TASK",
      `Project ${JSON.stringify(project.title)} has no task ${JSON.stringify(taskUuid)}` +
        `; a task is given by its UUID. Run \`task-agents tasks list ${project.uuid}` +
        ` --stage ${JSON.stringify(stage.title)}\` to see the tasks of the stage.`,
    );
  }
  if (refusal) {
    const current = db
      .prepare("SELECT s.title FROM tasks t JOIN stages s ON s.uuid = t.stage_uuid WHERE t.uuid = ?")
      .pluck()
      .get(taskUuid.toLowerCase()) as string;
    throw new ConfigurationError(
      "TA_TASK_NOT_IN_STAGE",
      `Task ${taskUuid} is in stage ${JSON.stringify(current)}, not in ${JSON.stringify(stage.title)}; nothing was moved.`,
    );
  }
  return { moved: 1, ...result };
}
