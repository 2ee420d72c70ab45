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
 * A count that stays an index-only count while no intake is open (the usual case): `plain`
 * counts without looking at intakes, `filtered` is the same count with {@link published}. Both
 * are scalar subqueries; SQLite runs only the one the CASE picks. Give parameters by name.
 */
export function visibleCount(plain: string, filtered: string): string {
  return `(CASE WHEN EXISTS (SELECT 1 FROM intakes) THEN (${filtered}) ELSE (${plain}) END)`;
}
