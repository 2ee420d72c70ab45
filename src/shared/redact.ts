/**
 * Removes what must never reach a log or an error message: the query of URLs (signed URLs carry
 * their signature there), private keys, and Authorization/Signature header values.
 */
export function stripSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[private key removed]")
    .replace(/\b((?:https?|s3|gs|az):\/\/[^\s"'?#]+)\?(?!\[query removed\])[^\s"']*/gi, "$1?[query removed]")
    .replace(/((?:authorization|signature|x-goog-signature)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1[removed]");
}
