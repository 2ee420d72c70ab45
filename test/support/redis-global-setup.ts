/**
 * Vitest globalSetup of the `services` project: makes sure a Redis answers and hands its URL to
 * the tests (`inject("redisUrl")`, see test/support/redis.ts). A private redis-server started
 * here is stopped in teardown; without Redis the run fails: the Redis suites never skip silently.
 */
import type { TestProject } from "vitest/node";
import { findOrStartRedis } from "./redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Redis every queue test uses (each with its own queue names). */
    redisUrl: string;
  }
}

let redis: Awaited<ReturnType<typeof findOrStartRedis>> | undefined;

export async function setup(project: TestProject): Promise<void> {
  redis = await findOrStartRedis("The queue tests");
  project.provide("redisUrl", redis.url);
}

export async function teardown(): Promise<void> {
  const found = redis;
  redis = undefined;
  await found?.stop();
}
