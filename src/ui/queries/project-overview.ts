import type { Db } from "../../backends/local/database.js";
import { statement } from "../../backends/local/statements.js";
import { visibleCount } from "../../backends/local/intake-visibility.js";
import type { StageType } from "../../domain/workflow.js";
import { latestRunOfEachProject, type RunSummary } from "./run-queries.js";

/** A project as the project list shows it. */
export interface ProjectOverview {
  readonly uuid: string;
  readonly title: string;
  readonly taskCount: number;
  /** Tasks per stage type (`AGENT`, `ANNOTATION`…), types without tasks left out. */
  readonly tasksByStageType: ReadonlyMap<StageType, number>;
  readonly lastRun: RunSummary | undefined;
}

/** Every project of the store, oldest first, with its task counts and its latest recorded run. */
export function projectOverviews(db: Db): ProjectOverview[] {
  const projects = statement(db, "SELECT uuid, title FROM projects ORDER BY created_at, uuid").all() as { uuid: string; title: string }[];
  // One grouped count over the stage index; each stage's tasks are counted, not read.
  const stageCount = "SELECT COUNT(*) FROM tasks t WHERE t.stage_uuid = s.uuid";
  const counts = statement(
    db,
    `SELECT s.project_uuid AS project, s.type AS type,
       ${visibleCount(stageCount, "t")} AS n
     FROM stages s`,
  ).all() as { project: string; type: StageType; n: number }[];
  const byProject = new Map<string, Map<StageType, number>>();
  for (const row of counts) {
    if (row.n === 0) continue;
    const types = byProject.get(row.project) ?? new Map<StageType, number>();
    types.set(row.type, (types.get(row.type) ?? 0) + row.n);
    byProject.set(row.project, types);
  }
  const lastRuns = latestRunOfEachProject(db);
  return projects.map((p) => {
    const types = byProject.get(p.uuid) ?? new Map<StageType, number>();
    return { uuid: p.uuid, title: p.title, taskCount: [...types.values()].reduce((a, b) => a + b, 0), tasksByStageType: types, lastRun: lastRuns.get(p.uuid) };
  });
}
