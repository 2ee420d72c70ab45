import { setTimeout as sleep } from "node:timers/promises";
import { BackendError } from "../../domain/errors.js";
import { retryWhileBusy, type BusyRetryOptions } from "./busy-retry.js";
import type { Db } from "./database.js";
import type { IntakeStaging, IntakeTarget } from "./intake-staging.js";
import { abandonedIntakes, firstRowOfIntake, openIntake, publishIntake, removeIntakeChunk, touchIntake } from "./intakes.js";

// How `data add` puts staged items into the store without holding the write lock for long, and
// how abandoned intakes leave it: docs/local-store.md, section "`data add`".

/**
 * Copies the staged items into the store as one intake: opened, written a chunk per short
 * transaction, published by one that deletes the intake's row. Each chunk is sized to take about
 * {@link chunkTargetMs}, and the intake then leaves the lock free about as long, so another
 * process's writes wait one chunk at most. On any failure the intake's rows are removed (if that
 * fails too, they stay invisible until the next `data add` removes them).
 */
export async function writeIntake(db: Db, staging: IntakeStaging, target: Omit<IntakeTarget, "intakeId">, busy: BusyRetryOptions): Promise<void> {
  const intakeId = await retryWhileBusy(db, () => openIntake(db, target.projectUuid), busy);
  const full = { ...target, intakeId };
  try {
    const { items, children } = staging.counts;
    // Series first: their slices name them as parents.
    await writeInChunks(db, intakeId, items, (first, last) => staging.writeItems(first, last, full), busy);
    await writeInChunks(db, intakeId, children, (first, last) => staging.writeChildren(first, last, full), busy);
    if (!(await retryWhileBusy(db, () => publishIntake(db, intakeId), busy))) throw intakeTakenAway();
  } catch (error) {
    await removeIntake(db, intakeId, busy).catch(() => undefined);
    throw error;
  }
}

/** What one write transaction of an intake aims to take (ms): well under what a waiting writer notices. */
const chunkTargetMs = 20;
const firstChunkRows = 100;
const maxChunkRows = 5000;

async function writeInChunks(db: Db, intakeId: number, count: number, write: (first: number, last: number) => void, busy: BusyRetryOptions): Promise<void> {
  let rows = firstChunkRows;
  for (let first = 1; first <= count;) {
    const last = Math.min(count, first + rows - 1);
    const tookMs = await retryWhileBusy(
      db,
      () =>
        db
          .transaction(() => {
            const started = performance.now();
            if (!touchIntake(db, intakeId)) throw intakeTakenAway();
            write(first, last);
            return performance.now() - started;
          })
          .immediate(),
      busy,
    );
    // The next chunk's size follows the rate this one had (growing at most twofold), so a slow
    // disk or a loaded machine gets smaller chunks rather than longer transactions.
    const written = last - first + 1;
    rows = Math.max(1, Math.min(maxChunkRows, 2 * written, Math.round((written * chunkTargetMs) / Math.max(tookMs, 1))));
    first = last + 1;
    await leaveLockFree(tookMs);
  }
}

/**
 * Waits about as long as the last transaction held the lock: a process waiting for it (SQLite's
 * own busy wait polls every few ms, retryWhileBusy every 25 ms and more) gets in.
 */
function leaveLockFree(heldMs: number): Promise<void> {
  return sleep(Math.max(2, Math.min(heldMs, 2 * chunkTargetMs)));
}

function intakeTakenAway(): BackendError {
  return new BackendError(
    "TA_STORE_ERROR",
    "This data add stopped for more than 10 minutes midway, and another process took its " +
      "unfinished items for abandoned and removed them; nothing was added. Run the data add again.",
  );
}

/** Removes an unpublished intake's rows a chunk per transaction, then the intake. */
async function removeIntake(db: Db, intakeId: number, busy: BusyRetryOptions): Promise<void> {
  let from: number | undefined = firstRowOfIntake(db, intakeId);
  while (from !== undefined) {
    const start: number = from;
    const started = performance.now();
    from = await retryWhileBusy(db, () => removeIntakeChunk(db, intakeId, start), busy);
    if (from !== undefined) await leaveLockFree(performance.now() - started);
  }
}

/** Removes the intakes that will never be published: of processes killed or crashed midway. */
export async function removeAbandonedIntakes(db: Db, busy: BusyRetryOptions): Promise<void> {
  for (const intakeId of abandonedIntakes(db)) await removeIntake(db, intakeId, busy);
}
