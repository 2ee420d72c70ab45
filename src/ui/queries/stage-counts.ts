import type { Db } from "../../backends/local/database.js";
import { statement } from "../../backends/local/statements.js";
import { visibleCount } from "../../backends/local/intake-visibility.js";

/**
 * Tasks per stage of a project, every stage present (0 for empty ones). Counted per stage on the
 * (stage, id) index: entries are counted, no task row is read.
 */
export function stageCounts(db: Db, stageUuids: readonly string[]): Map<string, number> {
  const plain = "SELECT COUNT(*) FROM tasks t WHERE stage_uuid = @stage";
  // Tasks of a data add still being written are not counted (intake-visibility.ts).
  const count = statement(db, `SELECT ${visibleCount(plain, "t")}`, { pluck: true });
  // One read transaction, so the counts add up to one moment of a store others are changing.
  return db.transaction(() => new Map(stageUuids.map((uuid) => [uuid, count.get({ stage: uuid }) as number])))();
}
