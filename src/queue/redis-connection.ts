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
  redisDatabase(url);
  return { url, maxRetriesPerRequest: null };
}

/**
 * The database a `redis://` or `rediss://` URL names (its path, else a `?db=` query, else 0),
 * checked: ioredis reads both with parseInt, so "/abc" would quietly mean database 0 and
 * "?db=x" a SELECT NaN it re-sends before every command.
 */
export function redisDatabase(url: string): number {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `REDIS_URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, "//…@"))} is not a URL; expected redis://[user:password@]host:port[/db].`,
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(parsed.protocol)}.`);
  }
  const path = parsed.pathname === "/" ? "" : parsed.pathname.slice(1);
  const query = parsed.searchParams.get("db");
  for (const [where, value] of [
    ["path", path],
    ["db query", query],
  ] as const) {
    if (value !== null && value !== "" && !/^\d{1,9}$/.test(value)) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `REDIS_URL ${JSON.stringify(describeRedisUrl(url))} has the ${where} ` +
          `${JSON.stringify(value)}; it can only be a database number, as in redis://host:6379/0.`,
      );
    }
  }
  return Number(path || query || 0);
}

/** The URL with any password hidden, for messages. */
export function describeRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:…@");
}
