/** The v1 "querier" RPC of the fake Encord server (§3): label-row metadata, label rows. */
import type { IncomingHttpHeaders } from "node:http";
import { canAccess, json, v1Error, type HandlerContext, type Reply } from "./context.js";
import { DATA_TYPES, emptyLabelRow, numberOfFrames, signedUrl, type LabelRowState, type ProjectState, type StorageItemState, type TaskState } from "./state.js";
import { isRecord, labelDate } from "./util.js";

class EnvelopeError extends Error {
  constructor(
    readonly code: string,
    readonly payload: unknown,
    readonly status = 400,
    readonly httpStatus = 200,
  ) {
    super(code);
  }
}

const invalid = (message: string) => new EnvelopeError("INVALID_ARGUMENTS_ERROR", message);
const notFound = (message: string) => new EnvelopeError("RESOURCE_NOT_FOUND_ERROR", message, 404);

const ok = (response: unknown): Reply => json(200, { status: 200, response });

/** Keys of the `labelrowmetadata` payload (§3.3a). Unknown keys are refused, to catch typos. */
const METADATA_KEYS = [
  "edited_before",
  "edited_after",
  "label_statuses",
  "shadow_data_state",
  "include_uninitialised_labels",
  "data_hashes",
  "label_hashes",
  "data_title_eq",
  "data_title_like",
  "workflow_graph_node_title_eq",
  "workflow_graph_node_title_like",
  "include_client_metadata",
  "include_images_data",
  "include_children",
  "include_workflow_graph_node",
  "include_all_label_branches",
  "branch_name",
] as const;
const GET_KEYS = [
  "get_signed_url",
  "multi_request",
  "include_object_feature_hashes",
  "include_classification_feature_hashes",
  "include_reviews",
  "include_export_history",
  "include_archived",
];
const PUT_KEYS = ["multi_request", "get_signed_url", "branch_name"];
const SAVE_KEYS = ["multi_request", "labels", "validate_before_saving"];

function payloadObject(payload: unknown, accepted: readonly string[], what: string): Record<string, unknown> {
  if (payload === null || payload === undefined) return {};
  if (!isRecord(payload)) throw invalid(`${what}: payload must be an object.`);
  const unknown = Object.keys(payload).filter((key) => !accepted.includes(key));
  if (unknown.length > 0) throw invalid(`${what}: unknown payload keys ${unknown.join(", ")}.`);
  return payload;
}

function stringList(value: unknown, what: string): string[] {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) throw invalid(`${what} must be a list of strings.`);
  return value;
}

function optionalStrings(payload: Record<string, unknown>, key: string): string[] | null {
  const value = payload[key];
  return value === null || value === undefined ? null : stringList(value, key);
}

function optionalString(payload: Record<string, unknown>, key: string): string | null {
  const value = payload[key];
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw invalid(`${key} must be a string.`);
  return value;
}

