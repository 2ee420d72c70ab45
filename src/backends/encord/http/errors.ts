import { BackendError, type ErrorCode } from "../../../domain/errors.js";
import { redactMessage } from "./redact-message.js";

/** The error codes an Encord API call can fail with: the catalogue's Encord codes but the two of local settings. */
export type EncordErrorCode = Exclude<Extract<ErrorCode, `TA_ENCORD_${string}`>, "TA_ENCORD_CREDENTIALS" | "TA_ENCORD_DOMAIN">;

/** Context of an {@link EncordApiError}. */
export interface EncordApiErrorContext {
  /** HTTP status (v2), envelope status (v1), or `undefined` when no response arrived. */
  readonly status: number | undefined;
  /** The v1 envelope's error code, e.g. `"SSH_KEY_NOT_FOUND_ERROR"`. */
  readonly encordCode?: string;
  /** Method and path without query, e.g. `"GET /v2/public/projects/…"` or `"POST /public (labelrow GET)"`. */
  readonly endpoint: string;
  /** The trace id sent in `X-Cloud-Trace-Context` (quote it to Encord support). */
  readonly traceId: string;
  /** The Encord domain the call went to. */
  readonly domain: string;
  /** Whether trying again later may succeed (rate limits, server and transport failures). */
  readonly retryable: boolean;
  /** What the server asked to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
}

const brand = Symbol.for("task-agents.encord-api-error");

/**
 * A failed Encord API call. `code` says what kind of failure (credentials, access, missing
 * resource, bad request, rate limit, server, transport). The message never holds credentials,
 * signatures or the query of a URL.
 */
export class EncordApiError extends BackendError {
  override name = "EncordApiError";
  readonly [brand] = true;
  readonly status: number | undefined;
  readonly encordCode: string | undefined;
  readonly endpoint: string;
  readonly traceId: string;
  readonly domain: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: EncordErrorCode, message: string, context: EncordApiErrorContext, options?: ErrorOptions) {
    super(code, redactMessage(message), options);
    this.status = context.status;
    this.encordCode = context.encordCode;
    this.endpoint = context.endpoint;
    this.traceId = context.traceId;
    this.domain = context.domain;
    this.retryable = context.retryable;
    this.retryAfterMs = context.retryAfterMs;
  }
}

/** True for an {@link EncordApiError}, whichever copy of the package raised it. */
export function isEncordApiError(error: unknown): error is EncordApiError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}
