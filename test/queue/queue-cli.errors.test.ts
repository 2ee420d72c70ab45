import { randomUUID } from "node:crypto";
import { describe, expect, onTestFinished, test } from "vitest";
import { QueueRunner } from "../../src/index.js";
import { enqueueTasks, jobIdFor } from "../../src/queue/index.js";
import { expectJsonError, expectUserError, jsonLines } from "../cli/cli-helpers.js";
import { agentFile } from "../support/agent-process.js";
import { redisUrl, testQueue } from "../support/redis.js";
import { startRedisWithPassword } from "../support/redis-server.js";
import { cli, cliProcess, type CliResult } from "../support/run-cli.js";
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

    // ioredis would read these with parseInt: database 0 for "/abc", SELECT NaN for "?db=x".
    const path = await cliProcess([...storeArgs, "queue", "enqueue", agent], { ...env, REDIS_URL: withPath(redisUrl(), "/abc") });
    expectUserError(path, /has the path "abc"; it can only be a database number, as in redis:\/\/host:6379\/0/);
    const query = await cliProcess([...storeArgs, "queue", "work", agent, "--exit-when-empty"], { ...env, REDIS_URL: `${withPath(redisUrl(), "/")}?db=x` });
    expectUserError(query, /has the db query "x"; it can only be a database number/);

    expect(await store.tasksIn("Pre-label")).toHaveLength(2);
  });
});

/** The Redis URL with another path (the database number). */
function withPath(url: string, path: string): string {
  const parsed = new URL(url);
  parsed.pathname = path;
  return parsed.href;
}

/** The Redis URL with a user and password put in. */
function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.href;
}

/** Asserts the command failed with one line of error and nothing else (no ioredis stack, no "Queued"). */
function expectOneLineError(result: CliResult, ...patterns: RegExp[]): void {
  expectUserError(result, ...patterns);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
}

describe("queue commands: a Redis that does not take the URL", () => {
  test("a database the server does not have: exit 1 with one line naming it; no job lands in database 0", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 2 });
    const { name, queue } = testQueue();
    const agent = agentFile("queue-route-by-title");
    const env = { PROJECT_HASH: store.projectHash, REDIS_URL: withPath(redisUrl(), "/99") };
    const storeArgs = ["--store", store.backend.storePath];

    const enqueue = await cliProcess([...storeArgs, "queue", "enqueue", agent, "--queue", name], env);
    expectOneLineError(
      enqueue,
      /Redis at redis:\/\/.+\/99 has no database 99 \(ERR DB index is out of range\); this server has databases 0 to \d+\. Give a database it has/,
    );
    expect(await queue.getJobCounts()).toSatisfy((counts: Record<string, number>) => Object.values(counts).every((n) => n === 0));

    // The same jobs in database 0 must stay where they are: a worker on database 99 takes none.
    const producer = new QueueRunner({ projectHash: store.projectHash, backend: store.backend });
    producer.stage("Pre-label", () => "annotate");
    await enqueueTasks(producer, { redisUrl: redisUrl(), queueName: name });
    await producer.close();
    const work = await cliProcess([...storeArgs, "queue", "work", agent, "--queue", name, "--exit-when-empty"], env);
    expectOneLineError(work, /has no database 99/);
    expect(await queue.getWaitingCount()).toBe(2);
    expect(await store.tasksIn("Pre-label")).toHaveLength(2);

    const json = await cliProcess([...storeArgs, "--json", "queue", "enqueue", agent, "--queue", name], env);
    expect(expectJsonError(json, "TA_INVALID_ARGUMENT")).toMatch(/has no database 99/);
  });

  test("a user the server does not know: exit 1, one line saying the credentials were refused, the password not shown", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 1 });
    const agent = agentFile("queue-route-by-title");
    const env = { PROJECT_HASH: store.projectHash, REDIS_URL: withCredentials(redisUrl(), `nobody-${randomUUID()}`, "not-shown-pw") };
    for (const command of [
      ["queue", "enqueue", agent],
      ["queue", "work", agent, "--exit-when-empty"],
    ]) {
      const result = await cliProcess(["--store", store.backend.storePath, ...command, "--queue", "test-never-used"], env);
      expectOneLineError(
        result,
        new RegExp(
          "Redis at redis:\\/\\/nobody-[0-9a-f-]+:…@.+ refused the URL's user or " +
            "password \\(WRONGPASS .+\\)\\. Check the credentials in REDIS_URL \\(or " +
            "--redis-url\\)\\.$",
          "m",
        ),
      );
      expect(result.stderr).not.toContain("not-shown-pw");
    }
  });

  test("a Redis that asks for a password: none given and a wrong one are one clear line each; the right one works", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ items: 1 });
    const server = await startRedisWithPassword("right-pw");
    onTestFinished(() => server.stop());
    const agent = agentFile("queue-route-by-title");
    const run = (url: string, ...args: string[]) =>
      cliProcess(["--store", store.backend.storePath, "queue", "enqueue", agent, "--queue", "test-password", ...args], {
        PROJECT_HASH: store.projectHash,
        REDIS_URL: url,
      });

    expectOneLineError(
      await run(server.url),
      /Redis at redis:\/\/127\.0\.0\.1:\d+ needs a password \(NOAUTH\); give it in the URL: redis:\/\/:password@host:port/,
    );
    const wrong = await run(withCredentials(server.url, "", "wrong-pw"));
    expectOneLineError(wrong, /Redis at redis:\/\/:…@127\.0\.0\.1:\d+ refused the URL's user or password \(WRONGPASS/);
    expect(wrong.stderr).not.toContain("wrong-pw");

    const right = await run(withCredentials(server.url, "", "right-pw"));
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toMatch(/^Queued 1 task of stage "Pre-label" on test-password\.$/m);
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
    for (const command of [
      ["queue", "enqueue", agent],
      ["queue", "work", agent, "--exit-when-empty"],
    ]) {
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
