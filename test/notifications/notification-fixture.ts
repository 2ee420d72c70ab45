import { randomUUID } from "node:crypto";
import { signEncordNotification } from "../../src/index.js";

/** A notification body as Encord sends it (compact JSON), with fields to vary. */
export function notificationBody(fields: {
  projectHash: string;
  stageUuid: string;
  reason?: string;
  eventType?: string;
  version?: number;
  extra?: Record<string, unknown>;
}): string {
  return JSON.stringify({
    uid: randomUUID(),
    version: fields.version ?? 1,
    source: "test",
    event_type: fields.eventType ?? "agent_stage_work_available_event",
    event_created_timestamp: "2026-12-07T12:00:00Z",
    payload: { project_hash: fields.projectHash, stage_uuid: fields.stageUuid, pending_count: 3, reason: fields.reason ?? "batch_size_reached" },
    ...fields.extra,
  });
}

/** The two headers Encord adds, signed now (or at `seconds`). */
export function signedHeaders(body: string, secret: string, seconds = Date.now() / 1000): Record<string, string> {
  const timestamp = Math.floor(seconds);
  return { "X-Encord-Timestamp": String(timestamp), "X-Encord-Signature": signEncordNotification(body, secret, timestamp) };
}
