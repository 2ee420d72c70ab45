import type { Backend } from "../backends/backend.js";
import { stageTasks } from "../backends/stage-tasks.js";
import { ConfigurationError } from "../domain/errors.js";
import type { LabelRowJson, LabelRowMetadataJson } from "../domain/label-row-json.js";
import type { WorkflowTask } from "../domain/task.js";
import type { Project } from "../domain/workflow.js";
import { LabelRow } from "../labels/label-row.js";
import { isUuid } from "../shared/uuid.js";
import { loadedBy, type BatchLoader, type BatchLoadInput } from "../runner/batch-data.js";
import { makeDependency, type Dependency } from "./define-dependency.js";
import { projectOntology } from "./project-ontology.js";

/** Options of {@link twinLabelRow}. */
export interface TwinLabelRowOptions {
  /** The twin project: another project holding the same data. */
  readonly projectHash: string;
  /**
   * Load the twin's labels (`twin.labelRow`). On Encord this creates the twin's label rows where
   * none exist yet, as the SDK's `initialise_labels` does; pass false to only read metadata.
   * @defaultValue true
   */
  readonly initLabels?: boolean;
  /** Look up the twin's task, wherever it is in the twin's workflow (`twin.task`). @defaultValue false */
  readonly includeTask?: boolean;
}

/** The same data item in the twin project. */
export interface Twin {
  readonly projectHash: string;
  /** The item's data hash in the twin project (the same as the task's on Encord). */
  readonly dataHash: string;
  /** The twin's label-row metadata (workflow stage, label status, storage item…). */
  readonly metadata: LabelRowMetadataJson;
  /** The twin's labels, against the twin project's ontology; a fresh copy on every attempt. Throws when `initLabels` was false. */
  readonly labelRow: LabelRow;
  /** The twin's task with its stage, when `includeTask` was set and the item has one. */
  readonly task: WorkflowTask | undefined;
  /** Saves `labelRow` to the twin project now (not with the batch: it is another project). */
  save(): Promise<void>;
}

interface TwinData {
  readonly twinProject: Project;
  readonly metadata: LabelRowMetadataJson;
  readonly row: LabelRowJson | undefined;
  readonly task: WorkflowTask | undefined;
}

/**
 * The label row (and optionally the task) of the same data item in another project: a "twin"
 * project on the same data. Fetched in bulk for each batch (only the batch's items, not the whole
 * twin project), so it is as fresh as the batch. Resolves to `null` when the twin project does
 * not hold the item. On Encord the same data has the same data hash in every project; on the
 * local store the twin is the item added from the same file.
 * @example
 * const twin = twinLabelRow({ projectHash: SOURCE_PROJECT });
 * runner.stage("Copy", { deps: { labelRow, twin } }, ({ labelRow, twin }) => { … twin?.labelRow … });
 */
export function twinLabelRow(options: TwinLabelRowOptions): Dependency<Twin | null> {
  const settings = checkOptions(options);
  const loader: BatchLoader<TwinData> = { label: `twinLabelRow(${settings.projectHash})`, load: (input) => loadTwins(input, settings) };
  return makeDependency<Twin | null>({
    deps: {},
    prefetch: [],
    batchLoaders: [loader],
    label: loader.label,
    resolve: ({ prefetched }) => {
      const data = loadedBy(prefetched, loader);
      return data ? makeTwin(data, settings, prefetched.backend) : null;
    },
  });
}

type TwinSettings = Required<TwinLabelRowOptions>;