function flag(payload: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = payload[key];
  if (value === null || value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalid(`${key} must be a boolean.`);
  return value;
}

function likePattern(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}

function isoMs(value: string | null, key: string): number | null {
  if (value === null) return null;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw new EnvelopeError("INVALID_DATE_FORMAT_ERROR", `${key}: ${JSON.stringify(value)} is not a date.`);
  return ms;
}

interface RowContext {
  readonly row: LabelRowState;
  readonly task: TaskState;
  readonly item: StorageItemState;
}

/** The project's rows with their tasks, in task-creation order: this project's row of each data item, not another's holding the same data. */
function projectRows(ctx: HandlerContext, project: ProjectState): RowContext[] {
  return ctx.state.tasks
    .filter((task) => task.projectHash === project.projectHash)
    .map((task) => {
      const row = ctx.state.labelRows.of(project.projectHash, task.dataHash)!;
      return { row, task, item: ctx.state.storageItems.get(row.itemUuid)! };
    });
}

/** A label-row metadata entry (§7.1). */
function metadataDto(
  project: ProjectState,
  { row, task, item }: RowContext,
  includeClientMetadata: boolean,
  includeWorkflowNode: boolean,
): Record<string, unknown> {
  const stage = project.stages.find((s) => s.uuid === task.stageUuid)!;
  const labelStatus = row.row && typeof row.row["label_status"] === "string" ? row.row["label_status"] : "NOT_LABELLED";
  return {
    label_hash: row.labelHash,
    branch_name: "main",
    created_at: row.createdAt === null ? null : labelDate(row.createdAt),
    last_edited_at: row.lastEditedAt === null ? null : labelDate(row.lastEditedAt),
    data_hash: task.dataHash,
    group_hash: null,
    dataset_hash: item.datasetHash,
    dataset_title: item.datasetTitle,
    data_title: task.dataTitle,
    data_type: DATA_TYPES[item.dataType].metadataType,
    data_link: item.url,
    label_status: labelStatus,
    annotation_task_status: "QUEUED",
    workflow_graph_node: includeWorkflowNode ? { uuid: stage.uuid, title: stage.title } : null,
    is_shadow_data: false,
    number_of_frames: numberOfFrames(item),
    frames_per_second: item.fps,
    duration: item.duration,
    height: item.height,
    width: item.width,
    audio_sample_rate: null,
    audio_codec: null,
    audio_bit_depth: null,
    audio_num_channels: null,
    spaces: {},
    task_uuid: task.uuid,
    priority: stage.type === "DONE" ? null : task.priority,
    client_metadata: includeClientMetadata ? structuredClone(item.clientMetadata) : null,
    images_data: null,
    file_type: item.mimeType,
    is_valid: true,
    backing_item_uuid: item.uuid,
    assigned_user_email: task.assignee,
    last_actioned_by_user_email: task.lastActionedBy,
  };
}

function listMetadata(ctx: HandlerContext, project: ProjectState, rawPayload: unknown): Reply {
  const payload = payloadObject(rawPayload, METADATA_KEYS, "labelrowmetadata");
  const dataHashes = optionalStrings(payload, "data_hashes");
  const labelHashes = optionalStrings(payload, "label_hashes");
  const statuses = optionalStrings(payload, "label_statuses");
  const titleEq = optionalString(payload, "data_title_eq");
  const titleLike = optionalString(payload, "data_title_like");
  const nodeEq = optionalString(payload, "workflow_graph_node_title_eq");
  const nodeLike = optionalString(payload, "workflow_graph_node_title_like");
  const editedBefore = isoMs(optionalString(payload, "edited_before"), "edited_before");
  const editedAfter = isoMs(optionalString(payload, "edited_after"), "edited_after");
  const shadow = optionalString(payload, "shadow_data_state");
  if (shadow !== null && !["ALL_DATA", "SHADOW_DATA", "NOT_SHADOW_DATA"].includes(shadow))
    throw invalid(`shadow_data_state: unknown value ${JSON.stringify(shadow)}.`);
  const branch = optionalString(payload, "branch_name");
  const includeUninitialised = flag(payload, "include_uninitialised_labels", false);
  const includeClientMetadata = flag(payload, "include_client_metadata", false);
  const includeWorkflowNode = flag(payload, "include_workflow_graph_node", true);
  const allBranches = flag(payload, "include_all_label_branches", false);

  const dataSet = dataHashes && new Set(dataHashes);
  const labelSet = labelHashes && new Set(labelHashes);
  const titleRegex = titleLike === null ? null : likePattern(titleLike);
  const nodeRegex = nodeLike === null ? null : likePattern(nodeLike);
  const results = projectRows(ctx, project)
    .filter(({ row, task }) => {
      const stageTitle = project.stages.find((s) => s.uuid === task.stageUuid)!.title;
      return (
        (includeUninitialised || row.labelHash !== null) &&
        (dataSet === null || dataSet.has(task.dataHash)) &&
        (labelSet === null || (row.labelHash !== null && labelSet.has(row.labelHash))) &&
        (statuses === null || statuses.includes("QUEUED")) &&
        (titleEq === null || task.dataTitle === titleEq) &&
        (titleRegex === null || titleRegex.test(task.dataTitle)) &&
        (nodeEq === null || stageTitle === nodeEq) &&
        (nodeRegex === null || nodeRegex.test(stageTitle)) &&
        (editedBefore === null || (row.lastEditedAt !== null && row.lastEditedAt < editedBefore)) &&
        (editedAfter === null || (row.lastEditedAt !== null && row.lastEditedAt > editedAfter)) &&
        shadow !== "SHADOW_DATA" &&
        (branch === null || branch === "main" || allBranches)
      );
    })
    .map((entry) => metadataDto(project, entry, includeClientMetadata, includeWorkflowNode))
    .map((dto) => (project.nullAsNone ? Object.fromEntries(Object.entries(dto).map(([key, value]) => [key, value === null ? "None" : value])) : dto));
  return ok(results);
}

function withSignedLinks(ctx: HandlerContext, row: Record<string, unknown>, item: StorageItemState): Record<string, unknown> {
  const copy = structuredClone(row);
  const units = copy["data_units"];
  if (isRecord(units)) {
    for (const unit of Object.values(units)) if (isRecord(unit)) unit["data_link"] = signedUrl(ctx.signer, item);
  }
  return copy;
}

function checkLimit(project: ProjectState, count: number, fallback: number): void {
  const maximum = project.maxLabelsPerRequest || fallback;
  if (count > maximum) throw new EnvelopeError("MULTI_LABEL_LIMIT_ERROR", { maximum_labels_allowed: maximum });
}

function rowsByLabelHash(ctx: HandlerContext, project: ProjectState): Map<string, RowContext> {
  return new Map(projectRows(ctx, project).flatMap((entry) => (entry.row.labelHash === null ? [] : [[entry.row.labelHash, entry] as const])));
}

function getLabelRows(ctx: HandlerContext, project: ProjectState, uid: unknown, rawPayload: unknown): Reply {
  const payload = payloadObject(rawPayload, GET_KEYS, "labelrow GET");
  if (optionalStrings(payload, "include_object_feature_hashes") !== null || optionalStrings(payload, "include_classification_feature_hashes") !== null) {
    throw invalid(
      "The fake Encord server does not implement feature-hash filters (include_object_feature_hashes / include_classification_feature_hashes); send null.",
    );
  }
  const sign = flag(payload, "get_signed_url", false);
  const labelHashes = stringList(uid, "uid");
  checkLimit(project, labelHashes.length, ctx.defaultMaxLabelsPerRequest);
  const rows = rowsByLabelHash(ctx, project);
  const found = labelHashes.map((hash) => {
    const entry = rows.get(hash);
    if (!entry?.row.row) throw notFound(`Label row ${hash} does not exist in project ${project.projectHash}.`);
    return entry;
  });
  return ok(found.map(({ row, item }) => (sign ? withSignedLinks(ctx, row.row!, item) : structuredClone(row.row!))));
}

function createLabelRows(ctx: HandlerContext, project: ProjectState, uid: unknown, rawPayload: unknown): Reply {
  const payload = payloadObject(rawPayload, PUT_KEYS, "labelrow PUT");
  const sign = flag(payload, "get_signed_url", false);
  const branch = optionalString(payload, "branch_name");
  if (branch !== null && branch !== "main") throw invalid(`The fake Encord server only has the branch "main", not ${JSON.stringify(branch)}.`);
  const dataHashes = stringList(uid, "uid");
  checkLimit(project, dataHashes.length, ctx.defaultMaxLabelsPerRequest);
  const entries = dataHashes.map((hash) => {
    const row = ctx.state.labelRows.of(project.projectHash, hash);
    if (!row) throw notFound(`Data ${hash} does not exist in project ${project.projectHash}.`);
    return { row, item: ctx.state.storageItems.get(row.itemUuid)! };
  });
  const now = ctx.nowMs();
  return ok(
    entries.map(({ row, item }) => {
      if (row.row === null) {
        row.labelHash = ctx.newUuid();
        row.row = emptyLabelRow(item, row.labelHash, now, (i) => i.url);
        row.createdAt = now;
        row.lastEditedAt = now;
      }
      return sign ? withSignedLinks(ctx, row.row, item) : structuredClone(row.row);
    }),
  );
}

const REQUIRED_ROW_KEYS: Record<string, "object" | "string"> = {
  label_hash: "string",
  data_hash: "string",
  data_type: "string",
  data_units: "object",
  object_answers: "object",
  classification_answers: "object",
};

function saveLabelRows(ctx: HandlerContext, project: ProjectState, uid: unknown, rawPayload: unknown): Reply {
  const payload = payloadObject(rawPayload, SAVE_KEYS, "labelrow POST");
  const labelHashes = stringList(uid, "uid");
  const labels = payload["labels"];
  if (!Array.isArray(labels)) throw invalid("payload.labels must be a list of label-row dicts.");
  if (labels.length !== labelHashes.length) throw invalid(`uid lists ${labelHashes.length} label hashes but payload.labels has ${labels.length} rows.`);
  checkLimit(project, labelHashes.length, ctx.defaultMaxLabelsPerRequest);
  const rows = rowsByLabelHash(ctx, project);
  const planned = labelHashes.map((hash, index) => {
    const entry = rows.get(hash);
    if (!entry) throw invalid(`Label row ${hash} does not exist in project ${project.projectHash}.`);
    const dict: unknown = labels[index];
    if (!isRecord(dict)) throw invalid(`labels[${index}] is not a label-row dict.`);
    for (const [key, type] of Object.entries(REQUIRED_ROW_KEYS)) {
      const value = dict[key];
      if (type === "string" ? typeof value !== "string" : !isRecord(value))
        throw invalid(`labels[${index}].${key} is missing or not ${type === "string" ? "a string" : "an object"}.`);
    }
    if (dict["label_hash"] !== hash) throw invalid(`labels[${index}].label_hash ${JSON.stringify(dict["label_hash"])} does not match uid[${index}] ${hash}.`);
    if (dict["data_hash"] !== entry.row.dataHash)
      throw invalid(`labels[${index}].data_hash ${JSON.stringify(dict["data_hash"])} is not the data hash ${entry.row.dataHash} of label row ${hash}.`);
    return { entry, dict };
  });
  const now = ctx.nowMs();
  for (const { entry, dict } of planned) {
    entry.row.row = structuredClone(dict);
    entry.row.lastEditedAt = now;
  }
  return ok({ success: true });
}

export interface V1Request {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when empty or not JSON. */
  readonly parsed: unknown;
}

/** `query_type`/`query_method` of a v1 body, for the request log. */
export function envelopeKind(parsed: unknown): { queryType?: string; queryMethod?: string } {
  if (!isRecord(parsed)) return {};
  const kind: { queryType?: string; queryMethod?: string } = {};
  if (typeof parsed["query_type"] === "string") kind.queryType = parsed["query_type"];
  if (typeof parsed["query_method"] === "string") kind.queryMethod = parsed["query_method"];
  return kind;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

function dispatch(ctx: HandlerContext, request: V1Request): Reply {
  const body = request.parsed;
  if (!isRecord(body)) throw invalid("The body must be a JSON object {query_type, query_method, values}.");
  const { query_type: type, query_method: method, values } = body;
  if (typeof type !== "string") throw invalid("query_type must be a string.");
  if (typeof method !== "string" || !["GET", "POST", "PUT", "DELETE"].includes(method)) throw invalid("query_method must be GET, POST, PUT or DELETE.");
  if (!isRecord(values) || !("uid" in values) || !("payload" in values)) throw invalid("values must be an object with the keys uid and payload.");

  if (request.path === "/public/user") throw invalid(`The fake Encord server implements no user-scoped query (${type} ${method}).`);
  const resourceType = header(request.headers, "resourcetype");
  const resourceId = header(request.headers, "resourceid");
  if (resourceType !== "project") throw invalid(`${type} ${method} needs ResourceType: project (got ${JSON.stringify(resourceType)}).`);
  const project = ctx.state.projects.get(resourceId);
  if (!project) throw notFound(`Project ${JSON.stringify(resourceId)} does not exist.`);
  if (!canAccess(ctx.state, project, ctx.identity))
    throw new EnvelopeError("AUTHORISATION_ERROR", `You do not have access to project ${resourceId}.`, 403, 403);

  const { uid, payload } = values;
  if (type === "labelrowmetadata" && method === "GET") return listMetadata(ctx, project, payload);
  if (type === "labelrow" && method === "GET") return getLabelRows(ctx, project, uid, payload);
  if (type === "labelrow" && method === "PUT") return createLabelRows(ctx, project, uid, payload);
  if (type === "labelrow" && method === "POST") return saveLabelRows(ctx, project, uid, payload);
  throw new EnvelopeError("METHOD_NOT_ALLOWED_ERROR", `The fake Encord server does not implement ${type} ${method}.`, 405);
}

/** Answers an authenticated v1 request: HTTP 200 with the envelope, or 403 for a project the credential may not use. */
export function handleV1(ctx: HandlerContext, request: V1Request): Reply {
  try {
    return dispatch(ctx, request);
  } catch (error) {
    if (error instanceof EnvelopeError) return v1Error(error.status, error.code, error.payload, error.httpStatus);
    throw error;
  }
}
