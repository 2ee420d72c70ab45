/**
 * Encord's wire shapes for label rows (snake_case at the top level, see docs/encord-protocol.md §7).
 * They stay in wire form so the label model can read them exactly as the Python SDK does.
 */

/** The workflow stage a label row's task sits in. */
export interface WorkflowGraphNodeJson {
  uuid: string;
  title: string;
}

/** One element of the `labelrowmetadata` listing. */
export interface LabelRowMetadataJson {
  label_hash: string | null;
  branch_name: string;
  created_at: string | null;
  last_edited_at: string | null;
  data_hash: string;
  dataset_hash: string;
  dataset_title: string;
  data_title: string;
  /** UPPERCASE here (`IMAGE`, `VIDEO`, …), lowercase in the label-row dict. */
  data_type: string;
  data_link: string | null;
  label_status: string;
  annotation_task_status: string | null;
  workflow_graph_node: WorkflowGraphNodeJson | null;
  is_shadow_data: boolean;
  number_of_frames: number;
  frames_per_second: number | null;
  duration: number | null;
  height: number | null;
  width: number | null;
  spaces: Record<string, unknown>;
  task_uuid: string | null;
  priority: number | null;
  client_metadata?: Record<string, unknown> | null;
  file_type: string | null;
  is_valid: boolean;
  backing_item_uuid: string | null;
  assigned_user_email: string | null;
  last_actioned_by_user_email: string | null;
  [key: string]: unknown;
}

/** A full label row dict: what `labelrow` GET returns and what a save sends. */
export interface LabelRowJson {
  label_hash: string | null;
  branch_name: string;
  created_at: string | null;
  last_edited_at: string | null;
  data_hash: string;
  dataset_hash: string;
  dataset_title: string;
  data_title: string;
  /** lowercase: `image`, `video`, `img_group`, `audio`, `plain_text`, `pdf`, `dicom`, `nifti`… */
  data_type: string;
  annotation_task_status: string | null;
  is_shadow_data: boolean;
  object_answers: Record<string, unknown>;
  classification_answers: Record<string, unknown>;
  object_actions: Record<string, unknown>;
  label_status: string;
  data_units: Record<string, unknown>;
  spaces: Record<string, unknown>;
  [key: string]: unknown;
}

/** Options of the `labelrowmetadata` listing the runner passes through. */
export interface LabelRowMetadataIncludeArgs {
  includeClientMetadata?: boolean;
  includeImagesData?: boolean;
  includeAllLabelBranches?: boolean;
}
