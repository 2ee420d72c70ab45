import { describe, expect, test } from "vitest";
import { agentFile } from "../support/agent-process.js";
import { launchBrowser } from "../support/browser.js";
import { startBuiltCli } from "../support/built-cli.js";
import { cli, demoProjectWithData, freshStore, jsonLines, showProject, stageCounts } from "../cli/cli-helpers.js";
import { startUiProcess } from "./support/ui-process.js";

// A real browser (Debian's chromium through playwright-core) on the dashboard the built CLI serves.
describe("dashboard pages in a browser", () => {
  test("the workflow graph shows each stage with its task count", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const project = await showProject(s.store, hash);
    const counts = await stageCounts(s.store, hash);
    const ui = await startUiProcess(["--store", s.store]);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const response = await page.goto(`${ui.url}projects/${hash}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toMatch(/script-src 'self'/);
    expect(project.stages.length).toBeGreaterThan(3);
    for (const stage of project.stages) {
      const box = page.locator(`svg#workflow g.stage[data-stage="${stage.uuid}"]`);
      await expect.poll(() => box.isVisible()).toBe(true);
      expect(await box.locator("text").first().textContent()).toBe(stage.title);
      expect(await box.locator(`[data-stage-count="${stage.uuid}"]`).textContent()).toBe(String(counts[stage.title] ?? 0));
    }
    // AGENT stages are marked, and every pathway is a labelled arrow.
    expect(await page.locator("svg#workflow g.stage.AGENT").count()).toBe(project.stages.filter((st) => st.type === "AGENT").length);
    expect(await page.locator("svg#workflow g.edge text").allTextContents()).toEqual(
      expect.arrayContaining(["annotate", "skip", "submit", "approve", "reject"]),
    );
  });

  test("counts change on the open page while a run moves tasks, without reloading it", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const project = await showProject(s.store, hash);
    const preLabel = project.stages.find((st) => st.title === "Pre-label")!;
    const annotate = project.stages.find((st) => st.title === "Annotate")!;
    const ui = await startUiProcess(["--store", s.store]);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(`${ui.url}projects/${hash}`);
    // The first event arrives when the stream opens: the page is listening from here on.
    await page.waitForFunction(() => document.documentElement.hasAttribute("data-counts-updated"));
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    const svgCount = (uuid: string) => page.locator(`svg#workflow [data-stage-count="${uuid}"]`).textContent();
    expect(await svgCount(preLabel.uuid)).toBe("4");
    expect(await svgCount(annotate.uuid)).toBe("0");

    const run = await cli(["--store", s.store, "run", agentFile("route-by-type"), "--project-hash", hash]);
    expect(run.code, run.stderr).toBe(0);
    await expect.poll(() => svgCount(preLabel.uuid), { timeout: 10_000 }).toBe("0");
    await expect.poll(() => svgCount(annotate.uuid), { timeout: 10_000 }).toBe("3");
    expect(await page.locator(`table#stages [data-stage-count="${annotate.uuid}"]`).textContent()).toBe("3");
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  });

  test("the run page lists a failure with its error, linked to its task; the stage page shows it too", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const run = await cli(["--store", s.store, "run", agentFile("fails-on-text"), "--project-hash", hash, "--num-retries", "0"]);
    expect(run.code, run.stderr).toBe(2);
    const [recorded] = jsonLines<{ id: number }>((await cli(["--store", s.store, "runs", "list", "--json"])).stdout);
    const ui = await startUiProcess(["--store", s.store, "--read-only"]);
    await using browser = await launchBrowser();
    const page = await browser.newPage();

    await page.goto(`${ui.url}runs`);
    await page.click(`table#runs tr[data-run="${recorded!.id}"] a[href="/runs/${recorded!.id}"]`);
    expect(new URL(page.url()).pathname).toBe(`/runs/${recorded!.id}`);
    const failure = page.locator("table#run-failures tbody tr");
    expect(await failure.count()).toBe(1);
    expect(await failure.locator("a").textContent()).toBe("caption.txt");
    expect(await failure.locator(".error").textContent()).toBe("Error: cannot pre-label text item caption.txt");
    const taskHref = await failure.locator("a").getAttribute("href");
    expect(taskHref).toMatch(new RegExp(`^/projects/${hash}/tasks/[0-9a-f-]{36}$`));

    const project = await showProject(s.store, hash);
    const preLabel = project.stages.find((st) => st.title === "Pre-label")!;
    await page.goto(`${ui.url}projects/${hash}/stages/${preLabel.uuid}`);
    expect(await page.locator("#failures .error").first().textContent()).toBe("Error: cannot pre-label text item caption.txt");
    expect(await page.locator("table#tasks tbody tr").allTextContents()).toEqual([expect.stringContaining("caption.txt")]);
  });

  test("the project list links each project and its last run; unknown pages are 404 pages", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const ui = await startUiProcess(["--store", s.store]);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(ui.url);
    expect(new URL(page.url()).pathname).toBe("/projects");
    const row = page.locator(`table#projects tr[data-project="${hash}"]`);
    expect(await row.locator("td").allTextContents()).toEqual(["Demo", hash, "4", "0", "4", "0", "0", "0", "none recorded"]);
    for (const path of [
      `projects/${hash}/stages/00000000-0000-4000-8000-000000000000`,
      "projects/00000000-0000-4000-8000-000000000000",
      "runs/7",
      "no/such/page",
    ]) {
      const response = await page.goto(`${ui.url}${path}`);
      expect(response?.status(), path).toBe(404);
      expect(await page.locator("h1").textContent()).toBe("Not found");
      expect(await page.content()).not.toMatch(/at .*\.js:\d+/);
    }
  });
});

