import { stripSecrets } from "../../../shared/redact.js";

/**
 * Removes secrets from text bound for an error message: what `stripSecrets` removes (URL queries,
 * private keys, `Authorization: x`), plus bearer tokens, raw Ed25519 signatures (128 hex, or 64
 * bytes of base64) and the exact `known` values (the client's own token).
 */
export function redactMessage(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) if (secret.length >= 8) out = out.split(secret).join("[removed]");
  return stripSecrets(out)
    .replace(/\bBearer\s+[^\s"',}]+/gi, "Bearer [removed]")
    .replace(/\b[0-9a-f]{128}\b/gi, "[removed]")
    .replace(/[A-Za-z0-9+/]{86}==/g, "[removed]");
}
