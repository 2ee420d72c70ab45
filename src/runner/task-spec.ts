import type { AgentTask } from "../domain/task.js";
import { isUuid } from "../shared/uuid.js";

/**
 * A task as it travels through a queue, with the Python package's field names, so Python
 * producers and TypeScript workers (or the reverse) can share a queue.
 */
export interface TaskSpecJson {
  uuid: string;
  created_at: string;
  updated_at: string;
  status: string;
  data_hash: string;
  data_title: string;
  label_branch_name: string;
  assignee: string | null;
  last_actioned_by: string | null;
}

/** What a queue handler returns for each task spec (Python's TaskCompletionResult). */
export interface TaskCompletionResult {
  task_uuid: string | null;
  stage_uuid: string;
  success: boolean;
  /** Always the pathway's UUID, even when the handler returned its name; null when the task stayed. */
  pathway: string | null;
  /** Message and stack when it failed. */
  error: string | null;
}

/** The spec of a task. */
export function toTaskSpec(task: AgentTask): TaskSpecJson {
  return {
    uuid: task.uuid,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
    status: task.status,
    data_hash: task.dataHash,
    data_title: task.dataTitle,
    label_branch_name: task.labelBranchName,
    assignee: task.assignee,
    last_actioned_by: task.lastActionedBy,
  };
}

/** An AgentTask whose `toJSON()` is its task spec. */
export function withSpecJson(task: AgentTask): AgentTask & { toJSON(): TaskSpecJson } {
  return Object.defineProperty({ ...task }, "toJSON", { value: () => toTaskSpec(task), enumerable: false }) as AgentTask & { toJSON(): TaskSpecJson };
}

/** A spec read from a queue: the task it names, or why it cannot be used. */
export type ParsedSpec =
  | { readonly ok: true; readonly taskUuid: string; readonly dataHash: string; readonly spec: Partial<TaskSpecJson> }
  | { readonly ok: false; readonly taskUuid: string | null; readonly error: string };

const example = `{"uuid": "<task uuid>", "data_hash": "<data uuid>", …}`;

/** Reads one task spec (a JSON string, or an already parsed object). Never throws. */
export function parseTaskSpec(input: unknown): ParsedSpec {
  let value: unknown = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, taskUuid: null, error: `The task spec is not valid JSON (${(error as Error).message}); expected an object like ${example}.` };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, taskUuid: null, error: `The task spec is not a JSON object; expected an object like ${example}.` };
  }
  const record = value as Record<string, unknown>;
  const uuid = typeof record.uuid === "string" ? record.uuid : null;
  if (uuid === null || !isUuid(uuid)) {
    // A result's task_uuid must be a UUID (Python consumers validate it), so a bad one becomes null.
    return {
      ok: false,
      taskUuid: null,
      error: `The task spec's "uuid" is ${uuid === null ? "missing" : `${JSON.stringify(uuid)}, not a UUID`}; expected an object like ${example}.`,
    };
  }
  const dataHash = typeof record.data_hash === "string" ? record.data_hash : null;
  if (dataHash === null || !isUuid(dataHash)) {
    return {
      ok: false,
      taskUuid: uuid,
      error: `The task spec's "data_hash" is ${dataHash === null ? "missing" : `${JSON.stringify(dataHash)}, not a UUID`}; expected an object like ${example}.`,
    };
  }
  return { ok: true, taskUuid: uuid.toLowerCase(), dataHash: dataHash.toLowerCase(), spec: record };
}
