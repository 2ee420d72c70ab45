/** Process exit codes of the `task-agents` command and of agent files run as programs. */
export const exitCodes = {
  ok: 0,
  /** Bad usage or configuration: a clear message says what to fix. */
  usageError: 1,
  /** A run finished, but some tasks failed permanently (the report lists them). */
  tasksFailed: 2,
} as const;
