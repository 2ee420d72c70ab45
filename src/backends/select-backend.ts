import type { Backend } from "./backend.js";
import { encordBackend } from "./encord/encord-backend.js";
import { checkRequestsPerSecond, requestsPerSecondFromEnv } from "./encord/rate-setting.js";
import { encordSettingsFromEnv, hasEncordCredentials } from "./encord/settings.js";
import { localBackend } from "./local/local-backend.js";
import { resolveStorePath } from "./local/store-path.js";

/** How the backend is chosen, from the most to the least explicit. */
export interface BackendChoice {
  readonly backend?: Backend;
  readonly kind?: "local" | "encord";
  readonly storePath?: string;
  /** Where warnings about the settings go (both key variables set, …). @defaultValue standard error */
  readonly warn?: (message: string) => void;
  /**
   * A fixed cap on Encord requests per second (`--max-requests-per-second`); wins over
   * TASK_AGENTS_ENCORD_MAX_RPS. @defaultValue none: the client adapts to throttling only
   */
  readonly maxRequestsPerSecond?: number;
}

/**
 * Picks the backend: an explicit one wins, then `kind`, then Encord when Encord credentials are
 * set (`ENCORD_SSH_KEY`, `ENCORD_SSH_KEY_FILE` or `ENCORD_BEARER_TOKEN`), else the local store.
 * The one place that makes this choice.
 */
export function selectBackend(choice: BackendChoice = {}, env: NodeJS.ProcessEnv = process.env): Backend {
  if (choice.backend) return choice.backend;
  const wantsEncord = choice.kind === "encord" || (choice.kind === undefined && choice.storePath === undefined && hasEncordCredentials(env));
  const warn = choice.warn ?? ((message: string) => process.stderr.write(`task-agents: warning: ${message}\n`));
  if (wantsEncord) {
    const settings = encordSettingsFromEnv(env);
    for (const warning of settings.warnings) warn(warning);
    const requestsPerSecond =
      choice.maxRequestsPerSecond === undefined
        ? requestsPerSecondFromEnv(env)
        : checkRequestsPerSecond(choice.maxRequestsPerSecond, "--max-requests-per-second");
    return encordBackend({ settings, ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }) });
  }
  if (choice.maxRequestsPerSecond !== undefined) warn("--max-requests-per-second caps Encord requests; it has no effect on the local store.");
  return localBackend({ storePath: resolveStorePath(choice.storePath, env) });
}
