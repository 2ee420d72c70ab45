import { randomUUID } from "node:crypto";
import { packageInfo } from "../../../shared/package-info.js";

/** `task-agents/<version> node/<version>`: our own product token (§1.3), not the Python SDK's. */
export function defaultUserAgent(): string {
  return `${packageInfo.name}/${packageInfo.version} node/${process.versions.node}`;
}

/**
 * A fresh Google Cloud trace id: 32 lowercase hex characters, a random UUID's as the SDK makes
 * them (`uuid4().hex`). `randomUUID` draws on a cached pool of entropy, several times cheaper
 * per call than `randomBytes`.
 */
export function newTraceId(): string {
  return randomUUID().replaceAll("-", "");
}

/** The `X-Cloud-Trace-Context` value of a trace id: `<trace id>/1;o=1`, as the SDK sends it. */
export function traceContext(traceId: string): string {
  return `${traceId}/1;o=1`;
}
