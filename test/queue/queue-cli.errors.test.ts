import { describe, expect, test } from "vitest";
import { QueueRunner } from "../../src/index.js";
import { enqueueTasks, jobIdFor } from "../../src/queue/index.js";
import { expectJsonError, expectUserError, jsonLines } from "../cli/cli-helpers.js";
import { agentFile } from "../support/agent-process.js";
import { redisUrl, testQueue } from "../support/redis.js";
import { cli, cliProcess } from "../support/run-cli.js";
import { runnerStore } from "../support/runner-fixture.js";

describe("queue commands: configuration errors", () => {
  test("queue work and queue enqueue with a file exporting a Runner say a QueueRunner is needed (exit 1)", async () => {
    await using store = await runnerStore({ items: 1 });
    const runnerFile = agentFile("route-by-type");
    for (const command of ["work", "enqueue"]) {
      const result = await cli(["--store", store.backend.storePath, "queue", command, runnerFile, "--queue", "test-never-used"], { REDIS_URL: redisUrl() });
      expectUserError(result, /exports a Runner; queue commands need a QueueRunner/, /new QueueRunner\(\{ projectHash \}\)/, /task-agents run /);
    }
    const json = await cli(["--store", store.backend.storePath, "--json", "queue", "work", runnerFile], { REDIS_URL: redisUrl() });
    expect(expectJsonError(json, "TA_INVALID_ARGUMENT")).toMatch(/queue commands need a QueueRunner/);
  });

  test("queue enqueue and queue work with a REDIS_URL that is not redis:// fail with exit 1 and say what is expected", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 2 });
    const agent = agentFile("queue-route-by-title");
    const env = { PROJECT_HASH: store.projectHash, NO_COLOR: "1" };
    const storeArgs = ["--store", store.backend.storePath];

    const enqueue = await cliProcess([...storeArgs, "queue", "enqueue", agent], { ...env, REDIS_URL: "http://x" });
    expectUserError(enqueue, /REDIS_URL must start with redis:\/\/ or rediss:\/\/, got "http:"/);

    const flag = await cliProcess([...storeArgs, "queue", "enqueue", agent, "--redis-url", "not a url"], env);
    expectUserError(flag, /REDIS_URL "not a url" is not a URL; expected redis:\/\/\[user:password@\]host:port\[\/db\]/);

    const work = await cliProcess([...storeArgs, "queue", "work", agent, "--exit-when-empty"], { ...env, REDIS_URL: "http://x" });
    expectUserError(work, /REDIS_URL must start with redis:\/\/ or rediss:\/\//);

    expect(await store.tasksIn("Pre-label")).toHaveLength(2);
  });
});

describe("queue work: an unknown pathway", () => {
  test("fails that task's job at once without retries (exit 2); the other tasks move", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 3 });
    const { name, queue } = testQueue();
    const producer = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    producer.stage("Pre-label", () => "annotate");
    await enqueueTasks(producer, { redisUrl: redisUrl(), queueName: name, jobOptions: { removeOnFail: false } });
    await producer.close();
    const bad = (await store.tasksIn("Pre-label")).find((t) => t.dataTitle === "i-2.png")!;

    const result = await cliProcess(
      ["--store", store.backend.storePath, "--json", "queue", "work", agentFile("queue-unknown-pathway"), "--queue", name, "--exit-when-empty"],
      { PROJECT_HASH: store.projectHash, REDIS_URL: redisUrl() },
    );

    expect(result.code, result.stderr).toBe(2);
    const finished = jsonLines<{ event: string; tasks?: number; jobFailures?: number }>(result.stdout).find((l) => l.event === "worker-finished");
    expect(finished).toMatchObject({ tasks: 2, jobFailures: 1 });
    const job = (await queue.getJob(jobIdFor(store.stage("Pre-label").uuid, bad.uuid)))!;
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/has no pathway "nowhere"/);
    expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["i-2.png"]);
    expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle).sort()).toEqual(["i-1.png", "i-3.png"]);
  });

  test("a Redis that does not answer is a clear error (exit 1), not a hang", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 1 });
    const agent = agentFile("queue-route-by-title");
    const env = { PROJECT_HASH: store.projectHash, REDIS_URL: "redis://127.0.0.1:1" };
    for (const command of [["queue", "enqueue", agent], ["queue", "work", agent, "--exit-when-empty"]]) {
      const result = await cliProcess(["--store", store.backend.storePath, ...command], env);
      expectUserError(result, /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/, /REDIS_URL/);
    }
  });

  test("an agent file that throws while loading names the file and the line", async () => {
    await using store = await runnerStore({ items: 1 });
    // queue-route-by-title reads PROJECT_HASH at load time and throws without it.
    const result = await cli(["--store", store.backend.storePath, "queue", "enqueue", agentFile("queue-route-by-title")], { REDIS_URL: redisUrl() });
    expectUserError(result, /Agent file ".*queue-route-by-title\.ts" failed to load: .*PROJECT_HASH/, /\(at .*queue-route-by-title\.ts:\d+:\d+\)/);
  });
});
