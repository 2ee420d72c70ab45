import type { Migration } from "./migration.js";

/**
 * The notification settings of AGENT stages (a spec's `notify`), one row per notified stage.
 * Exactly one of `secret` (the signing secret) and `secret_env` (the environment variable that
 * holds it) is set.
 */
export const stageNotifications: Migration = {
  version: 3,
  name: "stage-notifications",
  sql: `
CREATE TABLE stage_notifications (
  stage_uuid        TEXT PRIMARY KEY REFERENCES stages(uuid) ON DELETE CASCADE,
  url               TEXT NOT NULL,
  secret            TEXT,
  secret_env        TEXT,
  batch_size        INTEGER NOT NULL CHECK (batch_size >= 1),
  max_wait_seconds  REAL NOT NULL CHECK (max_wait_seconds >= 0),
  CHECK ((secret IS NULL) <> (secret_env IS NULL))
) STRICT;
`,
};
