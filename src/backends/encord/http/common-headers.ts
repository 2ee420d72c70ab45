import { randomBytes } from "node:crypto";
import { packageInfo } from "../../../shared/package-info.js";

/** `task-agents/<version> node/<version>`: our own product token (§1.3), not the Python SDK's. */
export function defaultUserAgent(): string {
  return `${packageInfo.name}/${packageInfo.version} node/${process.versions.node}`;
}

/** A fresh Google Cloud trace id: 32 lowercase hex characters. */
export function newTraceId(): string {
  return randomBytes(16).toString("hex");
}

/** The `X-Cloud-Trace-Context` value of a trace id: `<trace id>/1;o=1`, as the SDK sends it. */
export function traceContext(traceId: string): string {
  return `${traceId}/1;o=1`;
}
