import { redactMessage } from "./redact-message.js";
import { EncordApiError, type EncordErrorCode } from "./errors.js";

/** What an error needs to know about the call that failed. */
export interface FailedCall {
  /** Method and path without query. */
  readonly endpoint: string;
  readonly traceId: string;
  readonly domain: string;
  /** What the call was about, for "not found"/"no access" messages, e.g. `project "9a7e…"`. */
  readonly subject: string;
  /** True when the call was scoped to a project (changes the 403 advice). */
  readonly projectScoped: boolean;
  /** Retries made before giving up. */
  readonly retries: number;
  /** Exact values to remove from messages (the bearer token). */
  readonly secrets: readonly string[];
}

const AUTH_HINT = "Check that the SSH key is registered in your Encord account (Settings → Public keys) and ENCORD_DOMAIN is right.";

/** v1 envelope codes (encord/http/error_utils.py) and the task-agents code each maps to. */
const V1_CODES: Readonly<Record<string, EncordErrorCode>> = {
  AUTHENTICATION_ERROR: "TA_ENCORD_AUTH",
  SSH_KEY_NOT_FOUND_ERROR: "TA_ENCORD_AUTH",
  AUTHORISATION_ERROR: "TA_ENCORD_FORBIDDEN",
  RESOURCE_NOT_FOUND_ERROR: "TA_ENCORD_NOT_FOUND",
  INVALID_ARGUMENTS_ERROR: "TA_ENCORD_INVALID_REQUEST",
  METHOD_NOT_ALLOWED_ERROR: "TA_ENCORD_INVALID_REQUEST",
  OPERATION_NOT_ALLOWED: "TA_ENCORD_INVALID_REQUEST",
  ANSWER_DICTIONARY_ERROR: "TA_ENCORD_INVALID_REQUEST",
  CORRUPTED_LABEL_ERROR: "TA_ENCORD_INVALID_REQUEST",
  FILE_TYPE_NOT_SUPPORTED_ERROR: "TA_ENCORD_INVALID_REQUEST",
  FILE_SIZE_NOT_SUPPORTED_ERROR: "TA_ENCORD_INVALID_REQUEST",
  FEATURE_DOES_NOT_EXIST_ERROR: "TA_ENCORD_INVALID_REQUEST",
  MODEL_WEIGHTS_INCONSISTENT_ERROR: "TA_ENCORD_INVALID_REQUEST",
  MODEL_FEATURES_INCONSISTENT_ERROR: "TA_ENCORD_INVALID_REQUEST",
  UPLOAD_OPERATION_NOT_SUPPORTED_ERROR: "TA_ENCORD_INVALID_REQUEST",
  DETECTION_RANGE_INVALID_ERROR: "TA_ENCORD_INVALID_REQUEST",
  INVALID_DATE_FORMAT_ERROR: "TA_ENCORD_INVALID_REQUEST",
  RESOURCE_EXISTS_ERROR: "TA_ENCORD_INVALID_REQUEST",
  DUPLICATE_SSH_KEY_ERROR: "TA_ENCORD_INVALID_REQUEST",
  MULTI_LABEL_LIMIT_ERROR: "TA_ENCORD_INVALID_REQUEST",
  WRONG_PROJECT_TYPE_ERROR: "TA_ENCORD_INVALID_REQUEST",
  UNKNOWN_ERROR: "TA_ENCORD_SERVER",
};

/** The task-agents code of an HTTP status (encord/http/v2/error_utils.py). */
export function codeOfStatus(status: number): EncordErrorCode {
  if (status === 401) return "TA_ENCORD_AUTH";
  if (status === 403) return "TA_ENCORD_FORBIDDEN";
  if (status === 404) return "TA_ENCORD_NOT_FOUND";
  if (status === 429) return "TA_ENCORD_RATE_LIMITED";
  if (status === 400 || status === 405 || status === 413 || status === 422) return "TA_ENCORD_INVALID_REQUEST";
  return "TA_ENCORD_SERVER";
}

/** Whether a failure with this code may succeed when tried again later. */
function isRetryableCode(code: EncordErrorCode): boolean {
  return code === "TA_ENCORD_RATE_LIMITED" || code === "TA_ENCORD_SERVER" || code === "TA_ENCORD_TRANSPORT";
}

/** The server's explanation (`message`/`detail` of a v2 body, `payload` of a v1 envelope), cleaned. */
export function serverMessageOf(value: unknown): string | undefined {
  let text: string | undefined;
  if (typeof value === "string") text = value;
  else if (Array.isArray(value)) {
    // FastAPI validation errors: [{ loc, msg, type }, …]
    const parts = value.map((item) =>
      typeof item === "object" && item !== null && typeof (item as { msg?: unknown }).msg === "string"
        ? `${((item as { loc?: unknown }).loc as unknown[] | undefined)?.join(".") ?? ""} ${(item as { msg: string }).msg}`.trim()
        : JSON.stringify(item),
    );
    text = parts.join("; ");
  } else if (typeof value === "object" && value !== null) {
    const body = value as { message?: unknown; detail?: unknown };
    if (body.message !== undefined && body.message !== null) return serverMessageOf(body.message);
    if (body.detail !== undefined && body.detail !== null) return serverMessageOf(body.detail);
    text = JSON.stringify(value);
  } else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  if (text === undefined) return undefined;
  const clean = redactMessage(text).replace(/\s+/g, " ").trim();
  if (clean === "") return undefined;
  return clean.length > 500 ? `${clean.slice(0, 500)}…` : clean;
}

