import { randomUUID } from "node:crypto";
import { NotFoundError, SpecValidationError } from "../../domain/errors.js";
import type { OntologyStructureJson, Pathway, Project, Stage, StageType } from "../../domain/workflow.js";
import { isUuid } from "../../shared/uuid.js";
import type { Db } from "./database.js";
import { published, visibleCount } from "./intake-visibility.js";
import type { ProjectSpec } from "./project-spec.js";
import { insertStageNotifications } from "./stage-notifications.js";
import { statement } from "./statements.js";

/** A project as `project list` shows it. */
export interface ProjectSummary {
  readonly uuid: string;
  readonly title: string;
  readonly stageCount: number;
  readonly taskCount: number;
  readonly createdAt: Date;
}

/** Task counts per stage UUID. */
export type StageCounts = ReadonlyMap<string, number>;

interface ProjectRow {
  uuid: string;
  title: string;
  description: string;
  ontology_json: string;
  dataset_uuid: string;
  created_at: string;
}

/**
 * Stage and pathway UUIDs are unique across the store: a spec that reuses one of another
 * project's (a copied spec with fixed UUIDs) is refused, naming the stage, the UUID and the project.
 */
function uuidsTakenElsewhere(db: Db, spec: ProjectSpec): string[] {
  const stageOwner = statement(
    db,
    "SELECT s.title AS stage, p.title AS project, p.uuid AS projectUuid FROM stages s JOIN projects p ON p.uuid = s.project_uuid WHERE s.uuid = ?",
  );
  const pathwayOwner = statement(
    db,
    "SELECT w.name AS pathway, s.title AS stage, p.title AS project, p.uuid AS projectUuid FROM pathways " +
      "w JOIN stages s ON s.uuid = w.stage_uuid JOIN projects p ON p.uuid = s.project_uuid WHERE w.uuid = ?",
  );
  const problems: string[] = [];
  spec.stages.forEach((stage, i) => {
    const owner = stageOwner.get(stage.uuid) as { stage: string; project: string; projectUuid: string } | undefined;
    if (owner) {
      problems.push(
        `workflow.stages[${i}] (${JSON.stringify(stage.title)}).uuid: ${stage.uuid} is already the ` +
          `UUID of stage ${JSON.stringify(owner.stage)} of project ${JSON.stringify(owner.project)}` +
          ` (${owner.projectUuid}); UUIDs are unique in a store: leave "uuid" out to get a new one.`,
      );
    }
    stage.pathways.forEach((pathway, j) => {
      const taken = pathwayOwner.get(pathway.uuid) as { pathway: string; stage: string; project: string; projectUuid: string } | undefined;
      if (taken) {
        problems.push(
          `workflow.stages[${i}] (${JSON.stringify(stage.title)}).pathways[${j}].uuid: ${pathway.uuid} is ` +
            `already the UUID of pathway ${JSON.stringify(taken.pathway)} of stage ` +
            `${JSON.stringify(taken.stage)} in project ${JSON.stringify(taken.project)}` +
            ` (${taken.projectUuid}); leave "uuid" out to get a new one.`,
        );
      }
    });
  });
  return problems;
}

/** Stores a validated spec as a new project and returns its UUID. */
export function insertProject(db: Db, spec: ProjectSpec, source = "(inline)"): string {
  const projectUuid = randomUUID();
  const now = new Date().toISOString();
  const stageUuidByTitle = new Map(spec.stages.map((s) => [s.title, s.uuid]));
  const insertStage = db.prepare("INSERT INTO stages (uuid, project_uuid, position, title, type) VALUES (?, ?, ?, ?, ?)");
  const insertPathway = db.prepare("INSERT INTO pathways (uuid, stage_uuid, position, name, destination_uuid) VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    const taken = uuidsTakenElsewhere(db, spec);
    if (taken.length > 0) throw new SpecValidationError(source, taken);
    db.prepare("INSERT INTO projects (uuid, title, description, ontology_json, spec_json, dataset_uuid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
      projectUuid,
      spec.title,
      spec.description,
      JSON.stringify(spec.ontology),
      JSON.stringify(spec),
      randomUUID(),
      now,
    );
    spec.stages.forEach((stage, i) => insertStage.run(stage.uuid, projectUuid, i, stage.title, stage.type));
    for (const stage of spec.stages) {
      stage.pathways.forEach((pathway, i) => insertPathway.run(pathway.uuid, stage.uuid, i, pathway.name, stageUuidByTitle.get(pathway.to)!));
    }
    insertStageNotifications(db, spec);
  }).immediate();
  return projectUuid;
}

