import type { Migration } from "./migration.js";

/**
 * Runs recorded: every Runner execution and stage pass (serve, runStage) on the local store
 * writes a `runs` row when it starts and completes it as it goes, so a run a crash or kill ended
 * stays listed with what it reported last. A run's failed tasks are rows of
 * `run_failures` (the first 1,000 per stage, as the run report lists them), found by run, stage
 * and task. Stores without these tables read as having no runs, so commands that only read do
 * not need this step.
 */
export const runsRecorded: Migration = {
  version: 6,
  name: "runs",
  readCompatible: true,
  sql: `
CREATE TABLE runs (
  id              INTEGER PRIMARY KEY,
  project_uuid    TEXT NOT NULL REFERENCES projects(uuid) ON DELETE CASCADE,
  kind            TEXT NOT NULL,
  options_json    TEXT NOT NULL,
  started_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  finished_at     TEXT,
  outcome         TEXT,
  error           TEXT,
  report_json     TEXT NOT NULL,
  pid             INTEGER NOT NULL,
  host            TEXT NOT NULL
) STRICT;
CREATE INDEX runs_by_project ON runs (project_uuid, id);

CREATE TABLE run_failures (
  id              INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  stage_uuid      TEXT NOT NULL,
  task_uuid       TEXT NOT NULL,
  data_title      TEXT NOT NULL,
  attempts        INTEGER NOT NULL,
  error_name      TEXT NOT NULL,
  error_message   TEXT NOT NULL,
  error_stack     TEXT,
  routed_to       TEXT,
  recorded_at     TEXT NOT NULL
) STRICT;
CREATE INDEX run_failures_by_run ON run_failures (run_id, id);
CREATE INDEX run_failures_by_stage ON run_failures (stage_uuid, id);
CREATE INDEX run_failures_by_task ON run_failures (task_uuid, id);
`,
};
