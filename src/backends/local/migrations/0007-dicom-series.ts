import type { Migration } from "./migration.js";

/**
 * DICOM series: a series is one storage item (with the data unit, label row and task) whose
 * slices are storage items of their own, as Encord stores them. A slice names its series in
 * `parent_uuid` and its place in the series (frame N = slice N) in `child_index`; slices have no
 * data unit or task. Stores without these columns hold no series, but listing children reads
 * them, so read-only commands need the step.
 */
export const dicomSeries: Migration = {
  version: 7,
  name: "dicom-series",
  sql: `
ALTER TABLE storage_items ADD COLUMN parent_uuid TEXT REFERENCES storage_items(uuid) ON DELETE CASCADE;
ALTER TABLE storage_items ADD COLUMN child_index INTEGER;
CREATE INDEX storage_items_by_parent ON storage_items (parent_uuid, child_index) WHERE parent_uuid IS NOT NULL;
`,
};
