import type { ConnectionOptions } from "bullmq";
import { ConfigurationError } from "../domain/errors.js";

/** Where Redis is when nothing says otherwise. */
export const defaultRedisUrl = "redis://127.0.0.1:6379";

/** The Redis URL: an explicit one wins, then `REDIS_URL`, then redis://127.0.0.1:6379. */
export function resolveRedisUrl(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? (env.REDIS_URL || undefined) ?? defaultRedisUrl;
}

/**
 * BullMQ connection options for a `redis://` or `rediss://` URL, checked first so a bad URL is
 * a clear error rather than a reconnect loop. Workers need `maxRetriesPerRequest: null` so a
 * blocked read is never cut short.
 */
export function redisOptions(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `REDIS_URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, "//…@"))} is not a URL; expected redis://[user:password@]host:port[/db].`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(parsed.protocol)}.`);
  }
  return { url, maxRetriesPerRequest: null };
}
