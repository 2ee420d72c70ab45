import { timeOrderedUuid } from "../../shared/uuid.js";
import type { NewDataItem } from "./data-items.js";
import type { Db } from "./database.js";
import { emptyLabelRow } from "./label-row-records.js";

/** The project items are added to, as the intake needs it. */
export interface IntakeProject {
  readonly uuid: string;
  readonly title: string;
  readonly dataset_uuid: string;
}

/** Where new tasks go: START's one pathway and the stage it leads to. */
export interface IntakeEntry {
  readonly start_uuid: string;
  readonly pathway_uuid: string;
  readonly pathway_name: string;
  readonly to_uuid: string;
}

/** Where an intake's rows go. */
export interface IntakeTarget {
  readonly projectUuid: string;
  readonly entry: IntakeEntry;
  readonly status: string;
  readonly actor: string;
  /** The open intake (intakes.ts) whose rows stay invisible until it is published. */
  readonly intakeId: number;
}

let tableCount = 0;

/**
 * The rows of a `data add` before they are written: one row per item in a TEMP table, which
 * lives in this connection's own temporary file. Writing to it takes no lock on the store, so
 * reading and probing the items leaves the store's write lock to other processes, and a bad item
 * stops the command before anything reaches the store. {@link writeItems} then copies them into
 * the store a chunk at a time, marked with an intake that keeps them invisible until it is
 * published (data-items.ts).
 */
export class IntakeStaging {
  readonly #db: Db;
  readonly #table: string;
  #created = false;
  #items = 0;
  #children = 0;

  constructor(db: Db) {
    this.#db = db;
    // Two intakes on one connection (two addData calls at once) each get their own table.
    this.#table = `temp.intake_${++tableCount}`;
  }

