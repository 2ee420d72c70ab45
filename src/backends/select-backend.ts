import { ConfigurationError } from "../domain/errors.js";
import type { Backend } from "./backend.js";
import { localBackend } from "./local/local-backend.js";
import { resolveStorePath } from "./local/store-path.js";

/** How the backend is chosen, from the most to the least explicit. */
export interface BackendChoice {
  readonly backend?: Backend;
  readonly kind?: "local" | "encord";
  readonly storePath?: string;
}

/**
 * Picks the backend: an explicit one wins, then `kind`, then Encord when `ENCORD_SSH_KEY` or
 * `ENCORD_SSH_KEY_FILE` is set, else the local store. The one place that makes this choice.
 */
export function selectBackend(choice: BackendChoice = {}, env: NodeJS.ProcessEnv = process.env): Backend {
  if (choice.backend) return choice.backend;
  const wantsEncord = choice.kind === "encord" || (choice.kind === undefined && Boolean(env.ENCORD_SSH_KEY || env.ENCORD_SSH_KEY_FILE));
  if (wantsEncord) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `The Encord backend is not part of this version of task-agents yet${choice.kind === "encord" ? "" : " (chosen because ENCORD_SSH_KEY or ENCORD_SSH_KEY_FILE is set)"}. Use the local store: pass --backend local, or unset those variables.`,
    );
  }
  return localBackend({ storePath: resolveStorePath(choice.storePath, env) });
}
