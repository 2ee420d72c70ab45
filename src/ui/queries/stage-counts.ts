import type { Db } from "../../backends/local/database.js";
import { statement } from "../../backends/local/statements.js";

/**
 * Tasks per stage of a project, every stage present (0 for empty ones). Counted per stage on the
 * (stage, id) index: entries are counted, no task row is read.
 */
export function stageCounts(db: Db, stageUuids: readonly string[]): Map<string, number> {
  const count = statement(db, "SELECT COUNT(*) FROM tasks WHERE stage_uuid = ?", { pluck: true });
  // One read transaction, so the counts add up to one moment of a store others are changing.
  return db.transaction(() => new Map(stageUuids.map((uuid) => [uuid, count.get(uuid) as number])))();
}
