// A Redis for the cases that need one, found or started as the tests do (one module for both:
// test/support/redis-server.ts, loaded through tsx). A private server is stopped when the bench ends.
import { tsImport } from "tsx/esm/api";
import { onCleanup } from "./common.mjs";

let found;
/** The URL of a Redis that answers (found or started once per bench process). */
export function redisUrl() {
  found ??= (async () => {
    const { findOrStartRedis } = await tsImport("../../test/support/redis-server.ts", import.meta.url);
    const redis = await findOrStartRedis("These cases");
    if (redis.started) onCleanup(() => redis.stop());
    return redis.url;
  })();
  return found;
}
