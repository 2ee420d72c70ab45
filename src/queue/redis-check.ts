import type { Redis } from "ioredis";
import { ConfigurationError } from "../domain/errors.js";
import { describeRedisUrl, redisDatabase } from "./redis-connection.js";

/** An error as ioredis reports it: a socket error has a `code`, a refused command its name. */
type RedisFailure = Error & { code?: string; command?: { name?: string } };

/**
 * Checks, before a producer or worker starts, that Redis answers, accepts the URL's credentials
 * and has the URL's database. Without it BullMQ retries a dead connection forever (a hang), and
 * ioredis only logs a refused SELECT and goes on in database 0, so jobs would land where no
 * worker of that URL looks while the command reported success.
 */
export async function assertRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  const database = redisDatabase(url);
  const { Redis } = await import("ioredis");
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The first error the client emitted: a refused login or an unreachable host says more than
  // the "Connection is closed" that connect() then rejects with. A refused SELECT is reported
  // below, by the SELECT this check sends itself.
  let emitted: RedisFailure | undefined;
  client.on("error", (error: RedisFailure) => {
    if (error.command?.name !== "select") emitted ??= error;
  });
  const where = describeRedisUrl(url);
  try {
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      throw connectionError(where, emitted ?? (error as RedisFailure));
    }
    try {
      await client.select(database);
    } catch (error) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `Redis at ${where} has no database ${database} (${firstLine(error as RedisFailure)})` +
          `${await databaseRange(client)}. Give a database it has in the URL's path, as in redis://host:6379/0.`,
      );
    }
  } finally {
    client.disconnect();
  }
}

/** The error for a Redis that could not be reached or refused the login. */
function connectionError(where: string, cause: RedisFailure): ConfigurationError {
  const reply = firstLine(cause);
  if (/^NOAUTH\b/.test(reply)) {
    return new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Redis at ${where} needs a password (NOAUTH); give it in the URL: redis://:password@host:port, or redis://user:password@host:port for an ACL user.`,
    );
  }
  if (/^WRONGPASS\b|invalid password|invalid username-password/i.test(reply)) {
    return new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Redis at ${where} refused the URL's user or password (${reply}). Check the credentials in REDIS_URL (or --redis-url).`,
    );
  }
  return new ConfigurationError(
    "TA_REDIS_UNREACHABLE",
    `Cannot reach Redis at ${where} (${cause.code ?? reply}). Start Redis there, or set REDIS_URL (or --redis-url) to a Redis that runs.`,
  );
}

/** "; this server has databases 0 to N-1", when the server says how many it has. */
async function databaseRange(client: Redis): Promise<string> {
  try {
    // CONFIG is often disabled on managed Redis; then the message goes without the range.
    const [, count] = await client.config("GET", "databases");
    const databases = Number(count);
    return Number.isSafeInteger(databases) && databases > 0 ? `; this server has databases 0 to ${databases - 1}` : "";
  } catch {
    return "";
  }
}

/** The first line of an error's message without its final full stop, to quote in a sentence. */
function firstLine(error: RedisFailure): string {
  return (error.message ?? String(error)).split("\n")[0]!.replace(/\.$/, "");
}