  /** Stages one chunk of items in one transaction of the TEMP table. */
  add(items: readonly NewDataItem[], project: IntakeProject): void {
    this.#create();
    const insert = this.#db.prepare(
      `INSERT INTO ${this.#table} (storage_item_uuid, data_hash, label_hash, task_uuid, item_type, name, mime_type, file_size, width, height,
         fps, duration, frame_count, url, client_metadata, data_type, stamp, label_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertChild = this.#db.prepare(
      `INSERT INTO ${this.#table}_children (storage_item_uuid, parent_uuid, child_index, ` +
        `item_type, name, mime_type, file_size, width, height, frame_count, url, stamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#db.transaction(() => {
      const now = new Date();
      const stamp = now.toISOString();
      for (const item of items) {
        const ids = { storageItemUuid: timeOrderedUuid(), dataHash: timeOrderedUuid(), labelHash: timeOrderedUuid(), taskUuid: timeOrderedUuid() };
        const { media } = item;
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
        insert.run(
          ids.storageItemUuid,
          ids.dataHash,
          ids.labelHash,
          ids.taskUuid,
          media.kind.itemType,
          item.title,
          media.mimeType,
          media.fileSize,
          media.width,
          media.height,
          media.fps,
          media.duration,
          media.frameCount,
          item.url,
          JSON.stringify(item.clientMetadata),
          media.kind.dataType,
          stamp,
          JSON.stringify(labelRow),
        );
        item.children?.forEach((child, index) => {
          const m = child.media;
          insertChild.run(
            timeOrderedUuid(),
            ids.storageItemUuid,
            index,
            m.kind.itemType,
            child.title,
            m.mimeType,
            m.fileSize,
            m.width,
            m.height,
            m.frameCount,
            child.url,
            stamp,
          );
        });
      }
    })();
    // Counted once the chunk is in: staging rowids run 1..n without gaps, so ranges of them are chunks.
    this.#items += items.length;
    this.#children += items.reduce((n, item) => n + (item.children?.length ?? 0), 0);
  }

  /** How many items and DICOM slices are staged. */
  get counts(): { readonly items: number; readonly children: number } {
    return { items: this.#items, children: this.#children };
  }

  /**
   * Writes staged items `first`..`last` (1-based, in staging order) into the store, marked with
   * the intake: a storage item, a data unit, an empty label row and a task in `entry.to_uuid` each,
   * with the task's first move recorded. Set-based copies of rows already built; part of the
   * caller's transaction. Task ids follow the items' order: listings walk a stage by id.
   */
  writeItems(first: number, last: number, target: IntakeTarget): void {
    const { projectUuid, entry, status, actor, intakeId } = target;
    const from = `FROM ${this.#table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid`;
    this.#db
      .prepare(
        `INSERT INTO storage_items (uuid, project_uuid, item_type, name, mime_type, file_size, width, ` +
          `height, fps, duration, frame_count, url, client_metadata, created_at, last_edited_at, intake_id)
         SELECT storage_item_uuid, ?, item_type, name, mime_type, file_size, width, ` +
          `height, fps, duration, frame_count, url, client_metadata, stamp, stamp, ? ${from}`,
      )
      .run(projectUuid, intakeId, first, last);
    this.#db
      .prepare(
        `INSERT INTO data_units (data_hash, project_uuid, storage_item_uuid, title, data_type, ` +
          `created_at, intake_id) SELECT data_hash, ?, storage_item_uuid, name, data_type, stamp, ? ${from}`,
      )
      .run(projectUuid, intakeId, first, last);
    this.#db
      .prepare(
        `INSERT INTO label_rows (data_hash, label_hash, label_json, created_at, last_edited_at) SELECT data_hash, label_hash, label_json, stamp, stamp ${from}`,
      )
      .run(first, last);
    this.#db
      .prepare(
        `INSERT INTO tasks (uuid, project_uuid, data_hash, stage_uuid, status, last_actioned_by, created_at, updated_at, intake_id)
         SELECT task_uuid, ?, data_hash, ?, ?, NULL, stamp, stamp, ? ${from}`,
      )
      .run(projectUuid, entry.to_uuid, status, intakeId, first, last);
    this.#db
      .prepare(
        `INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at, intake_id)
         SELECT task_uuid, ?, ?, ?, ?, ?, ?, stamp, ? ${from}`,
      )
      .run(projectUuid, entry.start_uuid, entry.to_uuid, entry.pathway_uuid, entry.pathway_name, actor, intakeId, first, last);
  }

  /**
   * Writes staged DICOM slices `first`..`last` as storage items of their own under their series,
   * without data unit or task, marked with the intake. Their series must be written already.
   */
  writeChildren(first: number, last: number, target: IntakeTarget): void {
    this.#db
      .prepare(
        `INSERT INTO storage_items (uuid, project_uuid, item_type, name, mime_type, file_size, width, ` +
          `height, frame_count, url, created_at, last_edited_at, parent_uuid, child_index, intake_id)
         SELECT storage_item_uuid, ?, item_type, name, mime_type, file_size, width, height, frame_count, url, stamp, stamp, parent_uuid, child_index, ?
         FROM ${this.#table}_children WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
      )
      .run(target.projectUuid, target.intakeId, first, last);
  }

  /** Removes the staging table (and the rows in it). */
  drop(): void {
    if (this.#created && this.#db.open) this.#db.exec(`DROP TABLE IF EXISTS ${this.#table}; DROP TABLE IF EXISTS ${this.#table}_children`);
    this.#created = false;
  }

  #create(): void {
    if (this.#created) return;
    // label_json last: it spills into overflow pages, which every copy would otherwise walk
    // through to reach the columns after it (this made copying 20,000 items take 3 s, not 1.6 s).
    this.#db.exec(
      `CREATE TABLE ${this.#table} (storage_item_uuid TEXT, data_hash TEXT, label_hash TEXT, task_uuid TEXT, item_type TEXT, name TEXT,
         mime_type TEXT, file_size INTEGER, width INTEGER, height INTEGER, fps REAL, duration REAL, frame_count INTEGER, url TEXT,
         client_metadata TEXT, data_type TEXT, stamp TEXT, label_json TEXT);
       CREATE TABLE ${this.#table}_children (storage_item_uuid TEXT, parent_uuid TEXT, child_index INTEGER, item_type TEXT, name TEXT,
         mime_type TEXT, file_size INTEGER, width INTEGER, height INTEGER, frame_count INTEGER, url TEXT, stamp TEXT)`,
    );
    this.#created = true;
  }
}
