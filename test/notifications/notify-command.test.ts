/**
 * `task-agents notify`: the notifications Encord would send, sent from the local store to a real
 * HTTP receiver on loopback, whose signatures the test checks on its own.
 */
import { describe, expect, test } from "vitest";
import { cli, cliOk, expectUserError, freshStore, jsonLines, paths } from "../cli/cli-helpers.js";
import { startCli } from "../support/agent-process.js";
import { hasValidSignature, startReceiver, unusedUrl, writeNotifySpec, type NotifySettings } from "./notify-support.js";

const secret = "s3cret-for-tests-only";

/** A project notifying `notify`, with the 4 items of examples/data in "Pre-label". */
async function notifiedProject(store: { dir: string; store: string }, notify: NotifySettings): Promise<{ hash: string; stageUuid: string }> {
  const hash = (await cliOk(store.store, ["project", "create", writeNotifySpec(store.dir, notify)])).trim();
  await cliOk(store.store, ["data", "add", hash, paths.demoData]);
  const shown = JSON.parse(await cliOk(store.store, ["--json", "project", "show", hash])) as { stages: { title: string; uuid: string }[] };
  return { hash, stageUuid: shown.stages.find((s) => s.title === "Pre-label")!.uuid };
}

describe("notify --once", () => {
  test("a full batch: one signed v1 notification, batch_size_reached, exit 0", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash, stageUuid } = await notifiedProject(store, { url: receiver.url, secret, batchSize: 4, maxWaitSeconds: 3600 });

    const before = Math.floor(Date.now() / 1000);
    const result = await cli(["--store", store.store, "notify", hash, "--once"]);
    expect(result.code, result.stderr).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/hooks/encord");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(hasValidSignature(request, secret)).toBe(true);
    expect(hasValidSignature(request, "another secret")).toBe(false);
    const timestamp = Number(request.headers["x-encord-timestamp"]);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    const body = JSON.parse(request.rawBody.toString("utf8")) as Record<string, unknown>;
    expect(body).toMatchObject({
      version: 1,
      event_type: "agent_stage_work_available_event",
      payload: { project_hash: hash, stage_uuid: stageUuid, pending_count: 4, reason: "batch_size_reached" },
    });
    expect(body.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(body.event_created_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(typeof body.source).toBe("string");

    expect(result.stdout).toContain(`Notified stage "Pre-label" (batch_size_reached, 4 pending): ${receiver.url} answered 200`);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  test("a task waiting past maxWaitSeconds: max_wait_elapsed, though the batch is not full", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash } = await notifiedProject(store, { url: receiver.url, secret, batchSize: 100, maxWaitSeconds: 0 });
    const result = await cli(["--store", store.store, "notify", hash, "--once"]);
    expect(result.code, result.stderr).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect(hasValidSignature(receiver.requests[0]!, secret)).toBe(true);
    const body = JSON.parse(receiver.requests[0]!.rawBody.toString("utf8")) as { payload: { reason: string; pending_count: number } };
    expect(body.payload).toMatchObject({ reason: "max_wait_elapsed", pending_count: 4 });
  });

  test("nothing due: no request, exit 0, and stderr says why (count, batch size, wait)", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash } = await notifiedProject(store, { url: receiver.url, secret, batchSize: 100, maxWaitSeconds: 3600 });
    const result = await cli(["--store", store.store, "notify", hash, "--once"]);
    expect(result.code, result.stderr).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/Stage "Pre-label": not due \(4 pending, batch size 100; oldest waited [\d.]+ s of 3600 s\)/);
    expect(result.stderr).toMatch(/0 notifications sent in 1 cycle\./);
  });

  test("each delivery has a fresh uid: two cycles, two uids", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash } = await notifiedProject(store, { url: receiver.url, secret, batchSize: 1, maxWaitSeconds: 0 });
    for (let i = 0; i < 2; i++) expect((await cli(["--store", store.store, "notify", hash, "--once"])).code).toBe(0);
    const uids = receiver.requests.map((r) => (JSON.parse(r.rawBody.toString("utf8")) as { uid: string }).uid);
    expect(uids).toHaveLength(2);
    expect(uids[0]).not.toBe(uids[1]);
  });

  test("a receiver answering 500: exit 1, one line naming the URL and the status, never the secret", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    receiver.status = 500;
    const { hash } = await notifiedProject(store, { url: receiver.url, secret, batchSize: 1, maxWaitSeconds: 0 });
    const result = await cli(["--store", store.store, "notify", hash, "--once"]);
    expect(result.code).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect(result.stdout).toBe("");
    const errors = result.stderr.split("\n").filter((line) => line.startsWith("error: "));
    expect(errors).toEqual([`error: notification for stage "Pre-label" to ${receiver.url} failed: HTTP 500 Internal Server Error.`]);
    expect(result.stderr).toMatch(/1 notification sent in 1 cycle; 1 failed\./);
    expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test("an unreachable receiver is a clear error: connection refused, exit 1", async () => {
    using store = freshStore();
    const url = await unusedUrl();
    const { hash } = await notifiedProject(store, { url, secret, batchSize: 1, maxWaitSeconds: 0 });
    const result = await cli(["--store", store.store, "notify", hash, "--once"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: notification for stage "Pre-label" to ${url} failed: connection refused (ECONNREFUSED).`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toContain(secret);
  });

  test("the URL's query (it may hold a token) never reaches the output", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash } = await notifiedProject(store, { url: `${receiver.url}?token=hidden`, secret, batchSize: 1, maxWaitSeconds: 0 });
    const result = await cli(["--store", store.store, "notify", hash, "--once"]);
    expect(result.code, result.stderr).toBe(0);
    expect(receiver.requests[0]!.url).toBe("/hooks/encord?token=hidden");
    expect(result.stdout).toContain(receiver.url);
    expect(result.stdout + result.stderr).not.toContain("hidden");
  });

  test("--json: one event per line on stdout, then a summary", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash, stageUuid } = await notifiedProject(store, { url: receiver.url, secret, batchSize: 2, maxWaitSeconds: 3600 });
    const result = await cli(["--store", store.store, "--json", "notify", hash, "--once"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const uid = (JSON.parse(receiver.requests[0]!.rawBody.toString("utf8")) as { uid: string }).uid;
    expect(jsonLines(result.stdout)).toEqual([
      { event: "delivered", cycle: 1, stage: "Pre-label", stageUuid, pendingCount: 4, url: receiver.url, uid, reason: "batch_size_reached", status: 200 },
      { event: "finished", cycles: 1, delivered: 1, failed: 0 },
    ]);
  });
});

describe("the signing secret from the environment (secretEnv)", () => {
  test("signs with the variable's value", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash } = await notifiedProject(store, { url: receiver.url, secretEnv: "RECEIVER_SECRET", batchSize: 1, maxWaitSeconds: 0 });
    const result = await cli(["--store", store.store, "notify", hash, "--once"], { RECEIVER_SECRET: "from-the-env" });
    expect(result.code, result.stderr).toBe(0);
    expect(hasValidSignature(receiver.requests[0]!, "from-the-env")).toBe(true);
  });

  test("an unset variable: exit 1 before anything is sent, naming the stage and the variable", async () => {
    using store = freshStore();
    await using receiver = await startReceiver();
    const { hash } = await notifiedProject(store, { url: receiver.url, secretEnv: "RECEIVER_SECRET", batchSize: 1, maxWaitSeconds: 0 });
    const result = await cli(["--store", store.store, "notify", hash, "--once"], {});
    expectUserError(result, /stage "Pre-label" signs with the secret in RECEIVER_SECRET, which is not set/);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe("notify refuses", () => {
  test("a project with no notified stage, saying how to add one", async () => {
    using store = freshStore();
    const hash = (await cliOk(store.store, ["project", "create", writeNotifySpec(store.dir, undefined)])).trim();
    expectUserError(
      await cli(["--store", store.store, "notify", hash, "--once"]),
      /no AGENT stage with notification settings/,
      /notify: \{ url, secret, batchSize, maxWaitSeconds \}/,
    );
  });

  test("--once with --every, and an --every that is not a positive number", async () => {
    using store = freshStore();
    const hash = (await cliOk(store.store, ["project", "create", writeNotifySpec(store.dir, undefined)])).trim();
    expectUserError(await cli(["--store", store.store, "notify", hash, "--once", "--every", "5"]), /--once and --every cannot be combined/);
    const zero = await cli(["--store", store.store, "notify", hash, "--every", "0"]);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toMatch(/--every takes a number of seconds more than 0/);
  });

  test("an unknown project", async () => {
    using store = freshStore();
    await cliOk(store.store, ["project", "create", writeNotifySpec(store.dir, undefined)]);
    expectUserError(await cli(["--store", store.store, "notify", "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b", "--once"]), /No project "0b2c7e3a/);
  });
});

describe("project specs with notify", () => {
  async function specProblems(notify: unknown, extra: Record<string, unknown> = {}): Promise<string> {
    using store = freshStore();
    const result = await cli(["--store", store.store, "project", "create", writeNotifySpec(store.dir, notify as NotifySettings, extra)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    return result.stderr;
  }
  const at = 'workflow.stages[1] ("Pre-label").notify';

  test("each broken rule is named with its path and what is accepted", async () => {
    const stderr = await specProblems({ url: "ftp://example.com/x", batchSize: 0, maxWaitSeconds: -1 });
    expect(stderr).toContain(`${at}.url: "ftp://example.com/x" is not accepted; accepted: an http:// or https:// URL`);
    expect(stderr).toContain(`${at}: no signing secret; give "secret" (the secret itself) or "secretEnv"`);
    expect(stderr).toContain(`${at}.batchSize: 0 is not accepted; accepted: a whole number of at least 1.`);
    expect(stderr).toContain(`${at}.maxWaitSeconds: -1 is not accepted; accepted: a number of seconds, 0 or more.`);
  });

  test("both secret and secretEnv, an empty secret, a bad variable name, a fractional batch size", async () => {
    expect(await specProblems({ url: "http://127.0.0.1/x", secret: "a", secretEnv: "B", batchSize: 1, maxWaitSeconds: 0 })).toContain(
      `${at}: both "secret" and "secretEnv"; give one of them.`,
    );
    expect(await specProblems({ url: "http://127.0.0.1/x", secret: "", batchSize: 1, maxWaitSeconds: 0 })).toContain(`${at}.secret: must not be empty.`);
    expect(await specProblems({ url: "http://127.0.0.1/x", secretEnv: "1-BAD", batchSize: 1, maxWaitSeconds: 0 })).toContain(
      `${at}.secretEnv: "1-BAD" is not an environment variable name`,
    );
    expect(await specProblems({ url: "http://127.0.0.1/x", secret: "a", batchSize: 2.5, maxWaitSeconds: 0 })).toContain(`${at}.batchSize: 2.5 is not accepted`);
    const withPassword = await specProblems({ url: "http://user:pa55word@127.0.0.1/x", secret: "a", batchSize: 1, maxWaitSeconds: 0 });
    expect(withPassword).toContain(`${at}.url: holds a user name or password; accepted: a URL without them`);
    expect(withPassword).not.toContain("pa55word");
  });

  test("missing and unknown keys, wrong types; a secret of the wrong type is not printed", async () => {
    const stderr = await specProblems({ secret: 987654321, batchSize: "10", maxWait: 5 });
    expect(stderr).toContain(`workflow.stages[1].notify: unknown key "maxWait"; accepted keys: "url", "secret", "secretEnv", "batchSize" or "maxWaitSeconds".`);
    expect(stderr).toContain("workflow.stages[1].notify.url: missing; expected a string.");
    expect(stderr).toContain('workflow.stages[1].notify.batchSize: expected a number, got string "10".');
    expect(stderr).toContain("workflow.stages[1].notify.secret: expected a string (quote it in YAML); its value is not shown, since it is a secret.");
    expect(stderr).not.toContain("987654321");
  });

  test("notify on a stage that is not an AGENT stage", async () => {
    const stderr = await specProblems(undefined, { notify: { url: "http://127.0.0.1/x", secret: "a", batchSize: 1, maxWaitSeconds: 0 } });
    expect(stderr).toContain('workflow.stages[2] ("Annotate").notify: not accepted on an ANNOTATION stage; only AGENT stages send notifications.');
  });
});

test("notify --every repeats the cycle with a fresh uid each time until Ctrl-C, then exits 0", async () => {
  using store = freshStore();
  await using receiver = await startReceiver();
  const { hash } = await notifiedProject(store, { url: receiver.url, secret, batchSize: 1, maxWaitSeconds: 0 });
  const run = startCli(["--store", store.store, "notify", hash, "--every", "0.2"]);
  await run.waitFor("stdout", (text) => text.split("\n").filter((l) => l.startsWith("Notified")).length >= 2, 60_000);
  run.child.kill("SIGINT");
  const exit = await run.exited;
  expect(exit.code, exit.stderr).toBe(0);
  expect(exit.stderr).toMatch(/every 0\.2 s; Ctrl-C stops/);
  expect(exit.stderr).toMatch(/(\d+) notifications sent in \d+ cycles\./);
  const uids = receiver.requests.map((r) => (JSON.parse(r.rawBody.toString("utf8")) as { uid: string }).uid);
  expect(uids.length).toBeGreaterThanOrEqual(2);
  expect(new Set(uids).size).toBe(uids.length);
  for (const request of receiver.requests) expect(hasValidSignature(request, secret)).toBe(true);
}, 90_000);
