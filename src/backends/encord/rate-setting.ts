import { ConfigurationError } from "../../domain/errors.js";

/** The environment variable that sets a fixed cap on Encord requests per second. */
export const maxRequestsPerSecondVariable = "TASK_AGENTS_ENCORD_MAX_RPS";

/**
 * A fixed request rate from the user, checked: `where` names the flag or variable it came from
 * and `given` is the text to quote.
 */
export function checkRequestsPerSecond(value: number, where: string, given = String(value)): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${where} is ${JSON.stringify(given)}; accepted: a number of requests per second greater than 0 (e.g. 20), or unset for no fixed cap.`,
    );
  }
  return value;
}

/** TASK_AGENTS_ENCORD_MAX_RPS as a number, or undefined when it is unset or empty. */
export function requestsPerSecondFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[maxRequestsPerSecondVariable];
  if (raw === undefined || raw.trim() === "") return undefined;
  return checkRequestsPerSecond(Number(raw.trim()), maxRequestsPerSecondVariable, raw);
}