/** The project row, or a NotFoundError that says how to find the right hash. */
export function requireProjectRow(db: Db, projectHash: string): ProjectRow & { dataset_uuid: string } {
  const row = isUuid(projectHash)
    ? (statement(db, "SELECT * FROM projects WHERE uuid = ?").get(projectHash.toLowerCase()) as ProjectRow | undefined)
    : undefined;
  if (!row) {
    const reason = isUuid(projectHash) ? "No project" : "Not a project hash: a project hash is a UUID, and there is no project";
    throw new NotFoundError(
      "TA_UNKNOWN_PROJECT",
      `${reason} ${JSON.stringify(projectHash)} in this store. Run \`task-agents project list\` to see the projects it holds.`,
    );
  }
  return row;
}

/** Reads a whole project: ontology, stages and pathways. */
export function readProject(db: Db, projectHash: string): Project {
  const row = requireProjectRow(db, projectHash);
  const stageRows = db.prepare("SELECT uuid, title, type FROM stages WHERE project_uuid = ? ORDER BY position").all(row.uuid) as {
    uuid: string;
    title: string;
    type: StageType;
  }[];
  const pathwayRows = db
    .prepare(
      `SELECT p.uuid, p.name, p.destination_uuid, p.stage_uuid FROM pathways p
       JOIN stages s ON s.uuid = p.stage_uuid WHERE s.project_uuid = ? ORDER BY p.stage_uuid, p.position`,
    )
    .all(row.uuid) as { uuid: string; name: string; destination_uuid: string; stage_uuid: string }[];
  const pathwaysByStage = new Map<string, Pathway[]>();
  for (const p of pathwayRows) {
    const list = pathwaysByStage.get(p.stage_uuid) ?? [];
    list.push({ uuid: p.uuid, name: p.name, destinationUuid: p.destination_uuid });
    pathwaysByStage.set(p.stage_uuid, list);
  }
  const stages: Stage[] = stageRows.map((s) => ({
    uuid: s.uuid,
    title: s.title,
    type: s.type,
    pathways: pathwaysByStage.get(s.uuid) ?? [],
  }));
  return {
    uuid: row.uuid,
    title: row.title,
    description: row.description,
    projectType: "workflow",
    ontology: JSON.parse(row.ontology_json) as OntologyStructureJson,
    stages,
    createdAt: new Date(row.created_at),
  };
}

/** Every project in the store, oldest first. */
export function listProjects(db: Db): ProjectSummary[] {
  const rows = db
    .prepare(
      `SELECT p.uuid, p.title, p.created_at,
         (SELECT COUNT(*) FROM stages s WHERE s.project_uuid = p.uuid) AS stage_count,
         ${visibleCount("SELECT COUNT(*) FROM tasks t WHERE t.project_uuid = p.uuid", "t")}` +
        ` AS task_count
       FROM projects p ORDER BY p.created_at, p.uuid`,
    )
    .all() as { uuid: string; title: string; created_at: string; stage_count: number; task_count: number }[];
  return rows.map((r) => ({
    uuid: r.uuid,
    title: r.title,
    stageCount: r.stage_count,
    taskCount: r.task_count,
    createdAt: new Date(r.created_at),
  }));
}

/** How many tasks sit in each stage of a project. */
export function countTasksByStage(db: Db, projectUuid: string): StageCounts {
  const rows = db
    .prepare(`SELECT stage_uuid, COUNT(*) AS n FROM tasks t WHERE project_uuid = ? AND ${published("t")} GROUP BY stage_uuid`)
    .all(projectUuid) as { stage_uuid: string; n: number }[];
  return new Map(rows.map((r) => [r.stage_uuid, r.n]));
}

/** How many tasks sit in one stage (an index count, not a scan of the project). */
export function countStageTasks(db: Db, projectUuid: string, stageUuid: string): number {
  const plain = "SELECT COUNT(*) FROM tasks t WHERE stage_uuid = @stage AND project_uuid = @project";
  return statement(db, `SELECT ${visibleCount(plain, "t")}`, { pluck: true }).get({
    stage: stageUuid,
    project: projectUuid,
  }) as number;
}
