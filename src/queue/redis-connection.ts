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

/** The URL with any password hidden, for messages. */
export function describeRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:…@");
}

/**
 * Checks that Redis answers before a producer or worker starts: without it BullMQ would retry
 * the connection forever and the command would hang with no clear message.
 */
export async function assertRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  redisOptions(url);
  const { Redis } = await import("ioredis");
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let socketError: NodeJS.ErrnoException | undefined;
  client.on("error", (error: NodeJS.ErrnoException) => (socketError ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    // The socket's own error (ECONNREFUSED…) says more than ioredis's "Connection is closed".
    const cause = socketError ?? (error as NodeJS.ErrnoException);
    const reason = cause.code ?? cause.message;
    throw new ConfigurationError(
      "TA_REDIS_UNREACHABLE",
      `Cannot reach Redis at ${describeRedisUrl(url)} (${reason}). Start Redis there, or set REDIS_URL (or --redis-url) to a Redis that runs.`,
    );
  } finally {
    client.disconnect();
  }
}