describe("dashboard security and bad input (HTTP and the spawned CLI)", () => {
  test("a non-loopback bind without a token refuses to start, saying what is accepted", async () => {
    using s = freshStore();
    await demoProjectWithData(s.store);
    const refused = await startBuiltCli(["ui", "--store", s.store, "--host", "0.0.0.0", "--port", "0"], { TASK_AGENTS_UI_TOKEN: "" }).exited;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--host 0\.0\.0\.0 .* needs an access token: --token <secret> or TASK_AGENTS_UI_TOKEN/);
    expect(refused.stderr).toMatch(/accepted addresses are 127\.0\.0\.1/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(refused.stdout).toBe("");
  });

  test("a store that does not exist, a short token and a missing agent file are errors at start", async () => {
    using s = freshStore();
    const missing = await startBuiltCli(["ui", "--store", `${s.dir}/nope.db`, "--port", "0"]).exited;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no task-agents store at .*nope\.db/);
    await demoProjectWithData(s.store);
    const short = await startBuiltCli(["ui", "--store", s.store, "--port", "0", "--token", "abc"]).exited;
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/has 3 characters; use at least 16/);
    expect(short.stderr).not.toMatch(/abc/);
    const agent = await startBuiltCli(["ui", "--store", s.store, "--port", "0", "--agent", `${s.dir}/agent.ts`]).exited;
    expect(agent.code).toBe(1);
    expect(agent.stderr).toMatch(/--agent .*agent\.ts" is not a file/);
  });

  test("with a token every request must carry it: a ?token= link sets the cookie; the token is never printed", async () => {
    using s = freshStore();
    await demoProjectWithData(s.store);
    const token = "t0ken-for-the-dashboard-test";
    const ui = await startUiProcess(["--store", s.store], { TASK_AGENTS_UI_TOKEN: token });
    expect((await fetch(`${ui.url}projects`)).status).toBe(401);
    expect((await fetch(`${ui.url}projects?token=wrong-token-wrong-token`)).status).toBe(401);
    expect((await fetch(`${ui.url}projects`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const response = await page.goto(`${ui.url}projects?token=${token}`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${ui.url}projects`);
    // The cookie carries it from here on.
    expect((await page.goto(`${ui.url}runs`))?.status()).toBe(200);
    ui.run.child.kill("SIGTERM");
    const ended = await ui.run.exited;
    expect(ended.stdout + ended.stderr).not.toContain(token);
  });

  test("without a token, requests for another host name and cross-origin actions are refused", async () => {
    using s = freshStore();
    await demoProjectWithData(s.store);
    const ui = await startUiProcess(["--store", s.store]);
    const { request } = await import("node:http");
    const status = (headers: Record<string, string>, method = "GET") =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${ui.url}projects`, { method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    expect(await status({})).toBe(200);
    expect(await status({ host: "attacker.example" })).toBe(403);
    expect(await status({ origin: "http://attacker.example" }, "POST")).toBe(403);
    expect(await status({}, "POST")).toBe(403);
  });
});
