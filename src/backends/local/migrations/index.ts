import { initialSchema } from "./0001-initial.js";
import { storageByUrl } from "./0002-storage-by-url.js";
import { stageNotifications } from "./0003-stage-notifications.js";
import { moveErrors } from "./0004-move-errors.js";
import { taskClaims } from "./0005-task-claims.js";
import { runsRecorded } from "./0006-runs.js";
import { dicomSeries } from "./0007-dicom-series.js";
import { dashboardIndexes } from "./0008-dashboard-indexes.js";
import { intakes } from "./0009-intakes.js";
import type { Migration } from "./migration.js";

/** Every migration, in order. Append new ones; never edit or reorder existing ones. */
export const migrations: readonly Migration[] = [
  initialSchema,
  storageByUrl,
  stageNotifications,
  moveErrors,
  taskClaims,
  runsRecorded,
  dicomSeries,
  dashboardIndexes,
  intakes,
];
