import type { Backend } from "../backends/backend.js";
import { ConfigurationError } from "../domain/errors.js";

/** Waits until the backend's data changed, or the signal fires (then resolves false). */
export type ChangeWait = (signal: AbortSignal) => Promise<boolean>;

/**
 * How a watching run waits between passes: the backend's own change wait. A backend that
 * cannot tell when tasks arrive (Encord) is refused before the run starts, pointing at what
 * does the same job there.
 */
export function changeWaitOf(backend: Backend): ChangeWait {
  const wait = backend.waitForChange?.bind(backend);
  if (wait === undefined) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `--watch (watch: true) needs the local store: ${backend.description} cannot tell when tasks ` +
        `arrive. On Encord use \`task-agents serve\` with notifications, or poll with --refresh-every.`,
    );
  }
  return wait;
}
