import { createServer } from "node:net";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { agentFile } from "../support/agent-process.js";
import { startBuiltCli } from "../support/built-cli.js";
import { paths } from "../support/paths.js";
import { cli, freshStore, stageCounts } from "./cli-helpers.js";

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("notify → serve on the local store, end to end", () => {
  test("the notifications `notify` signs are accepted by `serve`, which moves the stage's tasks", async () => {
    using s = freshStore();
    const port = await freePort();
    const secret = "end-to-end-secret";
    const spec = parse(readFileSync(paths.demoSpec, "utf8")) as { workflow: { stages: Record<string, unknown>[] } };
    const prelabel = spec.workflow.stages.find((st) => st.title === "Pre-label")!;
    prelabel.notify = { url: `http://127.0.0.1:${port}/hooks/encord`, secretEnv: "ENCORD_WEBHOOK_SECRET", batchSize: 2, maxWaitSeconds: 600 };
    const specPath = join(s.dir, "notified.yaml");
    writeFileSync(specPath, stringify(spec));
    const created = await cli(["--store", s.store, "project", "create", specPath]);
    expect(created.code, created.stderr).toBe(0);
    const hash = created.stdout.trim();
    expect((await cli(["--store", s.store, "data", "add", hash, paths.demoData])).code).toBe(0);

    const env = { ENCORD_WEBHOOK_SECRET: secret };
    const serve = startBuiltCli(
      ["--store", s.store, "serve", agentFile("route-by-type"), "--project-hash", hash, "--port", String(port), "--path", "/hooks/encord"],
      env,
    );
    await serve.waitFor("stdout", /listening on /);

    const notify = await cli(["--store", s.store, "notify", hash, "--once"], env);
    expect(notify.code, notify.stderr + notify.stdout).toBe(0);
    await expect.poll(async () => (await stageCounts(s.store, hash))["Pre-label"] ?? 0, { timeout: 20_000 }).toBe(0);

    // The stage is empty now: the next cycle sends nothing.
    const again = await cli(["--store", s.store, "notify", hash, "--once"], env);
    expect(again.code).toBe(0);

    // A wrong secret on the sending side is refused by the receiver, and notify says so (exit 1).
    const manifest = join(s.dir, "more.jsonl");
    writeFileSync(manifest, ["a", "b"].map((n) => JSON.stringify({ url: `https://example.com/${n}.png` })).join("\n") + "\n");
    expect((await cli(["--store", s.store, "data", "add", hash, "--manifest", manifest])).code).toBe(0);
    const forged = await cli(["--store", s.store, "notify", hash, "--once"], { ENCORD_WEBHOOK_SECRET: "not-the-secret" });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain("401");
    expect((await stageCounts(s.store, hash))["Pre-label"]).toBe(2);
    serve.child.kill("SIGTERM");
    expect((await serve.exited).code).toBe(0);
  });
});
