import type { Migration } from "./migration.js";

/**
 * Finds a project's storage item by the file it was added from, which is how twin projects on
 * one store find "the same data" (each project has its own data hashes).
 */
export const storageByUrl: Migration = {
  version: 2,
  name: "storage-by-url",
  // Lookups by URL work without the index, only slower.
  readCompatible: true,
  sql: `CREATE INDEX storage_items_by_url ON storage_items (project_uuid, url);`,
};
