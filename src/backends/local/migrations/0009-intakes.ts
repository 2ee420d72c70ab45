import type { Migration } from "./migration.js";

/**
 * Intakes written in short transactions, published in one: `data add` writes its rows into the
 * tables a chunk per transaction, each row marked with the `intake_id` of an `intakes` row, and
 * publishes them all by deleting that row. While an intake's row exists its rows are invisible to
 * every reader; an intake whose process died is removed, rows first, by a later `data add` (see
 * docs/local-store.md, section "`data add`"). Ids are AUTOINCREMENT so a published intake's id, which its
 * rows keep, is never handed to a new intake. Readers filter on the new columns, so read-only
 * commands need the step.
 */
export const intakes: Migration = {
  version: 9,
  name: "intakes",
  sql: `
CREATE TABLE intakes (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  project_uuid    TEXT NOT NULL REFERENCES projects(uuid) ON DELETE CASCADE,
  host            TEXT NOT NULL,
  pid             INTEGER NOT NULL,
  started_at      TEXT NOT NULL,
  touched_at      INTEGER NOT NULL
) STRICT;
ALTER TABLE storage_items ADD COLUMN intake_id INTEGER;
ALTER TABLE data_units ADD COLUMN intake_id INTEGER;
ALTER TABLE tasks ADD COLUMN intake_id INTEGER;
ALTER TABLE task_moves ADD COLUMN intake_id INTEGER;
`,
};
