import type { Migration } from "./migration.js";

/**
 * Claims (leases) that runner processes take on the tasks of the batches they are handling, so
 * several processes working on one stage share its tasks instead of each handling all of them.
 * A claim counts while it has not expired, the task is still in the stage it was taken in, and
 * (on this host) the claiming process is alive. `host` and `pid` let a process on the same
 * machine see that a claimer died and take its tasks at once rather than after the lease.
 */
export const taskClaims: Migration = {
  version: 5,
  name: "task-claims",
  // Only runs read and write claims, and a run writes (so it upgrades the store first): reading
  // commands never look at the table.
  readCompatible: true,
  sql: `
CREATE TABLE task_claims (
  task_uuid    TEXT PRIMARY KEY REFERENCES tasks(uuid) ON DELETE CASCADE,
  stage_uuid   TEXT NOT NULL,
  owner        TEXT NOT NULL,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX task_claims_by_owner ON task_claims (owner);
`,
};
