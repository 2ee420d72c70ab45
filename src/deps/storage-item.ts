import type { StorageItem } from "../domain/storage-item.js";
import { makeDependency, prefetchedKey, type PrefetchedTaskData, type TaskContext } from "./define-dependency.js";

/**
 * The storage item behind the task's data (type, size, client metadata, a URL to download it
 * from), fetched in bulk for the whole batch and matched to tasks by UUID.
 */
export const storageItem = makeDependency<StorageItem>({
  deps: {},
  prefetch: ["labelRowMetadata", "storageItem"],
  label: "storageItem",
  resolve: (context: never) => {
    const ctx = context as TaskContext & { [prefetchedKey]: PrefetchedTaskData };
    const item = ctx[prefetchedKey].storageItem;
    if (!item) throw new Error(`No storage item was found for task ${ctx.task.uuid} (data ${ctx.task.dataHash}).`);
    return structuredClone(item);
  },
});
