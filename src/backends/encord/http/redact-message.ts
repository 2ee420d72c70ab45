import { stripSecrets } from "../../../shared/redact.js";

/**
 * Removes secrets from text bound for an error message: the exact `known` values (the client's
 * own token), then whatever `stripSecrets` removes (URL queries, private keys, header values,
 * bearer tokens, raw Ed25519 signatures).
 */
export function redactMessage(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) if (secret.length >= 8) out = out.split(secret).join("[removed]");
  return stripSecrets(out);
}
