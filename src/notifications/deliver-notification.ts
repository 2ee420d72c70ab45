import { stripSecrets } from "../shared/redact.js";
import { signEncordNotification } from "./sign-notification.js";
import { signatureHeader, timestampHeader } from "./notification-headers.js";

/**
 * How long one delivery may take (ms). Encord gives a receiver about 180 s; a receiver that
 * follows the protocol answers at once and works afterwards, so 30 s is plenty and a hung
 * receiver does not hold up a cycle for minutes.
 */
export const deliveryTimeoutMs = 30_000;

/** What became of one delivery. `ok` only for a 2xx answer. */
export interface DeliveryOutcome {
  readonly ok: boolean;
  /** The HTTP status, or null when no answer came. */
  readonly status: number | null;
  /** Why it failed, for a person: "HTTP 500", "connection refused (ECONNREFUSED)", …; absent when ok. */
  readonly problem?: string;
}

/**
 * Where a notification went, fit for logs and messages: scheme, host and path only. A URL's
 * user info and query may hold credentials; the signing secret is never part of it.
 */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * POSTs one signed notification as Encord does: the exact body bytes signed with the timestamp
 * of sending. Never throws for a failed delivery; the outcome says what happened.
 */
export async function deliverNotification(
  url: string,
  body: string,
  secret: string,
  options: { readonly now?: Date; readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
): Promise<DeliveryOutcome> {
  const timeoutMs = options.timeoutMs ?? deliveryTimeoutMs;
  const timestamp = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [timestampHeader]: String(timestamp),
        [signatureHeader]: signEncordNotification(body, secret, timestamp),
      },
      body,
      // A redirect is reported, not followed: Encord posts to the URL as configured.
      redirect: "manual",
      signal,
    });
    // The answer's body is not needed; reading it to the end frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    return response.ok
      ? { ok: true, status: response.status }
      : { ok: false, status: response.status, problem: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}` };
  } catch (error) {
    if (timeout.aborted) return { ok: false, status: null, problem: `no answer within ${timeoutMs / 1000} s` };
    if (options.signal?.aborted) return { ok: false, status: null, problem: "stopped before an answer came" };
    return {
      ok: false,
      status: null,
      problem: transportProblem(error)
        .replaceAll(url, displayUrl(url))
        .replace(/\/\/[^/\s@]+@/g, "//"),
    };
  }
}

const knownCodes: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the receiver",
};

// fetch throws "fetch failed" with the system error as its cause.
function transportProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  if (code !== undefined) return `${knownCodes[code] ?? "request failed"} (${code})`;
  const message = typeof cause?.message === "string" ? cause.message : error instanceof Error ? error.message : String(error);
  return `request failed: ${stripSecrets(message)}`;
}
