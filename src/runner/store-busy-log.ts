import type { Logger } from "pino";
import type { Backend } from "../backends/backend.js";

/**
 * Logs, at debug level, each wait for a store another process is writing to, so a run that
 * seems slow shows why; returns the function that stops logging.
 */
export function logStoreBusyWaits(backend: Backend, logger: Logger): () => void {
  return (
    backend.onStoreBusy?.((wait) => {
      logger.debug(
        { operation: wait.operation, attempt: wait.attempt, waitMs: wait.waitMs, waitedMs: wait.waitedMs },
        `${backend.description} is busy (another process holds its write lock); the ${wait.operation} ` +
          `waits ${wait.waitMs} ms before attempt ${wait.attempt + 1} (${wait.waitedMs} ms waited so far)`,
      );
    }) ?? (() => undefined)
  );
}
