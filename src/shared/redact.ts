/**
 * Removes what must never reach a log or an error message: the query of URLs (signed URLs carry
 * their signature there), private key material, Authorization/Signature header values, and raw Ed25519
 * signatures (128 hex digits, or 64 bytes of base64) even without their header name.
 */
export function stripSecrets(text: string): string {
  return (
    text
      // Key material: armour followed by base64 (or PEM headers), on the next line, the same line or
      // after an escaped "\n". The armour named alone ("-----BEGIN OPENSSH PRIVATE KEY----- …") stays.
      .replace(
        /-----BEGIN [A-Z ]*PRIVATE KEY-----(?=(?:\s|\\[rn])*(?:[A-Za-z0-9+/=]{16}|Proc-Type:))[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
        "[private key removed]",
      )
      .replace(/\b((?:https?|s3|gs|az):\/\/[^\s"'?#]+)\?(?!\[query removed\])[^\s"']*/gi, "$1?[query removed]")
      // "Bearer <token>" first, so the token is not left behind once the header name is handled.
      .replace(/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g, "$1 [removed]")
      .replace(
        /((?:authorization|signature|signature-input|x-goog-signature)["']?\s*[:=]\s*["']?)(?!Bearer \[removed\]|\[removed\])[^\s"',}]+/gi,
        "$1[removed]",
      )
      .replace(/\b[0-9a-f]{128}\b/gi, "[removed]")
      .replace(/[A-Za-z0-9+/]{86}==/g, "[removed]")
  );
}

/** Keys whose values are secrets whatever they hold (compared without case, `-` or `_`). */
const secretKeys = new Set([
  "signedurl",
  "headers",
  "authorization",
  "signature",
  "signatureinput",
  "sshkey",
  "privatekey",
  "passphrase",
  "password",
  "token",
  "bearertoken",
  "accesstoken",
  "apikey",
  "secret",
  "cookie",
]);

/** Whether a property of this name holds a secret (`signedUrl`, `headers`, `authorization`, …). */
export function isSecretKey(key: string): boolean {
  return secretKeys.has(key.replace(/[-_]/g, "").toLowerCase());
}

const maxDepth = 12;

/**
 * A copy of `value` fit for a log: every string through {@link stripSecrets}, the values of
 * secret-named keys (at any depth) replaced by `"[removed]"`, errors turned into
 * `{ type, message, stack, …, cause }` with their whole cause chain cleaned, objects with
 * `toJSON` replaced by its result (as JSON would), cycles cut. Same shape JSON would give.
 */
export function stripSecretsDeep(value: unknown): unknown {
  return clean(value, 0, new WeakSet());
}

function clean(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return stripSecrets(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  if (depth >= maxDepth) return "[…]";
  seen.add(value);
  try {
    if (value instanceof Error) return cleanError(value, depth, seen);
    const withToJson = value as { toJSON?: unknown };
    if (typeof withToJson.toJSON === "function" && !(value instanceof Date)) return clean((withToJson.toJSON as () => unknown).call(value), depth, seen);
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = isSecretKey(key) ? "[removed]" : clean(inner, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

function cleanError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.constructor?.name && error.constructor.name !== "Object" ? error.constructor.name : error.name,
    message: stripSecrets(String(error.message)),
  };
  if (typeof error.stack === "string") out.stack = stripSecrets(error.stack);
  for (const [key, inner] of Object.entries(error)) {
    if (key === "message" || key === "stack" || key === "cause") continue;
    out[key] = isSecretKey(key) ? "[removed]" : clean(inner, depth + 1, seen);
  }
  if (error instanceof AggregateError && Array.isArray(error.errors)) out.errors = error.errors.map((e) => clean(e, depth + 1, seen));
  if (error.cause !== undefined) out.cause = clean(error.cause, depth + 1, seen);
  return out;
}
