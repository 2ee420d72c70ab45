import type { LabelRowJson, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import { formatLabelDate } from "../../labels/dates.js";
import type { MediaKind } from "./media-types.js";

/** What an empty label row is built from. */
export interface EmptyLabelRowInput {
  readonly labelHash: string;
  readonly dataHash: string;
  readonly dataTitle: string;
  readonly datasetHash: string;
  readonly datasetTitle: string;
  readonly kind: MediaKind;
  readonly mimeType: string;
  readonly dataLink: string;
  readonly width: number | null;
  readonly height: number | null;
  /** Videos: frames per second and seconds, when known. */
  readonly fps: number | null;
  readonly duration: number | null;
  readonly createdAt: Date;
}

/** The label row of a freshly added item, shaped as Encord returns an unlabelled row. */
export function emptyLabelRow(input: EmptyLabelRowInput): LabelRowJson {
  const created = formatLabelDate(input.createdAt);
  const dataUnit: Record<string, unknown> = {
    data_hash: input.dataHash,
    data_title: input.dataTitle,
    data_link: input.dataLink,
    data_type: input.mimeType,
    data_sequence: 0,
    labels: input.kind.itemType === "image" ? { objects: [], classifications: [] } : {},
  };
  if (input.width !== null) dataUnit.width = input.width;
  if (input.height !== null) dataUnit.height = input.height;
  // Encord's video data units carry their rate and length.
  if (input.fps !== null) dataUnit.data_fps = input.fps;
  if (input.duration !== null) dataUnit.data_duration = input.duration;
  return {
    label_hash: input.labelHash,
    branch_name: "main",
    created_at: created,
    last_edited_at: created,
    data_hash: input.dataHash,
    dataset_hash: input.datasetHash,
    dataset_title: input.datasetTitle,
    data_title: input.dataTitle,
    data_type: input.kind.dataType,
    annotation_task_status: null,
    is_shadow_data: false,
    object_answers: {},
    classification_answers: {},
    object_actions: {},
    label_status: "NOT_LABELLED",
    data_units: { [input.dataHash]: dataUnit },
    spaces: {},
  };
}

/** The joined row label-row metadata is built from. */
export interface MetadataRecord {
  label_hash: string;
  branch_name: string;
  label_status: string;
  label_created_at: string;
  label_edited_at: string;
  data_hash: string;
  data_title: string;
  data_type: string;
  dataset_uuid: string;
  dataset_title: string;
  url: string;
  mime_type: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  duration: number | null;
  frame_count: number | null;
  client_metadata: string;
  storage_item_uuid: string;
  task_uuid: string;
  priority: number;
  stage_uuid: string;
  stage_title: string;
  stage_type: string;
  assignee: string | null;
  last_actioned_by: string | null;
}

/** Label-row metadata in wire form, as Encord's `labelrowmetadata` listing gives it. */
export function labelRowMetadata(record: MetadataRecord, includeClientMetadata: boolean): LabelRowMetadataJson {
  const metadata: LabelRowMetadataJson = {
    label_hash: record.label_hash,
    branch_name: record.branch_name,
    created_at: formatLabelDate(new Date(record.label_created_at)),
    last_edited_at: formatLabelDate(new Date(record.label_edited_at)),
    data_hash: record.data_hash,
    dataset_hash: record.dataset_uuid,
    dataset_title: record.dataset_title,
    data_title: record.data_title,
    data_type: record.data_type.toUpperCase(),
    data_link: record.url,
    label_status: record.label_status,
    annotation_task_status: null,
    workflow_graph_node: { uuid: record.stage_uuid, title: record.stage_title },
    is_shadow_data: false,
    number_of_frames: record.frame_count ?? 1,
    frames_per_second: record.fps,
    duration: record.duration,
    height: record.height,
    width: record.width,
    audio_sample_rate: null,
    audio_codec: null,
    audio_bit_depth: null,
    audio_num_channels: null,
    spaces: {},
    group_hash: null,
    task_uuid: record.task_uuid,
    // Encord reports no priority for finished tasks.
    priority: record.stage_type === "DONE" ? null : record.priority,
    client_metadata: includeClientMetadata ? (JSON.parse(record.client_metadata) as Record<string, unknown>) : null,
    images_data: null,
    file_type: record.mime_type,
    is_valid: true,
    backing_item_uuid: record.storage_item_uuid,
    assigned_user_email: record.assignee,
    last_actioned_by_user_email: record.last_actioned_by,
  };
  return metadata;
}
