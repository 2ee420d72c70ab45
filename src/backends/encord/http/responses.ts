import { errorFromHttpStatus, errorFromV1Envelope, nullResultError, transportError, type FailedCall } from "./error-mapping.js";
import { retryAfterMs } from "./retry-policy.js";
import type { WireResponse } from "./transport.js";

type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

function parseJson(body: Buffer): Parsed {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) as unknown };
  } catch (error) {
    return { ok: false, error };
  }
}

const notJson = (error: unknown): string => `the response is not valid JSON (${error instanceof Error ? error.message : String(error)})`;

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** Whether a body holds only whitespace, without decoding a large one twice. */
function isBlank(body: Buffer): boolean {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}

function statusError(response: WireResponse, body: unknown, call: FailedCall, nowMs: number) {
  return errorFromHttpStatus(response.status, body, call, retryAfterMs(response.status, response.headers["retry-after"], nowMs));
}

/**
 * The result of a v2 call (§2.4): 2xx with JSON → the parsed value; 204/205 or an empty body →
 * `null`; 2xx with anything but JSON → transport error; any other status → the mapped error.
 */
export function v2Result(response: WireResponse, call: FailedCall, nowMs: number): unknown {
  const empty = isBlank(response.body);
  if (!isSuccess(response.status)) {
    const parsed = empty ? undefined : parseJson(response.body);
    throw statusError(response, parsed?.ok === true ? parsed.value : undefined, call, nowMs);
  }
  if (response.status === 204 || response.status === 205 || empty) return null;
  const parsed = parseJson(response.body);
  if (!parsed.ok) throw transportError(notJson(parsed.error), call, parsed.error, response.status);
  return parsed.value;
}

/**
 * The result of a v1 call (§3.2). The envelope decides, not the HTTP status: `status` 200 →
 * `response`; another status → the error of its code. A body that is no envelope is judged by
 * the HTTP status (a proxy's 502 page), or is a transport error on 2xx. A `null` result fails:
 * "not found" for getters, a server error for setters.
 */
export function v1Result(response: WireResponse, call: FailedCall, isGetter: boolean, nowMs: number): unknown {
  const parsed = parseJson(response.body);
  const envelope =
    parsed.ok && typeof parsed.value === "object" && parsed.value !== null && !Array.isArray(parsed.value)
      ? (parsed.value as Record<string, unknown>)
      : undefined;
  if (envelope === undefined || !("status" in envelope)) {
    if (!isSuccess(response.status)) throw statusError(response, parsed.ok ? parsed.value : undefined, call, nowMs);
    throw transportError(
      parsed.ok ? "the response is not an Encord v1 envelope" : notJson(parsed.error),
      call,
      parsed.ok ? undefined : parsed.error,
      response.status,
    );
  }
  if (envelope.status !== 200) throw errorFromV1Envelope(envelope as { status: unknown }, call);
  const result = envelope.response;
  if (result === null || result === undefined) throw nullResultError(call, isGetter);
  return result;
}
