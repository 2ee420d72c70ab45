import { ConfigurationError } from "../domain/errors.js";

/** Limits of the media helpers' downloads, from the environment; the downloader's defaults otherwise. */
export interface DownloadLimits {
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
}

const variables = {
  maxBytes: "TASK_AGENTS_DOWNLOAD_MAX_BYTES",
  timeout: "TASK_AGENTS_DOWNLOAD_TIMEOUT",
} as const;

/**
 * `TASK_AGENTS_DOWNLOAD_MAX_BYTES` (bytes, default 4 GiB) and `TASK_AGENTS_DOWNLOAD_TIMEOUT`
 * (seconds for the whole file, default 600): an agent's helpers cannot take options per call, and
 * the right limits depend on the data, not the code.
 */
export function downloadLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): DownloadLimits {
  const maxBytes = positive(env, variables.maxBytes, "a whole number of bytes > 0, e.g. 10737418240 for 10 GiB", true);
  const timeout = positive(env, variables.timeout, "a number of seconds > 0, e.g. 1800", false);
  return { ...(maxBytes === undefined ? {} : { maxBytes }), ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }) };
}

function positive(env: NodeJS.ProcessEnv, name: string, accepted: string, integer: boolean): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${name} is ${JSON.stringify(raw)}; it must be ${accepted}.`);
  }
  return value;
}
