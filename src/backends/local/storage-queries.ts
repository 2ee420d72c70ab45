import { BackendError } from "../../domain/errors.js";
import type { StorageItem, StorageItemType } from "../../domain/storage-item.js";
import type { StorageItemPatch } from "../backend.js";
import type { Db } from "./database.js";
import { published } from "./intake-visibility.js";
import { statement } from "./statements.js";

interface StorageItemRecord {
  uuid: string;
  item_type: string;
  name: string;
  mime_type: string | null;
  file_size: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  duration: number | null;
  frame_count: number | null;
  url: string;
  client_metadata: string;
  created_at: string;
  last_edited_at: string;
}

/**
 * Storage items by UUID, in the order asked. Matching is by UUID, never by position; any UUID
 * not in the store is an error naming it, as Encord reports items the key cannot see.
 */
export function selectStorageItems(db: Db, itemUuids: readonly string[], signUrls: boolean): StorageItem[] {
  const records = statement(
    db,
    `SELECT i.* FROM json_each(?) wanted CROSS JOIN storage_items i ON i.uuid = lower(wanted.value) AND ${published("i")} ORDER BY wanted.key`,
  ).all(JSON.stringify(itemUuids)) as StorageItemRecord[];
  if (records.length !== itemUuids.length) {
    const found = new Set(records.map((r) => r.uuid));
    const missing = itemUuids.filter((u) => !found.has(u.toLowerCase()));
    throw new BackendError(
      "TA_STORE_ERROR",
      `Storage item${missing.length === 1 ? "" : "s"} ${missing.slice(0, 10).join(", ")}` +
        `${missing.length > 10 ? ` and ${missing.length - 10} more` : ""}` +
        ` ${missing.length === 1 ? "is" : "are"} not in this store.`,
    );
  }
  return records.map((r) => storageItemOf(r, signUrls));
}

/**
 * The child items of a storage item (a DICOM series' slices) in frame order; none for an item
 * without children. An item not in the store is an error naming it.
 */
export function selectChildItems(db: Db, parentUuid: string, signUrls: boolean): StorageItem[] {
  selectStorageItems(db, [parentUuid], false);
  const records = statement(db, `SELECT * FROM storage_items i WHERE parent_uuid = lower(?) AND ${published("i")} ORDER BY child_index`).all(
    parentUuid,
  ) as StorageItemRecord[];
  return records.map((r) => storageItemOf(r, signUrls));
}

function storageItemOf(r: StorageItemRecord, signUrls: boolean): StorageItem {
  return {
    uuid: r.uuid,
    itemType: r.item_type as StorageItemType,
    name: r.name,
    description: "",
    clientMetadata: JSON.parse(r.client_metadata) as Record<string, unknown>,
    mimeType: r.mime_type,
    fileSize: r.file_size,
    width: r.width,
    height: r.height,
    fps: r.fps,
    duration: r.duration,
    frameCount: r.frame_count,
    url: r.url,
    // Local files need no signature: the URL itself is where to download from.
    signedUrl: signUrls ? r.url : null,
    createdAt: new Date(r.created_at),
    lastEditedAt: new Date(r.last_edited_at),
  };
}

/** Applies patches to storage items in one transaction; an unknown UUID changes nothing. */
export function updateStorageItems(db: Db, patches: readonly StorageItemPatch[]): StorageItem[] {
  const update = statement(
    db,
    `UPDATE storage_items SET name = coalesce(?, name), client_metadata = coalesce(?, client_metadata), last_edited_at = ?
     WHERE uuid = lower(?)`,
  );
  return db.transaction(() => {
    // Looked up first so an unknown UUID is reported before anything changes.
    selectStorageItems(
      db,
      patches.map((p) => p.uuid),
      false,
    );
    const now = new Date().toISOString();
    for (const patch of patches) {
      update.run(patch.name ?? null, patch.clientMetadata === undefined ? null : JSON.stringify(patch.clientMetadata), now, patch.uuid);
    }
    return selectStorageItems(
      db,
      patches.map((p) => p.uuid),
      false,
    );
  })();
}
