import type { Migration } from "./migration.js";

/**
 * The first schema. Stage edges of every kind (agent pathways, `submit`, `approve`, `reject`,
 * START's successor) live in one `pathways` table so moving a task is the same operation
 * whichever kind of stage it leaves.
 */
export const initialSchema: Migration = {
  version: 1,
  name: "initial",
  sql: `
CREATE TABLE projects (
  uuid            TEXT PRIMARY KEY,
  title           TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  ontology_json   TEXT NOT NULL,
  spec_json       TEXT NOT NULL,
  dataset_uuid    TEXT NOT NULL UNIQUE,
  created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE stages (
  uuid            TEXT PRIMARY KEY,
  project_uuid    TEXT NOT NULL REFERENCES projects(uuid) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  title           TEXT NOT NULL,
  type            TEXT NOT NULL CHECK (type IN ('START', 'AGENT', 'ANNOTATION', 'REVIEW', 'DONE')),
  UNIQUE (project_uuid, title),
  UNIQUE (project_uuid, position)
) STRICT;

CREATE TABLE pathways (
  uuid              TEXT PRIMARY KEY,
  stage_uuid        TEXT NOT NULL REFERENCES stages(uuid) ON DELETE CASCADE,
  position          INTEGER NOT NULL,
  name              TEXT NOT NULL,
  destination_uuid  TEXT NOT NULL REFERENCES stages(uuid) ON DELETE CASCADE,
  UNIQUE (stage_uuid, name)
) STRICT;

CREATE TABLE storage_items (
  uuid              TEXT PRIMARY KEY,
  project_uuid      TEXT NOT NULL REFERENCES projects(uuid) ON DELETE CASCADE,
  item_type         TEXT NOT NULL,
  name              TEXT NOT NULL,
  mime_type         TEXT,
  file_size         INTEGER,
  width             INTEGER,
  height            INTEGER,
  fps               REAL,
  duration          REAL,
  frame_count       INTEGER,
  url               TEXT NOT NULL,
  client_metadata   TEXT NOT NULL DEFAULT '{}',
  created_at        TEXT NOT NULL,
  last_edited_at    TEXT NOT NULL
) STRICT;

CREATE TABLE data_units (
  data_hash           TEXT PRIMARY KEY,
  project_uuid        TEXT NOT NULL REFERENCES projects(uuid) ON DELETE CASCADE,
  storage_item_uuid   TEXT NOT NULL UNIQUE REFERENCES storage_items(uuid) ON DELETE CASCADE,
  title               TEXT NOT NULL,
  data_type           TEXT NOT NULL,
  created_at          TEXT NOT NULL
) STRICT;
CREATE INDEX data_units_by_project ON data_units (project_uuid);

CREATE TABLE label_rows (
  data_hash        TEXT PRIMARY KEY REFERENCES data_units(data_hash) ON DELETE CASCADE,
  label_hash       TEXT NOT NULL UNIQUE,
  branch_name      TEXT NOT NULL DEFAULT 'main',
  label_status     TEXT NOT NULL DEFAULT 'NOT_LABELLED',
  label_json       TEXT NOT NULL,
  version          INTEGER NOT NULL DEFAULT 1,
  created_at       TEXT NOT NULL,
  last_edited_at   TEXT NOT NULL
) STRICT;

CREATE TABLE tasks (
  id                INTEGER PRIMARY KEY,
  uuid              TEXT NOT NULL UNIQUE,
  project_uuid      TEXT NOT NULL REFERENCES projects(uuid) ON DELETE CASCADE,
  data_hash         TEXT NOT NULL UNIQUE REFERENCES data_units(data_hash) ON DELETE CASCADE,
  stage_uuid        TEXT NOT NULL REFERENCES stages(uuid),
  status            TEXT NOT NULL,
  priority          REAL NOT NULL DEFAULT 0.5 CHECK (priority >= 0 AND priority <= 1),
  assignee          TEXT,
  last_actioned_by  TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
) STRICT;
-- Paging walks a stage by id (keyset), so this index serves "tasks of a stage, in order".
CREATE INDEX tasks_by_stage ON tasks (stage_uuid, id);
CREATE INDEX tasks_by_project ON tasks (project_uuid, id);

CREATE TABLE task_moves (
  id                 INTEGER PRIMARY KEY,
  task_uuid          TEXT NOT NULL REFERENCES tasks(uuid) ON DELETE CASCADE,
  project_uuid       TEXT NOT NULL REFERENCES projects(uuid) ON DELETE CASCADE,
  from_stage_uuid    TEXT REFERENCES stages(uuid),
  to_stage_uuid      TEXT NOT NULL REFERENCES stages(uuid),
  pathway_uuid       TEXT,
  pathway_name       TEXT,
  actor              TEXT NOT NULL,
  moved_at           TEXT NOT NULL
) STRICT;
CREATE INDEX task_moves_by_task ON task_moves (task_uuid, id);
CREATE INDEX task_moves_by_project ON task_moves (project_uuid, id);
`,
};
