import type { Backend } from "../backends/backend.js";
import { BackendError } from "../domain/errors.js";
import type { LabelRowJson, LabelRowMetadataJson } from "../domain/label-row-json.js";
import type { StorageItem } from "../domain/storage-item.js";
import type { AgentTask } from "../domain/task.js";
import type { BatchLoader, PrefetchedTaskData } from "./batch-data.js";
import type { Project } from "../domain/workflow.js";
import { settleAll } from "../shared/settle-all.js";
import type { BoundStage } from "./stage-registry.js";

/**
 * Fetches what a batch's dependencies need, in bulk: label-row metadata (one call), then label
 * rows (one call) and storage items (one call, matched to tasks by UUID) side by side, then what
 * each batch loader (twin projects…) loads. Nothing is fetched that no dependency of the stage asked for.
 */
export async function prefetchBatch(
  backend: Backend,
  project: Project,
  bound: BoundStage,
  tasks: readonly AgentTask[],
): Promise<Map<string, PrefetchedTaskData>> {
  const projectHash = project.uuid;
  const data = new Map<string, PrefetchedTaskData>(tasks.map((t) => [t.uuid, { backend }]));
  if (bound.prefetch.size === 0 && bound.batchLoaders.size === 0) return data;
  const dataHashes = tasks.map((t) => t.dataHash);
  const metadataByHash = new Map<string, LabelRowMetadataJson>();
  if (bound.prefetch.has("labelRowMetadata")) {
    for (const m of await backend.getLabelRowMetadata(projectHash, dataHashes, bound.options.labelRowMetadataIncludeArgs)) metadataByHash.set(m.data_hash, m);
  }
  // Label rows and storage items both need only the metadata: they are fetched side by side.
  const [rowsByHash, itemsByUuid] = await settleAll([loadRows(backend, projectHash, bound, dataHashes), loadItems(backend, bound, metadataByHash)] as const);
  const loaded = await runBatchLoaders(bound.batchLoaders, { backend, project, tasks, metadataByDataHash: metadataByHash });
  for (const task of tasks) {
    const metadata = metadataByHash.get(task.dataHash);
    const itemUuid = metadata?.backing_item_uuid;
    data.set(task.uuid, {
      backend,
      ...(loaded.size > 0 ? { loaded: loadedFor(task.uuid, loaded) } : {}),
      ...(metadata ? { metadata } : {}),
      ...(rowsByHash.has(task.dataHash) ? { labelRow: rowsByHash.get(task.dataHash)! } : {}),
      ...(itemUuid && itemsByUuid.has(itemUuid) ? { storageItem: itemsByUuid.get(itemUuid)! } : {}),
    });
  }
  return data;
}

async function loadRows(backend: Backend, projectHash: string, bound: BoundStage, dataHashes: readonly string[]): Promise<Map<string, LabelRowJson>> {
  const rowsByHash = new Map<string, LabelRowJson>();
  if (!bound.prefetch.has("labelRow")) return rowsByHash;
  for (const row of await backend.getLabelRows(projectHash, dataHashes, bound.options.labelRowInitialiseLabelsArgs)) rowsByHash.set(row.data_hash, row);
  return rowsByHash;
}

async function loadItems(backend: Backend, bound: BoundStage, metadataByHash: ReadonlyMap<string, LabelRowMetadataJson>): Promise<Map<string, StorageItem>> {
  const itemsByUuid = new Map<string, StorageItem>();
  if (!bound.prefetch.has("storageItem")) return itemsByUuid;
  const uuids = [...new Set([...metadataByHash.values()].flatMap((m) => (m.backing_item_uuid ? [m.backing_item_uuid] : [])))];
  if (uuids.length === 0) return itemsByUuid;
  for (const item of await backend.getStorageItems(uuids, { signUrls: true })) itemsByUuid.set(item.uuid, item);
  const missing = uuids.filter((u) => !itemsByUuid.has(u));
  if (missing.length > 0) {
    throw new BackendError(
      "TA_MISSING_STORAGE_ITEMS",
      `The backend returned no storage item for ${missing.join(", ")}. The credentials in use probably lack access to the folders holding them.`,
    );
  }
  return itemsByUuid;
}

function loadedFor(taskUuid: string, loaded: ReadonlyMap<BatchLoader, ReadonlyMap<string, unknown>>): Map<BatchLoader, unknown> {
  const values = new Map<BatchLoader, unknown>();
  for (const [loader, byTask] of loaded) if (byTask.has(taskUuid)) values.set(loader, byTask.get(taskUuid));
  return values;
}

async function runBatchLoaders(
  loaders: ReadonlySet<BatchLoader>,
  input: Parameters<BatchLoader["load"]>[0],
): Promise<Map<BatchLoader, ReadonlyMap<string, unknown>>> {
  const results = await Promise.all([...loaders].map(async (loader) => [loader, await loader.load(input)] as const));
  return new Map(results);
}
