import type { Migration } from "./migration.js";

/**
 * Indexes for the dashboard's stage page on big stages: its "highest priority first" order
 * walks `tasks_by_stage_priority` instead of sorting the stage, and its title filter reads the
 * titles of a project from `data_units_by_project_title` without visiting the rows. Indexes only,
 * so a store without them reads the same (only slower).
 */
export const dashboardIndexes: Migration = {
  version: 8,
  name: "dashboard-indexes",
  readCompatible: true,
  sql: `
CREATE INDEX tasks_by_stage_priority ON tasks (stage_uuid, priority DESC, id);
CREATE INDEX data_units_by_project_title ON data_units (project_uuid, title, data_hash);
`,
};
