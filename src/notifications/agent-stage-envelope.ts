import { randomUUID } from "node:crypto";
import { agentStageEventType, envelopeVersion } from "./notification-headers.js";

/** Why a stage is notified: enough tasks queued, or one waited too long. */
export type AgentStageNotificationReason = "batch_size_reached" | "max_wait_elapsed";

/** The JSON body of an agent-stage notification, envelope version 1 (snake_case: it is wire format). */
export interface AgentStageNotificationEnvelope {
  readonly uid: string;
  readonly version: typeof envelopeVersion;
  readonly source: string;
  readonly event_type: typeof agentStageEventType;
  readonly event_created_timestamp: string;
  readonly payload: {
    readonly project_hash: string;
    readonly stage_uuid: string;
    readonly pending_count: number;
    readonly reason: AgentStageNotificationReason;
  };
}

/** What the offline sender puts in `source`, so a receiver's logs tell it apart from Encord. */
export const offlineNotificationSource = "task-agents";

/**
 * A fresh envelope for one delivery. Every delivery gets a new `uid`, as Encord's do: the uid
 * names a delivery, so a receiver must not treat it as a de-duplication key for the work.
 */
export function agentStageEnvelope(fields: {
  readonly projectHash: string;
  readonly stageUuid: string;
  readonly pendingCount: number;
  readonly reason: AgentStageNotificationReason;
  readonly createdAt: Date;
}): AgentStageNotificationEnvelope {
  return {
    uid: randomUUID(),
    version: envelopeVersion,
    source: offlineNotificationSource,
    event_type: agentStageEventType,
    // Whole seconds with a Z, as Encord writes it.
    event_created_timestamp: fields.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
    payload: {
      project_hash: fields.projectHash,
      stage_uuid: fields.stageUuid,
      pending_count: fields.pendingCount,
      reason: fields.reason,
    },
  };
}
