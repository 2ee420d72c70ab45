import { BackendError } from "../domain/errors.js";
import type { StorageItem } from "../domain/storage-item.js";
import { makeDependency } from "./define-dependency.js";

/**
 * The storage item behind the task's data (type, size, client metadata, a URL to download it
 * from), fetched in bulk for the whole batch and matched to tasks by UUID.
 */
export const storageItem = makeDependency<StorageItem>({
  deps: {},
  prefetch: ["labelRowMetadata", "storageItem"],
  label: "storageItem",
  resolve: ({ context, prefetched }) => {
    const item = prefetched.storageItem;
    if (!item)
      throw new BackendError(
        "TA_MISSING_STORAGE_ITEMS",
        `No storage item was found for task ${context.task.uuid} (data ${context.task.dataHash}): the ` +
          `backend returned none for it, so it may have been deleted or not be visible to these credentials.`,
      );
    return structuredClone(item);
  },
});
