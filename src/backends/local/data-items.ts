import { setTimeout as sleep } from "node:timers/promises";
import { BackendError, DataInputError } from "../../domain/errors.js";
import { retryWhileBusy, type BusyRetryOptions } from "./busy-retry.js";
import { withIntakeCache, type Db } from "./database.js";
import { IntakeStaging, type IntakeEntry, type IntakeProject, type IntakeTarget } from "./intake-staging.js";
import { abandonedIntakes, firstRowOfIntake, openIntake, publishIntake, removeIntakeChunk, touchIntake } from "./intakes.js";
import type { ProbedMedia } from "./media-probe.js";
import { requireProjectRow } from "./projects.js";

/** One item to add: a file or URL already probed for its media type. */
export interface NewDataItem {
  readonly title: string;
  /** `file://` URL of a local file, or the remote URL it was listed with. */
  readonly url: string;
  readonly media: ProbedMedia;
  readonly clientMetadata: Record<string, unknown>;
  /** A DICOM series' slices in frame order, each stored as a child item without a task. */
  readonly children?: readonly NewDataItem[];
}

/** What `addDataItems` did. */
export interface AddDataResult {
  readonly added: number;
  /** The stage new tasks were put in (START's successor). */
  readonly stageTitle: string;
}

const chunkSize = 500;

/**
 * Adds items to a project: per item a storage item, a data unit, an empty label row and a task at
 * the START stage's successor (with its move recorded). All or nothing: if reading or probing any
 * item fails, nothing is added. Items are read as a stream and staged in chunks (see
 * intake-staging.ts), so a manifest of any length never sits in memory whole; then written into
 * the store in short transactions as an intake no reader sees, and published in one
 * (docs/local-store.md, section "`data add`"). The store's write lock is never held for long, and each
 * wait for it is as `busy` says.
 */
export async function addDataItems(
  db: Db,
  projectHash: string,
  items: AsyncIterable<NewDataItem>,
  options: { actor: string; busy: Omit<BusyRetryOptions, "operation"> },
): Promise<AddDataResult> {
  const busy = { ...options.busy, operation: "data add" };
  await removeAbandonedIntakes(db, busy);
  const project = requireProjectRow(db, projectHash);
  const entry = db
    .prepare(
      `SELECT s.uuid AS start_uuid, p.uuid AS pathway_uuid, p.name AS pathway_name, d.uuid AS to_uuid, d.type AS to_type,
         d.title AS to_title
       FROM stages s JOIN pathways p ON p.stage_uuid = s.uuid JOIN stages d ON d.uuid = p.destination_uuid
       WHERE s.project_uuid = ? AND s.type = 'START'`,
    )
    .get(project.uuid) as IntakeEntry & { to_type: string; to_title: string };
  const status = entry.to_type === "DONE" ? "COMPLETED" : "NEW";
  const staging = new IntakeStaging(db);
  try {
    const count = await withIntakeCache(db, async () => {
      const written = await stageItems(staging, items, project);
      if (written === 0) {
        throw new DataInputError(
          "TA_INVALID_ARGUMENT",
          "Nothing to add: the files, folders or manifest given hold no items (folders are walked recursively; hidden entries and blank manifest lines are skipped).",
        );
      }
      await writeIntake(db, staging, { projectUuid: project.uuid, entry, status, actor: options.actor }, busy);
      return written;
    });
    return { added: count, stageTitle: entry.to_title };
  } finally {
    staging.drop();
  }
}

/**
 * Copies the staged items into the store as one intake: opened, written a chunk per short
 * transaction, published by one that deletes the intake's row. Each chunk is sized to take about
 * {@link chunkTargetMs}, and the intake then leaves the lock free about as long, so another
 * process's writes wait one chunk at most. On any failure the intake's rows are removed (if that
 * fails too, they stay invisible until the next `data add` removes them).
 */
async function writeIntake(db: Db, staging: IntakeStaging, target: Omit<IntakeTarget, "intakeId">, busy: BusyRetryOptions): Promise<void> {
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
    "This data add stopped for more than 10 minutes midway, and another process took its unfinished items for abandoned and removed them; nothing was added. Run the data add again.",
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
async function removeAbandonedIntakes(db: Db, busy: BusyRetryOptions): Promise<void> {
  for (const intakeId of abandonedIntakes(db)) await removeIntake(db, intakeId, busy);
}

/**
 * Reads, probes and stages every item, a chunk per transaction of the staging table only, so
 * the store's write lock is not taken and other processes keep writing meanwhile.
 */
async function stageItems(staging: IntakeStaging, items: AsyncIterable<NewDataItem>, project: IntakeProject): Promise<number> {
  let written = 0;
  let chunk: NewDataItem[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= chunkSize) {
      staging.add(chunk, project);
      written += chunk.length;
      chunk = [];
    }
  }
  if (chunk.length > 0) {
    staging.add(chunk, project);
    written += chunk.length;
  }
  return written;
}
