import type { LabelRowJson, LabelRowMetadataIncludeArgs, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import type { Db } from "./database.js";
import { published } from "./intake-visibility.js";
import { labelRowMetadata, type MetadataRecord } from "./label-row-records.js";
import { statement } from "./statements.js";

// The queries below start from the wanted hashes (CROSS JOIN fixes the join order): left to the
// planner, SQLite walked every data unit of the project for each batch, which made a 20,000-task
// run quadratic.

/** Label-row metadata for these data items of a project, in the order given; unknown ones left out. */
export function selectLabelRowMetadata(
  db: Db,
  projectUuid: string,
  dataHashes: readonly string[],
  include: LabelRowMetadataIncludeArgs = {},
): LabelRowMetadataJson[] {
  const records = statement(
    db,
    `SELECT l.label_hash, l.branch_name, l.label_status, l.created_at AS label_created_at, l.last_edited_at AS label_edited_at,
         d.data_hash, d.title AS data_title, d.data_type, p.dataset_uuid, p.title AS dataset_title,
         i.url, i.mime_type, i.width, i.height, i.fps, i.duration, i.frame_count, i.client_metadata, i.uuid AS storage_item_uuid,
         t.uuid AS task_uuid, t.priority, t.assignee, t.last_actioned_by, s.uuid AS stage_uuid, s.title AS stage_title, s.type AS stage_type
       FROM json_each(?) wanted
       CROSS JOIN data_units d ON d.data_hash = wanted.value AND d.project_uuid = ? AND ${published("d")}
       JOIN projects p ON p.uuid = d.project_uuid
       JOIN label_rows l ON l.data_hash = d.data_hash
       JOIN storage_items i ON i.uuid = d.storage_item_uuid
       JOIN tasks t ON t.data_hash = d.data_hash
       JOIN stages s ON s.uuid = t.stage_uuid
       ORDER BY wanted.key`,
  ).all(JSON.stringify(dataHashes), projectUuid) as MetadataRecord[];
  return records.map((r) => labelRowMetadata(r, include.includeClientMetadata === true));
}

/** Full label rows for these data items of a project, in the order given; unknown ones left out. */
export function selectLabelRows(db: Db, projectUuid: string, dataHashes: readonly string[]): LabelRowJson[] {
  const rows = statement(
    db,
    `SELECT l.label_json FROM json_each(?) wanted
       CROSS JOIN data_units d ON d.data_hash = wanted.value AND d.project_uuid = ? AND ${published("d")}
       JOIN label_rows l ON l.data_hash = d.data_hash ORDER BY wanted.key`,
    { pluck: true },
  ).all(JSON.stringify(dataHashes), projectUuid) as string[];
  return rows.map((json) => JSON.parse(json) as LabelRowJson);
}

/**
 * Every label row of a project as JSON text, in the order the data was added, a page at a time,
 * so an export never holds the project in memory.
 */
export function* iterateLabelRowJson(db: Db, projectUuid: string, pageSize = 500): Generator<string> {
  const page = statement(
    db,
    `SELECT d.rowid AS id, l.label_json FROM data_units d JOIN label_rows l ON l.data_hash = d.data_hash
     WHERE d.project_uuid = ? AND d.rowid > ? AND ${published("d")} ORDER BY d.rowid LIMIT ?`,
  );
  let afterId = 0;
  for (;;) {
    const rows = page.all(projectUuid, afterId, pageSize) as { id: number; label_json: string }[];
    for (const row of rows) yield row.label_json;
    if (rows.length < pageSize) return;
    afterId = rows.at(-1)!.id;
  }
}

/**
 * For data items of one project, the data item of another project added from the same file
 * (same URL), by source data hash. Items the other project lacks are left out; when it holds the
 * file twice, the first added wins.
 */
export function selectSameData(db: Db, fromProjectUuid: string, dataHashes: readonly string[], toProjectUuid: string): Map<string, string> {
  const rows = statement(
    db,
    `SELECT d.data_hash AS source, (
         SELECT t.data_hash FROM storage_items ti JOIN data_units t ON t.storage_item_uuid = ti.uuid
         WHERE ti.project_uuid = ? AND ti.url = i.url AND ${published("t")} ORDER BY t.rowid LIMIT 1
       ) AS twin
     FROM json_each(?) wanted
     CROSS JOIN data_units d ON d.data_hash = wanted.value AND d.project_uuid = ? AND ${published("d")}
     JOIN storage_items i ON i.uuid = d.storage_item_uuid`,
  ).all(toProjectUuid, JSON.stringify(dataHashes), fromProjectUuid) as { source: string; twin: string | null }[];
  return new Map(rows.flatMap((r) => (r.twin === null ? [] : [[r.source, r.twin] as const])));
}
