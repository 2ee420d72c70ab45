import type { Migration } from "./migration.js";

/**
 * A move made because a task failed for good (a stage's `onFailure` pathway) keeps the error of
 * its last attempt, so the history says why the task left; other moves leave it NULL.
 */
export const moveErrors: Migration = {
  version: 4,
  name: "move-errors",
  sql: `ALTER TABLE task_moves ADD COLUMN error TEXT;`,
};
