/**
 * SQL conditions that keep the rows of an intake still being written out of every reader. `data
 * add` writes its rows a chunk per transaction marked with their intake's id and publishes them
 * all at once by deleting the intake's `intakes` row (migration 9, docs/local-store.md section
 * "`data add`"); until then a reader that saw them would see part of an intake.
 */

/**
 * True for a row of `storage_items`, `data_units`, `tasks` or `task_moves` (as `alias`) that is
 * published: added before intakes were marked, or by an intake no longer open.
 */
export function published(alias: string): string {
  return `(${alias}.intake_id IS NULL OR ${alias}.intake_id NOT IN (SELECT id FROM intakes))`;
}

/**
 * A count that stays an index-only count while no intake is open (the usual case): `count` (a
 * `SELECT COUNT(*) … WHERE …` over rows named `alias`) as it is, or, while an intake is open, with
 * {@link published} added to its WHERE clause. Both are scalar subqueries; SQLite runs only the
 * one the CASE picks. Give parameters by name.
 */
export function visibleCount(count: string, alias: string): string {
  return `(CASE WHEN EXISTS (SELECT 1 FROM intakes) THEN (${count} AND ${published(alias)}) ELSE (${count}) END)`;
}
