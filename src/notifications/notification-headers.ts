/**
 * Names shared by the side that sends agent-stage notifications (the offline
 * `task-agents notify`) and the side that verifies them, so the two cannot drift
 * apart on a header spelling or envelope version.
 */

/** Unix seconds at which the sender signed the request; part of the signed text. */
export const timestampHeader = "X-Encord-Timestamp";

/** Lowercase hex HMAC-SHA256, keyed by the signing secret, of `<timestamp>.<raw body bytes>`. */
export const signatureHeader = "X-Encord-Signature";

/** The `event_type` of a notification that an AGENT stage has work waiting. */
export const agentStageEventType = "agent_stage_work_available_event";

/** The envelope `version` this project sends and understands. */
export const envelopeVersion = 1;
