import { createHmac, timingSafeEqual } from "node:crypto";
import { signatureHeader, timestampHeader } from "./notification-headers.js";
import { NotificationRefusedError, secretMissingError, webhookSecretVariable } from "./notification-errors.js";

/** Request headers as Fetch (`Headers`), Node (`IncomingHttpHeaders`) or a plain record gives them. */
export type NotificationHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Options of {@link verifyEncordNotification}. */
export interface VerifyNotificationOptions {
  /** The signing secret. @defaultValue `process.env.ENCORD_WEBHOOK_SECRET` */
  readonly secret?: string;
  /** How far the timestamp may be from now, either way, in seconds. @defaultValue 300 */
  readonly toleranceSeconds?: number;
  /** The clock, in milliseconds (tests). @defaultValue Date.now */
  readonly now?: () => number;
}

/** The tolerance Encord's own receivers use against replays. */
export const defaultToleranceSeconds = 300;

/** The secret given, else the environment's; a configuration error when neither is set. */
export function notificationSecret(secret: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = secret ?? env[webhookSecretVariable];
  if (chosen === undefined || chosen === "") throw secretMissingError();
  return chosen;
}

function headerValue(headers: NotificationHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    return typeof value === "string" ? value : value[0];
  }
  return undefined;
}

function headerNames(headers: NotificationHeaders): string[] {
  return headers instanceof Headers ? [...headers.keys()] : Object.keys(headers);
}

/** A header that extends the signature header's name: a signing scheme newer than this code. */
function hasNewerSignature(headers: NotificationHeaders): boolean {
  const base = signatureHeader.toLowerCase();
  return headerNames(headers).some((name) => name.toLowerCase().startsWith(base) && name.length > base.length);
}

const newerSchemeMessage =
  `The notification is signed with a newer scheme than this version of task-agents ` +
  `understands (a header beyond ${signatureHeader}). Upgrade task-agents to verify it.`;

/**
 * Checks the request's headers that can be checked without its body: a signature and a
 * timestamp are there, and the timestamp is a whole number of seconds within the tolerance.
 * Lets a receiver refuse a request before reading its body. Returns the timestamp as sent.
 */
export function checkNotificationHeaders(headers: NotificationHeaders, options: VerifyNotificationOptions = {}): string {
  const timestamp = headerValue(headers, timestampHeader);
  const signature = headerValue(headers, signatureHeader);
  if (signature === undefined && hasNewerSignature(headers)) throw new NotificationRefusedError("newer-signature", newerSchemeMessage);
  if (timestamp === undefined || signature === undefined) {
    const missing = [timestamp === undefined ? timestampHeader : undefined, signature === undefined ? signatureHeader : undefined]
      .filter(Boolean)
      .join(" and ");
    throw new NotificationRefusedError(
      "missing-headers",
      `The notification has no ${missing} header; Encord signs every notification with ${timestampHeader} and ${signatureHeader}.`,
    );
  }
  if (!/^\d{1,15}$/.test(timestamp.trim())) {
    throw new NotificationRefusedError(
      "bad-timestamp",
      `${timestampHeader} must be unix time in whole seconds; got ${JSON.stringify(timestamp.slice(0, 40))}.`,
    );
  }
  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
  const skew = Number(timestamp.trim()) - Math.floor((options.now ?? Date.now)() / 1000);
  if (skew < -tolerance)
    throw new NotificationRefusedError(
      "stale-timestamp",
      `The notification was signed ${-skew} s ago, more than the ${tolerance} s accepted (a replay, or a clock that is off).`,
    );
  if (skew > tolerance)
    throw new NotificationRefusedError(
      "future-timestamp",
      `The notification is signed ${skew} s in the future, more than the ${tolerance} s accepted (a clock that is off).`,
    );
  return timestamp.trim();
}

/**
 * Verifies an Encord task-ready notification: the secret is configured, both headers are there,
 * the timestamp is within `toleranceSeconds` of now, and `X-Encord-Signature` is the HMAC-SHA256
 * of `<timestamp>.<raw body>` (compared in constant time). Pass the body exactly as received:
 * re-serialised JSON may differ by a byte and fail. Throws a {@link NotificationRefusedError}
 * (`reason` says which rule failed) or, without a secret, a configuration error.
 * @example
 * verifyEncordNotification(await request.arrayBuffer(), request.headers);
 * const notification = parseEncordNotification(body);
 */
export function verifyEncordNotification(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: NotificationHeaders,
  options: VerifyNotificationOptions = {},
): void {
  const secret = notificationSecret(options.secret);
  const timestamp = checkNotificationHeaders(headers, options);
  const given = headerValue(headers, signatureHeader)!.trim().toLowerCase();
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody instanceof ArrayBuffer ? new Uint8Array(rawBody) : rawBody;
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
  const givenBytes = /^[0-9a-f]{64}$/.test(given) ? Buffer.from(given, "hex") : undefined;
  if (givenBytes !== undefined && timingSafeEqual(expected, givenBytes)) return;
  if (hasNewerSignature(headers)) throw new NotificationRefusedError("newer-signature", newerSchemeMessage);
  throw new NotificationRefusedError(
    "bad-signature",
    `The notification's ${signatureHeader} does not match its body and timestamp under the configured secret (a wrong secret, or a body changed on the way).`,
  );
}
