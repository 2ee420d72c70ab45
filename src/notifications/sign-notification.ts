import { createHmac } from "node:crypto";

/**
 * The `X-Encord-Signature` value of a notification: lowercase hex HMAC-SHA256, keyed by the
 * signing secret (UTF-8), of the timestamp, a `.`, then the raw body bytes. The body must be the
 * exact bytes sent: re-serialising JSON can change them and so the signature.
 * @example
 * const body = JSON.stringify(envelope);
 * const timestamp = Math.floor(Date.now() / 1000);
 * headers[signatureHeader] = signEncordNotification(body, secret, timestamp);
 */
export function signEncordNotification(rawBody: string | Uint8Array, secret: string, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds)) {
    throw new RangeError(`A notification timestamp is whole unix seconds; got ${String(timestampSeconds)}.`);
  }
  return createHmac("sha256", secret).update(`${timestampSeconds}.`).update(rawBody).digest("hex");
}
