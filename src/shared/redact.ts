/**
 * Removes what must never reach a log or an error message: the query of URLs (signed URLs carry
 * their signature there), private keys, and Authorization/Signature header values.
 */
export function stripSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[private key removed]")
    .replace(/\b((?:https?|s3|gs|az):\/\/[^\s"'?#]+)\?(?!\[query removed\])[^\s"']*/gi, "$1?[query removed]")
    // "Bearer <token>" first, so the token is not left behind once the header name is handled.
    .replace(/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g, "$1 [removed]")
    .replace(/((?:authorization|signature|signature-input|x-goog-signature)["']?\s*[:=]\s*["']?)(?!Bearer \[removed\])[^\s"',}]+/gi, "$1[removed]");
}
