/**
 * Encord's v2 responses (camelCase, though the SDK accepts snake_case too) and v1 label-row
 * metadata, turned into task-agents' domain types. Unknown keys are ignored; missing optional
 * ones become null.
 */
import { BackendError } from "../../domain/errors.js";
import type { LabelRowJson, LabelRowMetadataJson } from "../../domain/label-row-json.js";
import type { StorageItem, StorageItemType } from "../../domain/storage-item.js";
import type { TaskStatus, WorkflowTask } from "../../domain/task.js";
import type { OntologyStructureJson, Pathway, Project, Stage, StageType } from "../../domain/workflow.js";

type Wire = Record<string, unknown>;

function isWire(value: unknown): value is Wire {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value of `camelKey`, or of its snake_case spelling. */
export function field(wire: Wire, camelKey: string): unknown {
  if (camelKey in wire) return wire[camelKey];
  const snake = camelKey.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return wire[snake];
}

function text(wire: Wire, key: string, what: string): string {
  const value = field(wire, key);
  if (typeof value !== "string")
    throw new BackendError("TA_STORE_ERROR", `Encord sent ${what} without a ${key} (got ${value === undefined ? "nothing" : typeof value}).`);
  return value;
}

/** A UUID field, lower-cased: the Backend contract promises lower-case UUIDs to its callers. */
function uuidText(wire: Wire, key: string, what: string): string {
  return text(wire, key, what).toLowerCase();
}

function optionalText(wire: Wire, key: string): string | null {
  const value = field(wire, key);
  return typeof value === "string" ? value : null;
}

function optionalNumber(wire: Wire, key: string): number | null {
  const value = field(wire, key);
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function date(wire: Wire, key: string): Date {
  const value = field(wire, key);
  const parsed = typeof value === "string" ? new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`) : new Date(Number.NaN);
  return Number.isNaN(parsed.getTime()) ? new Date(0) : parsed;
}

function stageFromWire(node: unknown, index: number): Stage {
  if (!isWire(node)) throw new BackendError("TA_STORE_ERROR", `Encord sent workflow stage ${index} that is not an object.`);
  const type = optionalText(node, "stageType") ?? "UNKNOWN";
  const uuid = uuidText(node, "uuid", `workflow stage ${index}`);
  const pathways: Pathway[] =
    type === "AGENT"
      ? (Array.isArray(field(node, "pathways")) ? (field(node, "pathways") as unknown[]) : []).filter(isWire).map((p) => ({
          uuid: uuidText(p, "uuid", `a pathway of stage ${uuid}`),
          name: text(p, "title", `a pathway of stage ${uuid}`),
          destinationUuid: uuidText(p, "destinationUuid", `a pathway of stage ${uuid}`),
        }))
      : [];
  // Stage types this version does not know (§4.3, router stages…) are kept as Encord spells them:
  // agents only act on AGENT stages, and listings show the others as they are.
  return { uuid, title: optionalText(node, "title") ?? uuid, type: type as StageType, pathways };
}

/** What a wire value is, for messages: "a list", "string \"x\"", "null"… (never more than 40 characters of it). */
function describeWire(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** The elements of a response that must be a list (a v1 result); `null`/absent is an empty list. */
export function listFromWire(value: unknown, what: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new BackendError("TA_STORE_ERROR", `Encord's ${what} response is not a list (got ${describeWire(value)}).`);
  return value;
}

/** A page of a v2 listing (§2.3): `results` a list, `nextPageToken` a string or null. */
export function pageFromWire(page: unknown, what: string): { results: unknown[]; nextPageToken: string | null } {
  if (page === null || page === undefined) return { results: [], nextPageToken: null };
  if (!isWire(page)) throw new BackendError("TA_STORE_ERROR", `Encord sent a page of ${what} that is not an object (got ${describeWire(page)}).`);
  const results = page["results"];
  if (results !== undefined && results !== null && !Array.isArray(results)) {
    throw new BackendError("TA_STORE_ERROR", `Encord sent a page of ${what} whose "results" is not a list (got ${describeWire(results)}).`);
  }
  const next = field(page, "nextPageToken");
  if (next !== undefined && next !== null && typeof next !== "string") {
    throw new BackendError("TA_STORE_ERROR", `Encord sent a page of ${what} whose "nextPageToken" is not a string (got ${describeWire(next)}).`);
  }
  return { results: (results ?? []) as unknown[], nextPageToken: next === undefined || next === null || next === "" ? null : next };
}

/** A project (ProjectDTO, §4.1) with its ontology structure (§4.2). */
export function projectFromWire(wire: unknown, ontology: OntologyStructureJson): Project {
  if (!isWire(wire)) throw new BackendError("TA_STORE_ERROR", `Encord sent a project that is not an object (got ${describeWire(wire)}).`);
  const workflow = field(wire, "workflow");
  // Absent or null: no workflow (a manual QA project). Anything else must be { stages: [...] }.
  if (
    workflow !== undefined &&
    workflow !== null &&
    (!isWire(workflow) || (workflow["stages"] !== undefined && workflow["stages"] !== null && !Array.isArray(workflow["stages"])))
  ) {
    const got = isWire(workflow) ? `"stages" ${describeWire(workflow["stages"])}` : describeWire(workflow);
    throw new BackendError(
      "TA_STORE_ERROR",
      `Encord sent project ${JSON.stringify(optionalText(wire, "projectHash") ?? "")}` +
        ` with a "workflow" that is not an object with a list of stages (got ${got}).`,
    );
  }
  const stages = isWire(workflow) && Array.isArray(workflow["stages"]) ? (workflow["stages"] as unknown[]) : [];
  const declared = field(wire, "projectType");
  // An absent type is judged by the workflow; anything but "workflow" is no workflow project.
  const projectType =
    declared === undefined || declared === null ? (isWire(workflow) ? "workflow" : "manual_qa") : declared === "workflow" ? "workflow" : "manual_qa";
  return {
    uuid: uuidText(wire, "projectHash", "a project"),
    title: optionalText(wire, "title") ?? "",
    description: optionalText(wire, "description") ?? "",
    projectType,
    ontology,
    stages: stages.map(stageFromWire),
    createdAt: date(wire, "createdAt"),
  };
}

/** The ontology structure of `GET /ontologies/{hash}` (`editor`; inner keys are not camel-cased). */
export function ontologyStructureFromWire(wire: unknown): OntologyStructureJson {
  const editor = isWire(wire) ? field(wire, "editor") : undefined;
  if (!isWire(editor)) return { objects: [], classifications: [] };
  return {
    ...editor,
    objects: Array.isArray(editor["objects"]) ? editor["objects"] : [],
    classifications: Array.isArray(editor["classifications"]) ? editor["classifications"] : [],
  };
}

const TASK_STATUSES = new Set(["NEW", "ASSIGNED", "RELEASED", "SKIPPED", "REOPENED", "COMPLETED"]);

/** An AgentTask of a stage listing (§4.5). */
export function taskFromWire(wire: unknown, stageUuid: string): WorkflowTask {
  if (!isWire(wire)) throw new BackendError("TA_STORE_ERROR", `Encord sent a task of stage ${stageUuid} that is not an object.`);
  // Only tasks of final (DONE) stages come without a status (§4.5): they are complete.
  const status = optionalText(wire, "status") ?? "COMPLETED";
  return {
    uuid: uuidText(wire, "uuid", "a task"),
    dataHash: text(wire, "dataHash", "a task"),
    dataTitle: optionalText(wire, "dataTitle") ?? "",
    labelBranchName: optionalText(wire, "labelBranchName") ?? "main",
    status: (TASK_STATUSES.has(status) ? status : "NEW") as TaskStatus,
    assignee: optionalText(wire, "assignee"),
    lastActionedBy: optionalText(wire, "lastActionedBy"),
    createdAt: date(wire, "createdAt"),
    updatedAt: date(wire, "updatedAt"),
    stageUuid,
    priority: null,
  };
}

function clientMetadata(value: unknown): Record<string, unknown> {
  // GET responses carry it as a JSON string; be lenient and take an object too.
  if (isWire(value)) return value;
  if (typeof value !== "string" || value.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return isWire(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** A StorageItem (§6.2). */
export function storageItemFromWire(wire: unknown): StorageItem {
  if (!isWire(wire)) throw new BackendError("TA_STORE_ERROR", "Encord sent a storage item that is not an object.");
  return {
    uuid: text(wire, "uuid", "a storage item"),
    itemType: (optionalText(wire, "itemType") ?? "image") as StorageItemType,
    name: optionalText(wire, "name") ?? "",
    description: optionalText(wire, "description") ?? "",
    clientMetadata: clientMetadata(field(wire, "clientMetadata")),
    mimeType: optionalText(wire, "mimeType"),
    fileSize: optionalNumber(wire, "fileSize"),
    width: optionalNumber(wire, "width"),
    height: optionalNumber(wire, "height"),
    fps: optionalNumber(wire, "fps"),
    duration: optionalNumber(wire, "duration"),
    frameCount: optionalNumber(wire, "frameCount"),
    url: optionalText(wire, "url"),
    signedUrl: optionalText(wire, "signedUrl"),
    createdAt: date(wire, "createdAt"),
    lastEditedAt: date(wire, "lastEditedAt"),
    parentFolderUuid: optionalText(wire, "parent"),
  };
}

/**
 * Label-row metadata (§7.1): some servers send the string "None" for null. The entry is a freshly
 * parsed response of ours, so it is mended in place rather than copied: a batch's metadata is
 * thousands of entries of some thirty fields.
 */
export function metadataFromWire(wire: unknown): LabelRowMetadataJson {
  if (!isWire(wire)) throw new BackendError("TA_STORE_ERROR", "Encord sent label-row metadata that is not an object.");
  for (const key in wire) if (wire[key] === "None") wire[key] = null;
  return wire as LabelRowMetadataJson;
}

/** Label rows of a v1 `labelrow` GET or PUT (§3.3): a list of objects, each with its `data_hash`. */
export function labelRowsFromWire(value: unknown): LabelRowJson[] {
  return listFromWire(value, "label rows").map((row, index) => {
    if (!isWire(row) || typeof row["data_hash"] !== "string") {
      throw new BackendError(
        "TA_STORE_ERROR",
        `Encord sent label row ${index} ` +
          `${isWire(row) ? `without a data_hash (got ${describeWire(row["data_hash"])})` : `that is not an object (got ${describeWire(row)})`}.`,
      );
    }
    return row as unknown as LabelRowJson;
  });
}
