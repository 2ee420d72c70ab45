import { timeOrderedUuid } from "../../shared/uuid.js";
import { DataInputError } from "../../domain/errors.js";
import { withIntakeCache, type Db } from "./database.js";
import { emptyLabelRow } from "./label-row-records.js";
import type { ProbedMedia } from "./media-probe.js";
import { requireProjectRow } from "./projects.js";
import { recordMoveSql } from "./task-records.js";

/** One item to add: a file or URL already probed for its media type. */
export interface NewDataItem {
  readonly title: string;
  /** `file://` URL of a local file, or the remote URL it was listed with. */
  readonly url: string;
  readonly media: ProbedMedia;
  readonly clientMetadata: Record<string, unknown>;
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
 * item fails, nothing is added. Items are read as a stream and written in chunks, so a manifest of
 * any length never sits in memory whole.
 */
export async function addDataItems(
  db: Db,
  projectHash: string,
  items: AsyncIterable<NewDataItem>,
  options: { actor: string },
): Promise<AddDataResult> {
  const project = requireProjectRow(db, projectHash);
  const entry = db
    .prepare(
      `SELECT s.uuid AS start_uuid, p.uuid AS pathway_uuid, p.name AS pathway_name, d.uuid AS to_uuid, d.type AS to_type,
         d.title AS to_title
       FROM stages s JOIN pathways p ON p.stage_uuid = s.uuid JOIN stages d ON d.uuid = p.destination_uuid
       WHERE s.project_uuid = ? AND s.type = 'START'`,
    )
    .get(project.uuid) as { start_uuid: string; pathway_uuid: string; pathway_name: string; to_uuid: string; to_type: string; to_title: string };
  const insertStorageItem = db.prepare(
    `INSERT INTO storage_items (uuid, project_uuid, item_type, name, mime_type, file_size, width, height, fps, duration, frame_count, url, client_metadata, created_at, last_edited_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDataUnit = db.prepare(
    "INSERT INTO data_units (data_hash, project_uuid, storage_item_uuid, title, data_type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insertLabelRow = db.prepare(
    "INSERT INTO label_rows (data_hash, label_hash, label_json, created_at, last_edited_at) VALUES (?, ?, ?, ?, ?)",
  );
  const insertTask = db.prepare(
    `INSERT INTO tasks (uuid, project_uuid, data_hash, stage_uuid, status, last_actioned_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const insertMove = db.prepare(recordMoveSql);
  const status = entry.to_type === "DONE" ? "COMPLETED" : "NEW";

  const writeChunk = (chunk: readonly NewDataItem[]): void => {
    const now = new Date();
    const stamp = now.toISOString();
    for (const item of chunk) {
      const ids = { storageItemUuid: timeOrderedUuid(), dataHash: timeOrderedUuid(), labelHash: timeOrderedUuid(), taskUuid: timeOrderedUuid() };
      const { media } = item;
      insertStorageItem.run(
        ids.storageItemUuid, project.uuid, media.kind.itemType, item.title, media.mimeType, media.fileSize,
        media.width, media.height, media.fps, media.duration, media.frameCount, item.url, JSON.stringify(item.clientMetadata), stamp, stamp,
      );
      insertDataUnit.run(ids.dataHash, project.uuid, ids.storageItemUuid, item.title, media.kind.dataType, stamp);
      const labelRow = emptyLabelRow({
        labelHash: ids.labelHash,
        dataHash: ids.dataHash,
        dataTitle: item.title,
        datasetHash: project.dataset_uuid,
        datasetTitle: project.title,
        kind: media.kind,
        mimeType: media.mimeType,
        dataLink: item.url,
        width: media.width,
        height: media.height,
        fps: media.fps,
        duration: media.duration,
        createdAt: now,
      });
      insertLabelRow.run(ids.dataHash, ids.labelHash, JSON.stringify(labelRow), stamp, stamp);
      insertTask.run(ids.taskUuid, project.uuid, ids.dataHash, entry.to_uuid, status, stamp, stamp);
      insertMove.run(ids.taskUuid, project.uuid, entry.start_uuid, entry.to_uuid, entry.pathway_uuid, entry.pathway_name, options.actor, stamp);
    }
  };

  // One transaction spans the whole (asynchronous) read so the command is all-or-nothing.
  // IMMEDIATE takes the write lock up front: no other writer can slip in between chunks.
  const count = await withIntakeCache(db, async () => {
    db.exec("BEGIN IMMEDIATE");
    let written = 0;
    try {
      let chunk: NewDataItem[] = [];
      for await (const item of items) {
        chunk.push(item);
        if (chunk.length >= chunkSize) {
          writeChunk(chunk);
          written += chunk.length;
          chunk = [];
        }
      }
      if (chunk.length > 0) {
        writeChunk(chunk);
        written += chunk.length;
      }
      if (written === 0) {
        throw new DataInputError("TA_INVALID_ARGUMENT", "Nothing to add: the files, folders or manifest given hold no items (folders are walked recursively; hidden entries and blank manifest lines are skipped).");
      }
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
    return written;
  });
  return { added: count, stageTitle: entry.to_title };
}
