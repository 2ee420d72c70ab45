import { isPlainObject } from "../shared/plain-object.js";
import { isUuid } from "../shared/uuid.js";
import { agentStageEventType, envelopeVersion } from "./notification-headers.js";
import { NotificationRefusedError } from "./notification-errors.js";

/** An agent stage has work waiting: what Encord sends to the stage's notification URL. */
export interface EncordStageNotification {
  /** Names this delivery; a re-notification of the same work has a new one. */
  readonly uid: string;
  readonly version: number;
  readonly source: string | undefined;
  readonly eventType: typeof agentStageEventType;
  /** As sent (ISO 8601). */
  readonly createdAt: string | undefined;
  readonly projectHash: string;
  readonly stageUuid: string;
  /** Tasks queued when Encord looked: a hint, the stage may hold more or fewer by now. */
  readonly pendingCount: number | undefined;
  /** `batch_size_reached`, `max_wait_elapsed`, or a reason newer than this code. */
  readonly reason: string | undefined;
  /** The whole body as parsed, unknown fields included. */
  readonly body: Readonly<Record<string, unknown>>;
}

const text = new TextDecoder("utf-8", { fatal: true });

function stringField(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function malformed(what: string): NotificationRefusedError {
  return new NotificationRefusedError("malformed-body", `The notification body ${what}.`);
}

/**
 * Reads a verified notification body. Checks `event_type` before `version` (one URL may receive
 * other events: those are refused with reason `other-event`, to be acknowledged and ignored),
 * then the version (only 1; another is `unsupported-version`), then the payload's project and
 * stage. Unknown fields and unknown reasons are kept, as Encord adds them without a new version.
 */
export function parseEncordNotification(rawBody: string | Uint8Array | ArrayBuffer): EncordStageNotification {
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === "string" ? rawBody : text.decode(rawBody));
  } catch {
    throw malformed("is not JSON in UTF-8");
  }
  if (!isPlainObject(body)) throw malformed("is not a JSON object");
  const eventType = body.event_type;
  if (eventType !== agentStageEventType) {
    throw new NotificationRefusedError(
      "other-event",
      `The notification is a ${JSON.stringify(eventType ?? null)} event; only ${JSON.stringify(agentStageEventType)} starts work.`,
    );
  }
  if (body.version !== envelopeVersion) {
    throw new NotificationRefusedError(
      "unsupported-version",
      `The notification has envelope version ${JSON.stringify(body.version ?? null)}; ` +
        `this version of task-agents reads version ${envelopeVersion}. Upgrade task-agents.`,
    );
  }
  const payload = body.payload;
  if (!isPlainObject(payload)) throw malformed("has no payload object");
  const projectHash = payload.project_hash;
  const stageUuid = payload.stage_uuid;
  if (typeof projectHash !== "string" || !isUuid(projectHash))
    throw malformed(`has no project_hash UUID in its payload (got ${JSON.stringify(projectHash ?? null)?.slice(0, 60)})`);
  if (typeof stageUuid !== "string" || !isUuid(stageUuid))
    throw malformed(`has no stage_uuid UUID in its payload (got ${JSON.stringify(stageUuid ?? null)?.slice(0, 60)})`);
  const uid = stringField(body.uid);
  if (uid === undefined) throw malformed("has no uid");
  const pending = payload.pending_count;
  return {
    uid,
    version: envelopeVersion,
    source: stringField(body.source),
    eventType: agentStageEventType,
    createdAt: stringField(body.event_created_timestamp),
    projectHash: projectHash.toLowerCase(),
    stageUuid: stageUuid.toLowerCase(),
    pendingCount: typeof pending === "number" && Number.isFinite(pending) ? pending : undefined,
    reason: stringField(payload.reason),
    body,
  };
}
