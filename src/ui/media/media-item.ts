import type { LocalBackend } from "../../backends/local/local-backend.js";
import type { StorageItem } from "../../domain/storage-item.js";

/** A data item of a project with the storage item that holds its file, as the store records them. */
export interface MediaItem {
  readonly projectHash: string;
  readonly dataHash: string;
  readonly dataTitle: string;
  readonly storageItem: StorageItem;
}

/**
 * The item behind a project's data hash, or `undefined` when the project has no such data. The
 * file the dashboard shows is always the one the store recorded for it: no part of a request
 * names a path.
 */
export async function findMediaItem(backend: LocalBackend, projectHash: string, dataHash: string): Promise<MediaItem | undefined> {
  const [metadata] = await backend.getLabelRowMetadata(projectHash, [dataHash]);
  if (metadata === undefined || metadata.backing_item_uuid === null) return undefined;
  const [storageItem] = await backend.getStorageItems([metadata.backing_item_uuid], { signUrls: true });
  if (storageItem === undefined) return undefined;
  return { projectHash, dataHash: metadata.data_hash, dataTitle: metadata.data_title, storageItem };
}

/** Item types with pictures the dashboard can show, frame by frame. */
export function hasFrames(item: MediaItem): boolean {
  return item.storageItem.itemType === "image" || item.storageItem.itemType === "video";
}
