/**
 * The fake Encord server's data: projects with their workflow, tasks, storage items and label rows,
 * and how each is written on the wire (v2 DTOs in camelCase, v1 label rows in snake_case).
 */
import { createHmac } from "node:crypto";
import type { ProjectSpec } from "../../../src/backends/local/project-spec.js";
import type { OntologyStructureJson } from "../../../src/domain/workflow.js";
import { isoPython, labelDate, pythonJson } from "./util.js";

export type FakeDataType = "image" | "video" | "audio" | "plain_text" | "img_group" | "pdf" | "dicom" | "dicom_file" | "nifti";

/** One data item of {@link FakeEncord.addProject}. */
export interface FakeItemSpec {
  readonly title: string;
  readonly dataType: FakeDataType;
  readonly mimeType: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  /** Seconds. */
  readonly duration?: number;
  readonly frameCount?: number;
  readonly clientMetadata?: Record<string, unknown>;
  /** What the signed URL serves; without it the download answers 404. */
  readonly fileBytes?: Buffer;
  /**
   * `img_group`: what each image's signed URL serves, in frame order. Their number is the
   * group's size unless `frameCount` is given (missing images answer 404). `dicom` (a series):
   * the slice files, in frame order, each a `dicomFile` child item; the series' frame count is
   * their number unless `frameCount` is given.
   */
  readonly frames?: readonly Buffer[];
  /** Initial task priority (default 0.5). */
  readonly priority?: number;
}

export type FakeStageType = "AGENT" | "ANNOTATION" | "REVIEW" | "DONE";

export interface FakePathway {
  readonly uuid: string;
  readonly title: string;
  readonly destinationUuid: string;
}

export interface FakeStage {
  readonly uuid: string;
  readonly title: string;
  readonly type: FakeStageType;
  /** AGENT: its pathways (the only ones on the wire). Others: the spec's human edges (submit, approve, reject). */
  readonly pathways: readonly FakePathway[];
}

export interface ProjectState {
  readonly projectHash: string;
  readonly title: string;
  readonly description: string;
  readonly ontologyHash: string;
  readonly ontology: OntologyStructureJson;
  readonly datasetHash: string;
  readonly datasetTitle: string;
  readonly folderUuid: string;
  readonly workflowManagerUuid: string;
  /** `projectType` of the ProjectDTO (§4.1); "manual_qa" projects are sent without a workflow. */
  readonly projectType: "workflow" | "manual_qa";
  readonly createdAt: number;
  readonly stages: readonly FakeStage[];
  /** Where new tasks start: the stage the spec's START points to. */
  readonly initialStageUuid: string;
  readonly pageSize: number;
  /** Label-row metadata sends "None" for null. */
  readonly nullAsNone: boolean;
  readonly maxLabelsPerRequest: number;
  /** Public keys (hex) and bearer tokens allowed on the project; null = every registered credential. */
  readonly allowed: ReadonlySet<string> | null;
  nextSeq: number;
}

export type TaskStatus = "NEW" | "ASSIGNED" | "RELEASED" | "SKIPPED" | "REOPENED" | "COMPLETED";
export const TASK_STATUSES: readonly TaskStatus[] = ["NEW", "ASSIGNED", "RELEASED", "SKIPPED", "REOPENED", "COMPLETED"];

export interface TaskState {
  readonly uuid: string;
  readonly projectHash: string;
  /** Creation order within the project; page tokens point at it. */
  readonly seq: number;
  stageUuid: string;
  readonly dataHash: string;
  readonly dataTitle: string;
  status: TaskStatus;
  priority: number;
  readonly createdAt: number;
  updatedAt: number;
  assignee: string | null;
  lastActionedBy: string | null;
}

export interface StorageItemState {
  readonly uuid: string;
  /** The project the item was added to: its folder, dataset and child-item page size are that project's. */
  readonly projectHash: string;
  /**
   * Every project holding the item (`projectHash` first, then those it was attached to by
   * `attachData`); a credential allowed on any of them may read it. An image group's images
   * share the group's set.
   */
  readonly projectHashes: Set<string>;
  /** The dataset the item belongs to (its label rows' `dataset_hash` in every project). */
  readonly datasetHash: string;
  readonly datasetTitle: string;
  readonly parent: string;
  readonly dataHash: string;
  name: string;
  description: string;
  readonly dataType: FakeDataType;
  readonly mimeType: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly fps: number | null;
  readonly duration: number | null;
  readonly frameCount: number | null;
  clientMetadata: Record<string, unknown>;
  readonly fileBytes: Buffer | null;
  readonly createdAt: number;
  lastEditedAt: number;
  /** Raw storage path (`url` in the DTO, `data_link` in label rows). */
  readonly url: string;
  /** Data-unit hashes: the data hash itself, or one per image of an image group. */
  readonly unitHashes: readonly string[];
  /**
   * The child items (`…/child-items`), in frame order: an image group's images, whose uuids are
   * its unit hashes. Children are storage items of their own, in no label row and no task.
   */
  readonly childUuids: readonly string[];
}

