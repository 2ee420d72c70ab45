import { ConfigurationError } from "../../domain/errors.js";

/** The environment variable that sets a fixed cap on Encord requests per second. */
export const maxRequestsPerSecondVariable = "TASK_AGENTS_ENCORD_MAX_RPS";

/** Checks a fixed request rate from the user (`where` names the flag or variable it came from). */
export function checkRequestsPerSecond(value: number, where: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${where} is ${JSON.stringify(String(value))}; accepted: a number of requests per second greater than 0 (e.g. 20), or leave it unset for no fixed cap.`);
  }
  return value;
}

/** TASK_AGENTS_ENCORD_MAX_RPS as a number, or undefined when it is unset or empty. */
export function requestsPerSecondFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[maxRequestsPerSecondVariable]?.trim();
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${maxRequestsPerSecondVariable} is ${JSON.stringify(env[maxRequestsPerSecondVariable])}; accepted: a number of requests per second greater than 0 (e.g. 20), or unset for no fixed cap.`,
    );
  }
  return value;
}
