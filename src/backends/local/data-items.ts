import { DataInputError } from "../../domain/errors.js";
import type { BusyRetryOptions } from "./busy-retry.js";
import { withIntakeCache, type Db } from "./database.js";
import { IntakeStaging, type IntakeEntry, type IntakeProject } from "./intake-staging.js";
import { removeAbandonedIntakes, writeIntake } from "./intake-writer.js";
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
          "Nothing to add: the files, folders or manifest given hold no items (folders " +
            "are walked recursively; hidden entries and blank manifest lines are skipped).",
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
