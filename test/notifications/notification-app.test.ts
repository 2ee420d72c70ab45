import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { Runner, type RunReport } from "../../src/index.js";
import { createNotificationApp, type NotificationEvent, type NotificationPassEvent } from "../../src/notifications/index.js";
import { runnerStore, twoAgentSpec, type RunnerStore } from "../support/runner-fixture.js";
import { notificationBody, signedHeaders } from "./notification-fixture.js";

const secret = "receiver-secret";
let server: ServerType | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** The app on a real loopback port; returns its URL. */
async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<string> {
  return new Promise((resolve) => {
    server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}/`));
  });
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function receiver(store: RunnerStore, runner: Runner) {
  const events: NotificationEvent[] = [];
  const passes: NotificationPassEvent[] = [];
  const app = createNotificationApp(runner, { secret, onNotification: (e) => events.push(e), onPass: (e) => passes.push(e) });
  const notify = (url: string, stageTitle: string, extra: Parameters<typeof notificationBody>[0] extends infer F ? Partial<F> : never = {}) => {
    const body = notificationBody({ projectHash: store.projectHash, stageUuid: store.stage(stageTitle).uuid, ...extra });
    return post(url, body, signedHeaders(body, secret));
  };
  return { app, events, passes, notify };
}

describe("createNotificationApp over HTTP", () => {
  test("a genuine notification is answered 202 at once, then one pass moves the stage's tasks", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 5 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("First", () => "finish");
    const { app, passes, notify, events } = receiver(store, runner);
    const url = await listen(app);
    const answer = await notify(url, "First");
    expect(answer).toMatchObject({ status: 202, json: { status: "accepted", stage: store.stage("First").uuid } });
    await runner.stagePassesIdle();
    expect(passes).toHaveLength(1);
    expect(passes[0]!.report!.stages[0]).toMatchObject({ title: "First", seen: 5, moved: { finish: 5 } });
    expect(await store.tasksIn("Done")).toHaveLength(5);
    expect(events.map((e) => e.outcome)).toEqual(["accepted"]);
  });

  test(
    "refusals: wrong secret, tampered body, stale, future, missing headers, " + "newer scheme (401); other event (200); version 2 (501); too large (413)",
    async () => {
      await using store = await runnerStore({ spec: twoAgentSpec, items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("First", () => "finish");
      const { app, events, passes } = receiver(store, runner);
      const url = await listen(app);
      const body = notificationBody({ projectHash: store.projectHash, stageUuid: store.stage("First").uuid });
      const now = Date.now() / 1000;
      const cases: [string, string, Record<string, string>, number][] = [
        ["wrong secret", body, signedHeaders(body, "not-the-secret"), 401],
        ["tampered body", body.replace("batch_size_reached", "max_wait_elapsed"), signedHeaders(body, secret), 401],
        ["stale", body, signedHeaders(body, secret, now - 400), 401],
        ["future", body, signedHeaders(body, secret, now + 400), 401],
        ["no headers", body, {}, 401],
        ["newer scheme", body, { "X-Encord-Timestamp": String(Math.floor(now)), "X-Encord-Signature-V2": "00" }, 401],
      ];
      for (const [name, sent, headers, status] of cases) {
        const answer = await post(url, sent, headers);
        expect(answer.status, name).toBe(status);
        // A request that may not be genuine is told nothing more.
        expect(answer.json, name).toEqual({ status: "refused" });
      }
      const other = notificationBody({ projectHash: store.projectHash, stageUuid: store.stage("First").uuid, eventType: "task_submitted_event" });
      expect(await post(url, other, signedHeaders(other, secret))).toMatchObject({ status: 200, json: { status: "ignored", reason: "other-event" } });
      const v2 = notificationBody({ projectHash: store.projectHash, stageUuid: store.stage("First").uuid, version: 2 });
      expect(await post(url, v2, signedHeaders(v2, secret))).toMatchObject({ status: 501, json: { reason: "unsupported-version" } });
      const huge = notificationBody({ projectHash: store.projectHash, stageUuid: store.stage("First").uuid, extra: { padding: "x".repeat(1024 * 1024) } });
      expect(await post(url, huge, signedHeaders(huge, secret))).toMatchObject({ status: 413 });
      await runner.stagePassesIdle();
      expect(passes).toHaveLength(0);
      expect(await store.tasksIn("First")).toHaveLength(2);
      expect(events.map((e) => e.status)).toEqual([401, 401, 401, 401, 401, 401, 200, 501, 413]);
    },
  );

  test("a stage without a handler, or another project, is acknowledged and nothing runs", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 2 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("First", () => "next");
    const { app, passes, notify } = receiver(store, runner);
    const url = await listen(app);
    expect(await notify(url, "Second")).toMatchObject({ status: 200, json: { status: "ignored", reason: "no-handler" } });
    expect(await notify(url, "First", { projectHash: "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b" })).toMatchObject({
      status: 200,
      json: { reason: "other-project" },
    });
    const unknownStage = notificationBody({ projectHash: store.projectHash, stageUuid: "11111111-2222-4333-8444-555555555555" });
    expect(await post(url, unknownStage, signedHeaders(unknownStage, secret))).toMatchObject({ status: 200, json: { reason: "no-handler" } });
    await runner.stagePassesIdle();
    expect(passes).toHaveLength(0);
    expect(await store.tasksIn("First")).toHaveLength(2);
  });

  test("a burst of 50 notifications for one stage costs at most 2 passes and moves every task once", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 40 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.counting });
    const handled = new Map<string, number>();
    runner.stage("First", async ({ task }) => {
      handled.set(task.uuid, (handled.get(task.uuid) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
      return "finish";
    });
    const { app, passes, notify } = receiver(store, runner);
    const url = await listen(app);
    const answers = await Promise.all(Array.from({ length: 50 }, () => notify(url, "First")));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await runner.stagePassesIdle();
    expect(passes.length).toBeGreaterThanOrEqual(1);
    expect(passes.length).toBeLessThanOrEqual(2);
    const moved = passes.reduce((sum, p) => sum + ((p.report as RunReport).stages[0]!.moved.finish ?? 0), 0);
    expect(moved).toBe(40);
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
    expect(handled.size).toBe(40);
    expect(await store.tasksIn("Done")).toHaveLength(40);
  });

  test("no secret configured: the app refuses to be made, naming ENCORD_WEBHOOK_SECRET", () => {
    const saved = process.env.ENCORD_WEBHOOK_SECRET;
    delete process.env.ENCORD_WEBHOOK_SECRET;
    try {
      expect(() => createNotificationApp(new Runner())).toThrow(/ENCORD_WEBHOOK_SECRET/);
    } finally {
      if (saved !== undefined) process.env.ENCORD_WEBHOOK_SECRET = saved;
    }
  });
});
