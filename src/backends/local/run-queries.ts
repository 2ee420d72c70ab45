import type { Db } from "./database.js";
import { statement } from "./statements.js";
import type { RunReport, StageReport } from "../../runner/run-report.js";

/** A recorded run, as lists show it. */
export interface RunSummary {
  readonly id: number;
  readonly projectUuid: string;
  readonly projectTitle: string;
  readonly kind: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  /** `completed`, `stopped`, `configuration-error`, `error`; null while running (or when its process died). */
  readonly outcome: string | null;
  readonly error: string | null;
  readonly pid: number;
  readonly host: string;
  readonly stages: readonly Omit<StageReport, "failures">[];
}

/** A recorded run with its options and the report fields besides the stages. */
export interface RunDetail extends RunSummary {
  readonly options: Record<string, unknown>;
  readonly report: Omit<RunReport, "stages" | "startedAt" | "finishedAt"> & { readonly stages: readonly Omit<StageReport, "failures">[] };
}

/** A failure a run recorded. */
export interface RunFailureRow {
  readonly runId: number;
  readonly stageUuid: string;
  readonly stageTitle: string | null;
  readonly taskUuid: string;
  readonly dataTitle: string;
  readonly attempts: number;
  readonly errorName: string;
  readonly errorMessage: string;
  readonly errorStack: string | null;
  readonly routedTo: string | null;
  readonly recordedAt: string;
}

interface RunRow {
  id: number;
  project_uuid: string;
  project_title: string;
  kind: string;
  options_json: string;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
  outcome: string | null;
  error: string | null;
  report_json: string;
  pid: number;
  host: string;
}

/** Whether the store has the runs tables (a store no run has written to since they came may lack them). */
export function hasRunTables(db: Db): boolean {
  return statement(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('runs', 'run_failures')", { pluck: true }).get() === 2;
}

const runColumns =
  `r.id, r.project_uuid, p.title AS project_title, r.kind, r.options_json, r.started_at, ` +
  `r.updated_at, r.finished_at, r.outcome, r.error, r.report_json, r.pid, r.host`;

function toDetail(row: RunRow): RunDetail {
  const report = JSON.parse(row.report_json) as RunDetail["report"];
  return {
    id: row.id,
    projectUuid: row.project_uuid,
    projectTitle: row.project_title,
    kind: row.kind,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    error: row.error,
    pid: row.pid,
    host: row.host,
    stages: report.stages,
    options: JSON.parse(row.options_json) as Record<string, unknown>,
    report,
  };
}

/** Options of {@link listRuns}. */
export interface ListRunsOptions {
  readonly projectUuid?: string;
  /** Only runs with an id below this (the next page). */
  readonly before?: number;
  /** @defaultValue 50 */
  readonly limit?: number;
}

/** Recorded runs, newest first, a page at a time (keyset on the id). */
export function listRuns(db: Db, options: ListRunsOptions = {}): RunDetail[] {
  if (!hasRunTables(db)) return [];
  const rows = statement(
    db,
    `SELECT ${runColumns} FROM runs r JOIN projects p ON p.uuid = r.project_uuid
     WHERE (@project IS NULL OR r.project_uuid = @project) AND (@before IS NULL OR r.id < @before)
     ORDER BY r.id DESC LIMIT @limit`,
  ).all({ project: options.projectUuid?.toLowerCase() ?? null, before: options.before ?? null, limit: options.limit ?? 50 }) as RunRow[];
  return rows.map(toDetail);
}

/** One recorded run, or undefined. */
export function findRun(db: Db, id: number): RunDetail | undefined {
  if (!hasRunTables(db)) return undefined;
  const row = statement(db, `SELECT ${runColumns} FROM runs r JOIN projects p ON p.uuid = r.project_uuid WHERE r.id = ?`).get(id) as RunRow | undefined;
  return row === undefined ? undefined : toDetail(row);
}

/** The newest run of each project that has one. */
export function latestRunOfEachProject(db: Db): Map<string, RunSummary> {
  if (!hasRunTables(db)) return new Map();
  const rows = statement(
    db,
    `SELECT ${runColumns} FROM runs r JOIN projects p ON p.uuid = r.project_uuid
     WHERE r.id = (SELECT MAX(id) FROM runs WHERE project_uuid = r.project_uuid)`,
  ).all() as RunRow[];
  return new Map(rows.map((row) => [row.project_uuid, toDetail(row)]));
}

interface FailureRow {
  run_id: number;
  stage_uuid: string;
  stage_title: string | null;
  task_uuid: string;
  data_title: string;
  attempts: number;
  error_name: string;
  error_message: string;
  error_stack: string | null;
  routed_to: string | null;
  recorded_at: string;
}

const failureColumns =
  `f.run_id, f.stage_uuid, s.title AS stage_title, f.task_uuid, f.data_title, ` +
  `f.attempts, f.error_name, f.error_message, f.error_stack, f.routed_to, f.recorded_at`;

function toFailure(row: FailureRow): RunFailureRow {
  return {
    runId: row.run_id,
    stageUuid: row.stage_uuid,
    stageTitle: row.stage_title,
    taskUuid: row.task_uuid,
    dataTitle: row.data_title,
    attempts: row.attempts,
    errorName: row.error_name,
    errorMessage: row.error_message,
    errorStack: row.error_stack,
    routedTo: row.routed_to,
    recordedAt: row.recorded_at,
  };
}

/** The failures a run recorded, in the order they happened. */
export function runFailures(db: Db, runId: number, limit = 1000): RunFailureRow[] {
  return failuresWhere(db, "f.run_id = ? ORDER BY f.id", runId, limit);
}

/** The latest failures recorded in a stage, newest first (any run). */
export function latestStageFailures(db: Db, stageUuid: string, limit = 20): RunFailureRow[] {
  return failuresWhere(db, "f.stage_uuid = ? ORDER BY f.id DESC", stageUuid.toLowerCase(), limit);
}

/** The failures recorded for one task, newest first (any run). */
export function taskFailures(db: Db, taskUuid: string, limit = 50): RunFailureRow[] {
  return failuresWhere(db, "f.task_uuid = ? ORDER BY f.id DESC", taskUuid.toLowerCase(), limit);
}

/** Recorded failures matching `condition` (one `?`, then an ORDER BY), at most `limit`; none in a store without run tables. */
function failuresWhere(db: Db, condition: string, value: string | number, limit: number): RunFailureRow[] {
  if (!hasRunTables(db)) return [];
  const sql = `SELECT ${failureColumns} FROM run_failures f LEFT JOIN stages s ON s.uuid = f.stage_uuid WHERE ${condition} LIMIT ?`;
  return (statement(db, sql).all(value, limit) as FailureRow[]).map(toFailure);
}