/** One project's label row of one data item; a data item attached to two projects has one in each. */
export interface LabelRowState {
  readonly dataHash: string;
  readonly projectHash: string;
  readonly itemUuid: string;
  /** null until the row is created (v1 `labelrow` PUT). */
  labelHash: string | null;
  /** The stored label-row dict (what GET returns and POST overwrites); null until created. */
  row: Record<string, unknown> | null;
  createdAt: number | null;
  lastEditedAt: number | null;
}

export interface MoveRecord {
  readonly taskUuid: string;
  readonly projectHash: string;
  readonly from: string;
  readonly to: string;
  /** The pathway taken; null for `move-tasks` and test-driven moves without a pathway. */
  readonly pathwayUuid: string | null;
  readonly at: number;
  readonly via: "action" | "move-tasks" | "test";
}

/**
 * Label rows by project and data hash. On Encord a data item attached to two projects has the same
 * data hash in both and a label row (and task) in each, so the data hash alone does not name a row.
 */
export class LabelRowTable {
  readonly #rows = new Map<string, LabelRowState>();
  readonly #byDataHash = new Map<string, LabelRowState[]>();

  static #key(projectHash: string, dataHash: string): string {
    return `${projectHash}/${dataHash}`;
  }

  /** The project's row of the data item. */
  of(projectHash: string, dataHash: string): LabelRowState | undefined {
    return this.#rows.get(LabelRowTable.#key(projectHash, dataHash));
  }

  /**
   * The row of a data item that one project holds, as most tests have. Throws when several
   * projects hold it, rather than guess which one is meant: use {@link of} there.
   */
  get(dataHash: string): LabelRowState | undefined {
    const rows = this.#byDataHash.get(dataHash) ?? [];
    if (rows.length > 1) {
      throw new Error(
        `data ${dataHash} has a label row in each of the projects ` +
          `${rows.map((r) => r.projectHash).join(", ")}; say which with labelRows.of(projectHash, dataHash)`,
      );
    }
    return rows[0];
  }

  /** Every project's row of the data item, in the order they were added. */
  allOf(dataHash: string): readonly LabelRowState[] {
    return this.#byDataHash.get(dataHash) ?? [];
  }

  /** Adds a row; a project has one row per data item. */
  add(row: LabelRowState): void {
    const key = LabelRowTable.#key(row.projectHash, row.dataHash);
    if (this.#rows.has(key)) throw new Error(`project ${row.projectHash} already has a label row for data ${row.dataHash}`);
    this.#rows.set(key, row);
    this.#byDataHash.set(row.dataHash, [...this.allOf(row.dataHash), row]);
  }

  get size(): number {
    return this.#rows.size;
  }

  values(): IterableIterator<LabelRowState> {
    return this.#rows.values();
  }
}

/** Everything the fake holds; live objects, for tests to inspect (and, with care, to change). */
export interface FakeState {
  readonly projects: Map<string, ProjectState>;
  /** All tasks of all projects, in creation order. */
  readonly tasks: TaskState[];
  readonly tasksByUuid: Map<string, TaskState>;
  /** By project and data hash (see {@link LabelRowTable}). */
  readonly labelRows: LabelRowTable;
  readonly storageItems: Map<string, StorageItemState>;
  readonly history: MoveRecord[];
  /** Bearer tokens minted by `GET /v2/public/user/bearer-token`, with the key that minted them. */
  readonly mintedTokens: Map<string, string>;
}

export function emptyState(): FakeState {
  return {
    projects: new Map(),
    tasks: [],
    tasksByUuid: new Map(),
    labelRows: new LabelRowTable(),
    storageItems: new Map(),
    history: [],
    mintedTokens: new Map(),
  };
}

interface DataTypeInfo {
  readonly itemType: string;
  readonly labelType: string;
  readonly metadataType: string;
  /** How an empty data unit's `labels` looks (§7.3). */
  readonly labels: "single-frame" | "frames" | "none";
}