function said(serverMessage: string | undefined): string {
  return serverMessage === undefined ? "" : ` (Encord said: ${serverMessage.replace(/\.$/, "")})`;
}

function where(call: FailedCall, status: number | undefined): string {
  const http = status === undefined ? "" : `, status ${status}`;
  return ` [${call.endpoint} on ${call.domain}${http}, trace ${call.traceId}]`;
}

function build(
  code: EncordErrorCode,
  text: string,
  call: FailedCall,
  extra: { status: number | undefined; encordCode?: string; retryAfterMs?: number },
  options?: ErrorOptions,
): EncordApiError {
  return new EncordApiError(
    code,
    redactMessage(text + where(call, extra.status), call.secrets),
    {
      status: extra.status,
      ...(extra.encordCode === undefined ? {} : { encordCode: extra.encordCode }),
      endpoint: call.endpoint,
      traceId: call.traceId,
      domain: call.domain,
      retryable: isRetryableCode(code),
      ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
    },
    options,
  );
}

function sentence(code: EncordErrorCode, call: FailedCall, status: number | undefined, serverMessage: string | undefined, encordCode?: string): string {
  const detail = said(serverMessage);
  switch (code) {
    case "TA_ENCORD_AUTH":
      return `Encord did not accept the credentials${detail}. ${AUTH_HINT}`;
    case "TA_ENCORD_FORBIDDEN":
      return (
        `Encord refused access to ${call.subject}${detail}: the key's user has no access to this ` +
        `${call.projectScoped ? "project" : "resource"}. Ask a project admin to add that user.`
      );
    case "TA_ENCORD_NOT_FOUND":
      return `Encord found no ${call.subject}${detail}. Check the hash or UUID, and that it belongs to the account on ${call.domain}.`;
    case "TA_ENCORD_RATE_LIMITED":
      return (
        `Encord kept rate-limiting the requests${detail} after ${call.retries} retr` +
        `${call.retries === 1 ? "y" : "ies"}. Set a lower fixed rate (--max-requests-per-second ` +
        `or TASK_AGENTS_ENCORD_MAX_RPS), lower maxInFlight, or try again later.`
      );
    case "TA_ENCORD_INVALID_REQUEST":
      if (status === 413) return `Encord rejected the request as too large${detail}. Send smaller batches.`;
      if (status === 405) return `Encord does not allow this method here${detail}.`;
      return `Encord rejected the request${encordCode === undefined ? "" : ` with ${encordCode}`}${detail}.`;
    case "TA_ENCORD_SERVER":
      return (
        `Encord failed${encordCode === undefined ? "" : ` with ${encordCode}`}${detail}` +
        `${call.retries > 0 ? ` after ${call.retries} retr${call.retries === 1 ? "y" : "ies"}` : ""}` +
        `. Try again later.`
      );
    case "TA_ENCORD_TRANSPORT":
      return `The request to Encord failed${detail}.`;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** The error for a non-success HTTP response; `body` is the parsed JSON body when it had one. */
export function errorFromHttpStatus(status: number, body: unknown, call: FailedCall, retryAfterMs?: number): EncordApiError {
  const code = codeOfStatus(status);
  const fallback = status === 404 ? "The requested resource was not found" : undefined;
  return build(code, sentence(code, call, status, serverMessageOf(body) ?? fallback), call, {
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** The error for a v1 envelope whose `status` is not 200 (§3.2). */
export function errorFromV1Envelope(envelope: { status: unknown; response?: unknown; payload?: unknown }, call: FailedCall): EncordApiError {
  const status = typeof envelope.status === "number" ? envelope.status : undefined;
  const first: unknown = Array.isArray(envelope.response) ? envelope.response[0] : envelope.response;
  const encordCode = typeof first === "string" ? first : undefined;
  const code = (encordCode === undefined ? undefined : V1_CODES[encordCode]) ?? "TA_ENCORD_SERVER";
  let detail = serverMessageOf(envelope.payload);
  if (encordCode === "MULTI_LABEL_LIMIT_ERROR") {
    const max = (envelope.payload as { maximum_labels_allowed?: unknown } | null | undefined)?.maximum_labels_allowed;
    detail = `too many label rows in one request; at most ${typeof max === "number" ? max : 100} are allowed`;
  }
  return build(code, sentence(code, call, status, detail, encordCode), call, {
    status,
    ...(encordCode === undefined ? {} : { encordCode }),
  });
}

/** The error for a request that got no usable response (network failure, timeout, bad JSON); `what` says why. */
export function transportError(what: string, call: FailedCall, cause?: unknown, status?: number): EncordApiError {
  const after = call.retries > 0 ? ` after ${call.retries} retr${call.retries === 1 ? "y" : "ies"}` : "";
  return build(
    "TA_ENCORD_TRANSPORT",
    `The request to Encord failed${after}: ${what}. Check the network and that ${call.domain} is the right ENCORD_DOMAIN.`,
    call,
    { status },
    cause === undefined ? undefined : { cause },
  );
}

/** The error for a call whose result was required but came back `null`. */
export function nullResultError(call: FailedCall, isGetter: boolean): EncordApiError {
  if (isGetter) return build("TA_ENCORD_NOT_FOUND", sentence("TA_ENCORD_NOT_FOUND", call, 200, "no result"), call, { status: 200 });
  return build("TA_ENCORD_SERVER", `Encord returned no result for ${call.subject}. Try again later.`, call, { status: 200 });
}
