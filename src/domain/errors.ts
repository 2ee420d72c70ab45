/**
 * The one error catalogue of task-agents. The class says what kind of problem it is, the
 * stable `code` says which one. Messages state what was wrong and what is accepted.
 */

/** Stable error codes; scripts may switch on them. */
export type ErrorCode =
  | "TA_INVALID_SPEC"
  | "TA_INVALID_ARGUMENT"
  | "TA_UNKNOWN_PROJECT"
  | "TA_UNKNOWN_STAGE"
  | "TA_UNKNOWN_PATHWAY"
  | "TA_UNKNOWN_TASK"
  | "TA_TASK_NOT_IN_STAGE"
  | "TA_FILE_NOT_FOUND"
  | "TA_UNSUPPORTED_MEDIA"
  | "TA_INVALID_MANIFEST"
  | "TA_STORE_ERROR"
  | "TA_NO_STORE"
  | "TA_USAGE"
  | "TA_INVALID_PROJECT_HASH"
  | "TA_NOT_WORKFLOW_PROJECT"
  | "TA_NO_AGENT_STAGES"
  | "TA_DUPLICATE_STAGE"
  | "TA_NO_HANDLERS"
  | "TA_MISSING_STORAGE_ITEMS"
  | "TA_HANDLER_RETURN"
  | "TA_TASK_ABANDONED"
  | "TA_TASK_TIMEOUT"
  | "TA_REDIS_UNREACHABLE"
  | "TA_STORE_TOO_NEW"
  | "TA_STORE_OUTDATED"
  | "TA_NOT_A_STORE"
  | "TA_STORE_BUSY"
  | "TA_INVALID_LABEL"
  | "TA_INVALID_ONTOLOGY"
  | "TA_ENCORD_AUTH"
  | "TA_ENCORD_FORBIDDEN"
  | "TA_ENCORD_NOT_FOUND"
  | "TA_ENCORD_INVALID_REQUEST"
  | "TA_ENCORD_RATE_LIMITED"
  | "TA_ENCORD_SERVER"
  | "TA_ENCORD_TRANSPORT"
  | "TA_ENCORD_CREDENTIALS"
  | "TA_ENCORD_DOMAIN"
  | "TA_FFMPEG_MISSING"
  | "TA_MEDIA_DECODE"
  | "TA_DOWNLOAD_FAILED"
  | "TA_DOWNLOAD_TOO_LARGE"
  | "TA_UNSUPPORTED_FRAME"
  | "TA_NOTIFICATION_SECRET_MISSING"
  | "TA_NOTIFICATION_REFUSED"
  | "TA_UNKNOWN_RUN"
  | "TA_PROJECT_DRIFT";

const brand = Symbol.for("task-agents.error");

/**
 * Base class of every error task-agents raises on purpose. Use {@link isTaskAgentsError} rather
 * than `instanceof`: an agent file may load a different copy of the package than the CLI.
 */
export class TaskAgentsError extends Error {
  override name = "TaskAgentsError";
  readonly [brand] = true;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const configurationBrand = Symbol.for("task-agents.configuration-error");

/** Bad configuration or input: a spec, an option, a project hash, a stage or pathway name. */
export class ConfigurationError extends TaskAgentsError {
  override name = "ConfigurationError";
  readonly [configurationBrand] = true;
}

/** A project spec that breaks one or more rules; `problems` holds one line per rule broken. */
export class SpecValidationError extends ConfigurationError {
  override name = "SpecValidationError";
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      "TA_INVALID_SPEC",
      `Project spec ${source} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"),
    );
  }
}

/** A project, stage, pathway or task that does not exist where it was looked for. */
export class NotFoundError extends ConfigurationError {
  override name = "NotFoundError";
}

/** Input data (files, folders, manifest lines) that cannot be added. */
export class DataInputError extends TaskAgentsError {
  override name = "DataInputError";
  constructor(
    code: ErrorCode,
    message: string,
    readonly path?: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

const labelBrand = Symbol.for("task-agents.label-error");

/**
 * A label or ontology operation that breaks the ontology's rules or the wire format: coordinates
 * out of range, an answer of the wrong type, an option of another attribute, a malformed row.
 * Not a configuration error: in a handler it fails that task, not the run.
 */
export class LabelError extends TaskAgentsError {
  override name = "LabelError";
  readonly [labelBrand] = true;
}

/** True for a LabelError, whichever copy of the package raised it. */
export function isLabelError(error: unknown): error is LabelError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[labelBrand] === true;
}

const mediaBrand = Symbol.for("task-agents.media-error");

/**
 * Media that cannot be had or read: ffmpeg is missing, a file does not decode, a download failed
 * or was too big, a frame the item does not have, a media type a helper does not handle.
 * `permanent` errors (missing tool, unsupported type, missing frame, too big) fail the task
 * without retries; the others (a download cut short) may pass on the next attempt.
 */
export class MediaError extends TaskAgentsError {
  override name = "MediaError";
  readonly [mediaBrand] = true;
  constructor(
    code: ErrorCode,
    message: string,
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** True for a MediaError, whichever copy of the package raised it. */
export function isMediaError(error: unknown): error is MediaError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[mediaBrand] === true;
}

const backendBrand = Symbol.for("task-agents.backend-error");

/** The storage backend failed or refused an operation. */
export class BackendError extends TaskAgentsError {
  override name = "BackendError";
  readonly [backendBrand] = true;
}

/** True for a BackendError (an EncordApiError is one), whichever copy of the package raised it. */
export function isBackendError(error: unknown): error is BackendError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[backendBrand] === true;
}

/** True for a ConfigurationError (or subclass), whichever copy of the package raised it. */
export function isConfigurationError(error: unknown): error is ConfigurationError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[configurationBrand] === true;
}

/** True for any error task-agents raised on purpose, whichever copy of the package raised it. */
export function isTaskAgentsError(error: unknown): error is TaskAgentsError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}