export const DATA_TYPES: Record<FakeDataType, DataTypeInfo> = {
  image: { itemType: "image", labelType: "image", metadataType: "IMAGE", labels: "single-frame" },
  img_group: { itemType: "imageGroup", labelType: "img_group", metadataType: "IMG_GROUP", labels: "single-frame" },
  video: { itemType: "video", labelType: "video", metadataType: "VIDEO", labels: "frames" },
  dicom: { itemType: "dicomSeries", labelType: "dicom", metadataType: "DICOM", labels: "frames" },
  dicom_file: { itemType: "dicomFile", labelType: "dicom", metadataType: "DICOM", labels: "frames" },
  nifti: { itemType: "nifti", labelType: "nifti", metadataType: "NIFTI", labels: "frames" },
  pdf: { itemType: "pdf", labelType: "pdf", metadataType: "PDF", labels: "frames" },
  audio: { itemType: "audio", labelType: "audio", metadataType: "AUDIO", labels: "none" },
  plain_text: { itemType: "plainText", labelType: "plain_text", metadataType: "PLAIN_TEXT", labels: "none" },
};

export function numberOfFrames(item: StorageItemState): number {
  if (item.frameCount !== null) return item.frameCount;
  if (item.dataType === "video" && item.fps !== null && item.duration !== null) return Math.max(1, Math.round(item.fps * item.duration));
  return 1;
}

/** Options of the signed-URL scheme. */
export interface UrlSigner {
  readonly baseUrl: () => string;
  readonly secret: Buffer;
  readonly ttlSeconds: number;
  readonly nowMs: () => number;
}

export function fileSignature(secret: Buffer, itemUuid: string, expires: number): string {
  return createHmac("sha256", secret).update(`${itemUuid}:${expires}`).digest("hex");
}

/** `{base}/files/{itemUuid}?sig=<hmac>&expires=<unix>`. */
export function signedUrl(signer: UrlSigner, item: StorageItemState): string {
  const expires = Math.floor(signer.nowMs() / 1000) + signer.ttlSeconds;
  return `${signer.baseUrl()}/files/${item.uuid}?sig=${fileSignature(signer.secret, item.uuid, expires)}&expires=${expires}`;
}

/** The StorageItem DTO (§6.2). `clientMetadata` is a JSON string, as Encord sends it. */
export function storageItemDto(item: StorageItemState, sign: boolean, signer: UrlSigner): Record<string, unknown> {
  const info = DATA_TYPES[item.dataType];
  const signable = item.dataType !== "img_group" && item.dataType !== "dicom";
  return {
    uuid: item.uuid,
    parent: item.parent,
    itemType: info.itemType,
    name: item.name,
    description: item.description,
    clientMetadata: pythonJson(item.clientMetadata),
    owner: "owner@fake-encord.invalid",
    createdAt: isoPython(item.createdAt),
    lastEditedAt: isoPython(item.lastEditedAt),
    isTombstone: false,
    isPlaceholder: false,
    backedDataUnitsCount: 1,
    storageLocation: "encord",
    integrationHash: null,
    url: item.url,
    signedUrl: sign && signable ? signedUrl(signer, item) : null,
    fileSize: item.fileBytes ? item.fileBytes.length : null,
    mimeType: item.mimeType,
    duration: item.duration,
    fps: item.fps,
    height: item.height,
    width: item.width,
    dicomInstanceUid: null,
    dicomStudyUid: null,
    dicomSeriesUid: null,
    frameCount: item.frameCount,
    audioSampleRate: null,
    audioBitDepth: null,
    audioNumChannels: null,
    audioCodec: null,
  };
}

/**
 * Slice `index` of a DICOM series: a `dicomFile` child item in the series' folder, its own uuid
 * (the series has one data unit, the series itself), named after the series and the slice.
 */
export function seriesSlice(series: StorageItemState, uuid: string, index: number, fileBytes: Buffer | null): StorageItemState {
  return {
    ...groupImage(series, uuid, index, fileBytes),
    dataHash: uuid,
    name: `${series.name} (${index + 1}).dcm`,
    dataType: "dicom_file",
    mimeType: "application/dicom",
    frameCount: 1,
  };
}

/**
 * Image `index` of an image group: its uuid is the group's unit hash (the data unit of the label
 * row), it lives in the group's folder, and its URL and name match the unit's `data_link` and
 * `data_title`.
 */
export function groupImage(group: StorageItemState, unitHash: string, index: number, fileBytes: Buffer | null): StorageItemState {
  return {
    uuid: unitHash,
    projectHash: group.projectHash,
    projectHashes: group.projectHashes,
    datasetHash: group.datasetHash,
    datasetTitle: group.datasetTitle,
    parent: group.parent,
    dataHash: unitHash,
    name: `${group.name} (${index + 1})`,
    description: "",
    dataType: "image",
    mimeType: "image/png",
    width: group.width,
    height: group.height,
    fps: null,
    duration: null,
    frameCount: null,
    clientMetadata: {},
    fileBytes,
    createdAt: group.createdAt,
    lastEditedAt: group.createdAt,
    url: `${group.url}/${unitHash}`,
    unitHashes: [unitHash],
    childUuids: [],
  };
}

