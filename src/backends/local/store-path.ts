import { resolve } from "node:path";

/** Where the store lives when nothing says otherwise. */
export const defaultStorePath = "./.task-agents/store.db";

/**
 * The store path: an explicit option (the `--store` flag) wins, then `TASK_AGENTS_STORE`, then
 * `./.task-agents/store.db`. The one place that reads this setting.
 */
export function resolveStorePath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? (env.TASK_AGENTS_STORE || undefined) ?? defaultStorePath;
  return chosen === ":memory:" ? chosen : resolve(chosen);
}
