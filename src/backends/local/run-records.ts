import { hostname } from "node:os";
import type { RunReport } from "../../runner/run-report.js";
import type { RunStart } from "../../runner/run-recording.js";
import type { Db } from "./database.js";
import { statement } from "./statements.js";

/** A run's report as stored: everything but the failures, which are rows of their own. */
function reportJson(report: RunReport): string {
  return JSON.stringify({ ...report, stages: report.stages.map(({ failures: _failures, ...stage }) => stage) });
}

/** What of a report a write already holds: listed failures per stage and a digest of the counts. */
export interface WrittenState {
  readonly failuresListed: ReadonlyMap<string, number>;
  readonly countsDigest: string;
}

/** The counts that say whether a pass did anything; passes that found nothing change only `passes`. */
function countsDigest(report: RunReport): string {
  return JSON.stringify(report.stages.map((s) => [s.seen, s.succeeded, s.failed, s.skipped, s.left, s.refused, s.moved]));
}

/** Writes the row of a run that starts; returns its id. */
export function insertRun(db: Db, projectUuid: string, start: RunStart): { id: number; written: WrittenState } {
  const now = new Date().toISOString();
  const id = statement(
    db,
    `INSERT INTO runs (project_uuid, kind, options_json, started_at, updated_at, report_json, pid, host)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    { pluck: true },
  ).get(
    projectUuid,
    start.kind,
    JSON.stringify(start.options),
    start.report.startedAt.toISOString(),
    now,
    reportJson(start.report),
    process.pid,
    hostname(),
  ) as number;
  return { id, written: { failuresListed: new Map(), countsDigest: countsDigest(start.report) } };
}

/** How a finished run ended, for {@link updateRun}. */
export interface RunEnding {
  readonly outcome: string;
  readonly error: string | undefined;
}

/**
 * Brings a run's row up to date: the report and the failures listed since `written`; with
 * `ending`, also when and how it ended. Returns what is written now, or `undefined` when nothing
 * changed and nothing was written: another process's `run --watch` wakes on every commit to the
 * store, so an idle pass that wrote would wake a second idle watcher, whose write would wake
 * the first, and so on.
 */
export function updateRun(db: Db, id: number, report: RunReport, written: WrittenState, ending?: RunEnding): WrittenState | undefined {
  const digest = countsDigest(report);
  if (ending === undefined && digest === written.countsDigest) return undefined;
  const now = new Date().toISOString();
  const insertFailure = statement(
    db,
    `INSERT INTO run_failures (run_id, stage_uuid, task_uuid, data_title, attempts, error_name, error_message, error_stack, routed_to, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const listed = new Map(written.failuresListed);
  for (const stage of report.stages) {
    const from = listed.get(stage.uuid) ?? 0;
    for (const failure of stage.failures.slice(from)) {
      insertFailure.run(
        id,
        stage.uuid,
        failure.taskUuid,
        failure.dataTitle,
        failure.attempts,
        failure.error.name,
        failure.error.message,
        failure.error.stack ?? null,
        failure.routedTo ?? null,
        now,
      );
    }
    listed.set(stage.uuid, stage.failures.length);
  }
  if (ending === undefined) {
    statement(db, "UPDATE runs SET report_json = ?, updated_at = ? WHERE id = ?").run(reportJson(report), now, id);
  } else {
    statement(db, "UPDATE runs SET report_json = ?, updated_at = ?, finished_at = ?, outcome = ?, error = ? WHERE id = ?").run(
      reportJson(report),
      now,
      report.finishedAt.toISOString(),
      ending.outcome,
      ending.error ?? null,
      id,
    );
  }
  return { failuresListed: listed, countsDigest: digest };
}