/** A new, empty label-row dict as Encord creates it on `labelrow` PUT (§7.2, §7.3). */
export function emptyLabelRow(item: StorageItemState, labelHash: string, nowMs: number, dataLink: (item: StorageItemState) => string): Record<string, unknown> {
  const info = DATA_TYPES[item.dataType];
  const dataUnits: Record<string, unknown> = {};
  item.unitHashes.forEach((unitHash, index) => {
    const grouped = item.dataType === "img_group";
    const unit: Record<string, unknown> = {
      data_hash: unitHash,
      data_title: grouped ? `${item.name} (${index + 1})` : item.name,
      data_type: grouped ? "image/png" : item.mimeType,
      data_sequence: grouped ? String(index) : 0,
      data_link: grouped ? `${dataLink(item)}/${unitHash}` : dataLink(item),
    };
    if (item.dataType !== "audio" && item.dataType !== "plain_text") {
      unit["width"] = item.width ?? 0;
      unit["height"] = item.height ?? 0;
    }
    unit["labels"] = info.labels === "single-frame" ? { objects: [], classifications: [] } : {};
    if (item.dataType === "video") {
      if (item.duration !== null) unit["data_duration"] = item.duration;
      if (item.fps !== null) unit["data_fps"] = item.fps;
    }
    if (item.dataType === "audio") {
      if (item.duration !== null) unit["data_duration"] = item.duration;
      Object.assign(unit, { audio_codec: null, audio_sample_rate: null, audio_bit_depth: null, audio_num_channels: null });
    }
    dataUnits[unitHash] = unit;
  });
  return {
    label_hash: labelHash,
    branch_name: "main",
    created_at: labelDate(nowMs),
    last_edited_at: labelDate(nowMs),
    data_hash: item.dataHash,
    dataset_hash: item.datasetHash,
    dataset_title: item.datasetTitle,
    data_title: item.name,
    data_type: info.labelType,
    annotation_task_status: "QUEUED",
    is_shadow_data: false,
    object_answers: {},
    classification_answers: {},
    object_actions: {},
    label_status: "NOT_LABELLED",
    data_units: dataUnits,
    spaces: {},
  };
}

/** Builds a project from a validated spec: START is dropped, tasks start where it points. */
export function buildStages(spec: ProjectSpec): { stages: FakeStage[]; initialStageUuid: string } {
  const byTitle = new Map(spec.stages.map((s) => [s.title, s]));
  const destination = (title: string): string => {
    const stage = byTitle.get(title);
    if (!stage) throw new Error(`pathway target ${JSON.stringify(title)} names no stage`);
    return stage.uuid;
  };
  const start = spec.stages.find((s) => s.type === "START");
  if (!start || start.pathways.length !== 1) throw new Error("the spec needs one START stage with one edge");
  const stages = spec.stages
    .filter((s) => s.type !== "START")
    .map((s): FakeStage => ({
      uuid: s.uuid,
      title: s.title,
      type: s.type as FakeStageType,
      pathways: s.pathways.map((p) => ({ uuid: p.uuid, title: p.name, destinationUuid: destination(p.to) })),
    }));
  return { stages, initialStageUuid: destination(start.pathways[0]!.to) };
}

/** `workflow.stages[]` elements of the ProjectDTO (§4.3): only AGENT stages carry pathways. */
export function workflowStageDto(stage: FakeStage): Record<string, unknown> {
  const dto: Record<string, unknown> = { stageType: stage.type, uuid: stage.uuid, title: stage.title };
  if (stage.type === "AGENT") dto["pathways"] = stage.pathways.map((p) => ({ uuid: p.uuid, title: p.title, destinationUuid: p.destinationUuid }));
  return dto;
}

/** A task as `GET …/stages/{s}/tasks` lists it; the shape depends on the stage type (§4.5). */
export function taskDto(task: TaskState, stage: FakeStage): Record<string, unknown> {
  const common = { uuid: task.uuid, createdAt: isoPython(task.createdAt), updatedAt: isoPython(task.updatedAt) };
  if (stage.type === "DONE") return { ...common, dataHash: task.dataHash, dataTitle: task.dataTitle };
  const dto: Record<string, unknown> = {
    ...common,
    status: task.status,
    dataHash: task.dataHash,
    dataTitle: task.dataTitle,
    labelBranchName: "main",
    assignee: task.assignee,
  };
  if (stage.type === "AGENT") dto["lastActionedBy"] = task.lastActionedBy;
  return dto;
}