function checkOptions(options: unknown): TwinSettings {
  const accepted = "twinLabelRow({ projectHash, initLabels?, includeTask? })";
  if (typeof options !== "object" || options === null)
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${accepted} needs an options object with the twin project's hash.`);
  const { projectHash, initLabels = true, includeTask = false, ...rest } = options as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${accepted}: unknown option${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}.`);
  if (typeof projectHash !== "string" || !isUuid(projectHash)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${accepted}: projectHash must be the twin project's UUID, got ${JSON.stringify(projectHash) ?? String(projectHash)}.`,
    );
  }
  if (typeof initLabels !== "boolean" || typeof includeTask !== "boolean") {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${accepted}: initLabels and includeTask are true or false.`);
  }
  return { projectHash: projectHash.toLowerCase(), initLabels, includeTask };
}

async function loadTwins(input: BatchLoadInput, settings: TwinSettings): Promise<Map<string, TwinData>> {
  const { backend, project, tasks } = input;
  const dataHashes = tasks.map((t) => t.dataHash);
  const twinHashOf = backend.matchDataInProject
    ? await backend.matchDataInProject(project.uuid, dataHashes, settings.projectHash)
    : new Map(dataHashes.map((hash) => [hash, hash]));
  // The twin project is read even when no item matches, so a wrong hash fails every batch loudly.
  const twinProject = await backend.getProject(settings.projectHash);
  const twinHashes = [...new Set(twinHashOf.values())];
  if (twinHashes.length === 0) return new Map();
  const metadata = await backend.getLabelRowMetadata(settings.projectHash, twinHashes);
  const metadataByHash = new Map(metadata.map((m) => [m.data_hash, m]));
  const present = twinHashes.filter((hash) => metadataByHash.has(hash));
  const [rows, twinTasks] = await Promise.all([
    settings.initLabels && present.length > 0 ? backend.getLabelRows(settings.projectHash, present) : Promise.resolve([]),
    settings.includeTask ? tasksOf(backend, settings.projectHash, metadata) : Promise.resolve(new Map<string, WorkflowTask>()),
  ]);
  const rowsByHash = new Map(rows.map((row) => [row.data_hash, row]));
  const loaded = new Map<string, TwinData>();
  for (const task of tasks) {
    const twinHash = twinHashOf.get(task.dataHash);
    const twinMetadata = twinHash === undefined ? undefined : metadataByHash.get(twinHash);
    if (!twinHash || !twinMetadata) continue;
    loaded.set(task.uuid, { twinProject, metadata: twinMetadata, row: rowsByHash.get(twinHash), task: twinTasks.get(twinHash) });
  }
  return loaded;
}

/** The twin items' tasks, looked up stage by stage (the metadata says which stage each is in). */
async function tasksOf(backend: Backend, projectHash: string, metadata: readonly LabelRowMetadataJson[]): Promise<Map<string, WorkflowTask>> {
  const hashesByStage = new Map<string, string[]>();
  for (const m of metadata) {
    const stageUuid = m.workflow_graph_node?.uuid;
    if (!stageUuid) continue;
    hashesByStage.set(stageUuid, [...(hashesByStage.get(stageUuid) ?? []), m.data_hash]);
  }
  const found = new Map<string, WorkflowTask>();
  for (const [stageUuid, dataHashes] of hashesByStage) {
    for await (const task of stageTasks(backend, projectHash, stageUuid, { dataHashes })) found.set(task.dataHash, task);
  }
  return found;
}

function makeTwin(data: TwinData, settings: TwinSettings, backend: Backend): Twin {
  const row = data.row
    ? LabelRow.fromEncordDict(structuredClone(data.row), { metadata: data.metadata, ontology: projectOntology(data.twinProject.ontology) })
    : undefined;
  const dataHash = data.metadata.data_hash;
  const labelsNotLoaded = () =>
    new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `The twin's labels were not loaded: ` +
        `twinLabelRow({ projectHash: "${settings.projectHash}", initLabels: false }). ` +
        `Leave initLabels out (it defaults to true) to get twin.labelRow.`,
    );
  return {
    projectHash: settings.projectHash,
    dataHash,
    metadata: data.metadata,
    get labelRow(): LabelRow {
      if (!row) throw labelsNotLoaded();
      return row;
    },
    task: data.task,
    async save() {
      if (!row) throw labelsNotLoaded();
      await backend.commit(settings.projectHash, { labelSaves: [{ dataHash, labelRow: row.toEncordDict() }] });
    },
  };
}
