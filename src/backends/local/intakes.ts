import { isGone, thisProcess } from "./claimer-process.js";
import type { Db } from "./database.js";

/**
 * An intake whose row has not been touched for this long is taken as abandoned even when its
 * process cannot be checked (another machine). A live intake touches it with every chunk, a few
 * times a second; only a process stopped (not ended) for this long loses its intake, and it then
 * fails saying so.
 */
const abandonedAfterMs = 10 * 60_000;

/** Rows of an abandoned intake removed per transaction (each takes its dependants with it). */
const removeChunk = 500;

/** Opens an intake of a project: its rows stay invisible until {@link publishIntake}. */
export function openIntake(db: Db, projectUuid: string): number {
  const me = thisProcess();
  return db
    .transaction(
      () =>
        db
          .prepare("INSERT INTO intakes (project_uuid, host, pid, started_at, touched_at) VALUES (?, ?, ?, ?, ?)")
          .run(projectUuid, me.host, me.pid, new Date().toISOString(), Date.now()).lastInsertRowid as number,
    )
    .immediate();
}

/**
 * Marks the intake alive; part of each chunk's transaction. False when it is gone: another
 * process took it for abandoned and removed it.
 */
export function touchIntake(db: Db, intakeId: number): boolean {
  return db.prepare("UPDATE intakes SET touched_at = ? WHERE id = ?").run(Date.now(), intakeId).changes === 1;
}

/** Publishes every row of the intake at once; false when the intake is gone (see {@link touchIntake}). */
export function publishIntake(db: Db, intakeId: number): boolean {
  return db.transaction(() => db.prepare("DELETE FROM intakes WHERE id = ?").run(intakeId).changes === 1).immediate();
}

/**
 * Intakes that will never be published: of a process of this machine that is gone (killed,
 * crashed), or untouched for {@link abandonedAfterMs}.
 */
export function abandonedIntakes(db: Db): number[] {
  const me = thisProcess();
  const rows = db.prepare("SELECT id, host, pid, touched_at FROM intakes").all() as { id: number; host: string; pid: number; touched_at: number }[];
  const now = Date.now();
  return rows.filter((r) => (r.host === me.host && r.pid !== me.pid && isGone(r.pid)) || now - r.touched_at > abandonedAfterMs).map((r) => r.id);
}

/**
 * Where the removal of an intake's rows is up to: the rowid below which none of its storage items
 * remain. Found by a read (no lock), so the removing transactions only walk the intake's rows.
 */
export function firstRowOfIntake(db: Db, intakeId: number): number {
  const first = db.prepare("SELECT min(rowid) FROM storage_items WHERE intake_id = ?").pluck().get(intakeId) as number | null;
  return first ?? Number.MAX_SAFE_INTEGER;
}

/**
 * Removes one chunk of an unpublished intake's rows, in one transaction: storage items after
 * `afterRowid`, with (by the schema's cascades) their data units, label rows, tasks, moves, claims
 * and DICOM slices. Once no row is left, the intake itself. Returns where the next chunk starts,
 * or undefined when the intake is gone.
 */
export function removeIntakeChunk(db: Db, intakeId: number, fromRowid: number): number | undefined {
  return db
    .transaction((): number | undefined => {
      const removed = db
        .prepare(
          `DELETE FROM storage_items WHERE rowid IN (
             SELECT rowid FROM storage_items WHERE rowid >= ? AND intake_id = ? ORDER BY rowid LIMIT ${removeChunk}
           ) RETURNING rowid`,
        )
        .pluck()
        .all(fromRowid, intakeId) as number[];
      if (removed.length === removeChunk) return Math.max(...removed) + 1;
      // Every other row of the intake went with its storage item: a chunk writes all rows of an
      // item in one transaction, storage item first.
      db.prepare("DELETE FROM intakes WHERE id = ?").run(intakeId);
      return undefined;
    })
    .immediate();
}
