import { isTaskAgentsError } from "../domain/errors.js";
import { stripSecrets } from "./redact.js";

/**
 * The one line (or JSON object) a command prints for an error: the message alone for errors
 * task-agents raised on purpose and for store failures, the stack for anything unexpected, so
 * it can be reported. Shared by the CLI and `runner.run()`. Secrets (signed URLs' queries, keys,
 * tokens, signatures) are stripped from both: an unexpected error may come from user code.
 */
export function formatCommandError(error: unknown, json: boolean): string {
  const known = isTaskAgentsError(error);
  const sqliteCode = !known && error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const sqlite = typeof sqliteCode === "string" && sqliteCode.startsWith("SQLITE_");
  const code = known ? error.code : sqlite ? "TA_STORE_ERROR" : "TA_INTERNAL";
  const message = stripSecrets(error instanceof Error ? error.message : String(error));
  if (json) return JSON.stringify({ error: { code, message } }) + "\n";
  if (known) return `error: ${message}\n`;
  if (sqliteCode === "SQLITE_BUSY")
    return "error: the store is busy: another task-agents process held its write lock for more than 5 s. Try again when it has finished.\n";
  if (sqlite) return `error: the store failed: ${message}\n`;
  return `error: unexpected failure: ${error instanceof Error && error.stack !== undefined ? stripSecrets(error.stack) : message}\n`;
}
