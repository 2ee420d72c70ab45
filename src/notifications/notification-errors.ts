import { ConfigurationError, TaskAgentsError } from "../domain/errors.js";

/**
 * Why a notification was refused. The first five mean it may not be genuine (answer 401); the
 * rest are genuine deliveries this receiver does not act on.
 */
export type NotificationRefusal =
  | "missing-headers"
  | "bad-timestamp"
  | "stale-timestamp"
  | "future-timestamp"
  | "bad-signature"
  | "newer-signature"
  | "other-event"
  | "unsupported-version"
  | "malformed-body";

const refusalBrand = Symbol.for("task-agents.notification-refused");

/**
 * A task-ready notification that was not verified or cannot be acted on. `reason` says which
 * rule it broke; the message never quotes the secret or the signature.
 */
export class NotificationRefusedError extends TaskAgentsError {
  override name = "NotificationRefusedError";
  readonly [refusalBrand] = true;
  constructor(
    readonly reason: NotificationRefusal,
    message: string,
  ) {
    super("TA_NOTIFICATION_REFUSED", message);
  }
}

/** True for a NotificationRefusedError from any copy of the package. */
export function isNotificationRefusedError(error: unknown): error is NotificationRefusedError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[refusalBrand] === true;
}

/** The environment variable that holds the signing secret when none is given in code. */
export const webhookSecretVariable = "ENCORD_WEBHOOK_SECRET";

/** No signing secret given and none in the environment: nothing can be verified. */
export function secretMissingError(): ConfigurationError {
  return new ConfigurationError(
    "TA_NOTIFICATION_SECRET_MISSING",
    `No signing secret for Encord notifications: set ${webhookSecretVariable} ` +
      `to the secret of the agent stage's notification settings, or pass { secret } ` +
      `in code. Without it no notification can be verified, so none is accepted.`,
  );
}
