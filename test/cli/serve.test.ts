import { createServer } from "node:net";
import { describe, expect, test } from "vitest";
import { signEncordNotification } from "../../src/index.js";
import { agentFile } from "../support/agent-process.js";
import { startBuiltCli } from "../support/built-cli.js";
import { cli, demoProjectWithData, freshStore, showProject, stageCounts } from "./cli-helpers.js";

const secret = "serve-test-secret";

function notification(projectHash: string, stageUuid: string): string {
  return JSON.stringify({
    uid: crypto.randomUUID(),
    version: 1,
    source: "test",
    event_type: "agent_stage_work_available_event",
    event_created_timestamp: new Date().toISOString(),
    payload: { project_hash: projectHash, stage_uuid: stageUuid, pending_count: 4, reason: "batch_size_reached" },
  });
}

async function post(url: string, body: string, key = secret): Promise<Response> {
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: "POST",
    body,
    headers: { "X-Encord-Timestamp": String(timestamp), "X-Encord-Signature": signEncordNotification(body, key, timestamp) },
  });
}

async function startServe(store: string, hash: string, agent: string) {
  const run = startBuiltCli(["--store", store, "serve", agentFile(agent), "--project-hash", hash, "--port", "0"], { ENCORD_WEBHOOK_SECRET: secret });
  let url = "";
  await run.waitFor("stdout", (text) => {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
    if (match) url = match[1]!;
    return match !== null;
  });
  return { run, url, base: url.replace(/\/$/, "") };
}

describe("task-agents serve", () => {
  test("a signed notification runs a pass; /healthz and /metrics tell about it; SIGTERM exits 0", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const prelabel = (await showProject(s.store, hash)).stages.find((st) => st.title === "Pre-label")!;
    const { run, url, base } = await startServe(s.store, hash, "route-by-type");
    expect((await post(url, notification(hash, prelabel.uuid), "wrong")).status).toBe(401);
    const answer = await post(url, notification(hash, prelabel.uuid));
    expect(answer.status).toBe(202);
    await expect.poll(async () => (await stageCounts(s.store, hash))["Pre-label"] ?? 0, { timeout: 20_000 }).toBe(0);

    await expect
      .poll(async () => ((await (await fetch(`${base}/healthz`)).json()) as { stages: { lastPass: unknown }[] }).stages[0]!.lastPass, { timeout: 10_000 })
      .not.toBeNull();
    const health = (await (await fetch(`${base}/healthz`)).json()) as {
      status: string;
      stages: { title: string; running: boolean; lastPass: { seen: number; end: string } }[];
    };
    expect(health.status).toBe("ok");
    expect(health.stages[0]).toMatchObject({ title: "Pre-label", running: false, lastPass: { seen: 4, end: "completed" } });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/task_agents_tasks_handled_total\{stage="Pre-label"\} 4/);
    expect(metrics).toMatch(/task_agents_tasks_moved_total\{stage="Pre-label",pathway="[a-z]+"\} \d/);
    expect(metrics).toMatch(/task_agents_notifications_total\{outcome="accepted"\} 1/);
    expect(metrics).toMatch(/task_agents_notifications_total\{outcome="unauthorized"\} 1/);
    expect(metrics).toMatch(/task_agents_pass_duration_seconds_count\{stage="Pre-label",end="completed"\} 1/);
    expect(metrics).toContain("task_agents_handlers_in_flight 0");

    run.child.kill("SIGTERM");
    const exit = await run.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toContain("stopped");
  });

  test("SIGTERM in the middle of a pass: the in-flight task finishes and is committed, the rest stay, exit 0", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const prelabel = (await showProject(s.store, hash)).stages.find((st) => st.title === "Pre-label")!;
    const { run, url, base } = await startServe(s.store, hash, "slow");
    expect((await post(url, notification(hash, prelabel.uuid))).status).toBe(202);
    await run.waitFor("stderr", /handling /);
    run.child.kill("SIGTERM");
    await run.waitFor("stdout", /stopping: new notifications get 503/);
    // While stopping, a new notification is not taken (503, or refused once the server closed).
    const during = await post(url, notification(hash, prelabel.uuid)).catch(() => undefined);
    if (during !== undefined) expect(during.status).toBe(503);
    const exit = await run.exited;
    expect(exit.code, exit.stderr + exit.stdout).toBe(0);
    const counts = await stageCounts(s.store, hash);
    expect(counts.Annotate).toBe(1);
    expect(counts["Pre-label"]).toBe(3);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  test("refuses to start without a secret, on a port in use, and with --refresh-every", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const noSecret = await cli(["--store", s.store, "serve", agentFile("route-by-type"), "--project-hash", hash], { ENCORD_WEBHOOK_SECRET: "" });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain("ENCORD_WEBHOOK_SECRET");
    expect(noSecret.stderr).not.toMatch(/\n\s+at /);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const inUse = await cli(["--store", s.store, "serve", agentFile("route-by-type"), "--project-hash", hash, "--port", String(port)], {
        ENCORD_WEBHOOK_SECRET: secret,
      });
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
    } finally {
      blocker.close();
    }
    const polling = await cli(["--store", s.store, "serve", agentFile("route-by-type"), "--project-hash", hash, "--refresh-every", "5"], {
      ENCORD_WEBHOOK_SECRET: secret,
    });
    expect(polling.code).toBe(1);
    expect(polling.stderr).toContain("--refresh-every and --watch are flags of `task-agents run`");
    const badPort = await cli(["--store", s.store, "serve", agentFile("route-by-type"), "--port", "70000"], { ENCORD_WEBHOOK_SECRET: secret });
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain("--port takes at most 65535");
  });
});
