// Screenshots of the dashboard for the README (`npm run screenshots`, which builds first): makes
// the example project in a temporary store, runs the example agent on it, approves one reviewed
// task, starts `task-agents ui` on the store and photographs its pages with Debian's Chromium
// into docs/screenshots/. Needs /usr/bin/chromium (`.ci/run` installs it) and playwright-core.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { pino } from "pino";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = join(root, "docs", "screenshots");
const cli = join(root, "dist", "cli", "main.js");
const work = mkdtempSync(join(tmpdir(), "task-agents-screenshots-"));
const store = join(work, "store.db");

/** Runs the built CLI on the temporary store and returns its stdout. */
function taskAgents(...args) {
  return execFileSync(process.execPath, [cli, ...args, "--store", store], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

const { startUi } = await import(join(root, "dist", "ui", "start-ui.js"));
const { localBackend } = await import(join(root, "dist", "index.js"));

let ui;
let browser;
try {
  const projectHash = taskAgents("project", "create", "examples/demo-project.yaml");
  taskAgents("data", "add", projectHash, "--manifest", "examples/demo-manifest.jsonl");
  taskAgents("run", "examples/agents/prelabel.ts", "--project-hash", projectHash);
  // People at work: every annotated task submitted, one review approved.
  taskAgents("tasks", "proceed", projectHash, "--stage", "Annotate", "--pathway", "submit", "--all", "--actor", "ana");

  const backend = localBackend({ storePath: store });
  const project = await backend.getProject(projectHash);
  const review = project.stages.find((s) => s.title === "Review");
  const reviewTasks = (await backend.listStageTasks(projectHash, review.uuid)).tasks;
  await backend.close();
  taskAgents("tasks", "proceed", projectHash, "--stage", "Review", "--pathway", "approve", "--task", reviewTasks[0].uuid, "--actor", "rui");

  ui = await startUi({ storePath: store, host: "127.0.0.1", port: 0, logger: pino({ level: "silent" }) });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  mkdirSync(outDir, { recursive: true });

  const shots = [
    ["projects.png", "/projects"],
    ["project.png", `/projects/${projectHash}`],
    ["stage.png", `/projects/${projectHash}/stages/${review.uuid}`],
    ["task.png", `/projects/${projectHash}/tasks/${reviewTasks[1].uuid}`],
    ["runs.png", "/runs"],
  ];
  for (const [file, path] of shots) {
    await page.goto(new URL(path, ui.url).href, { waitUntil: "networkidle" });
    await page.screenshot({ path: join(outDir, file), fullPage: false });
    process.stdout.write(`docs/screenshots/${file}  ${path}\n`);
  }
} finally {
  await browser?.close();
  await ui?.close();
  rmSync(work, { recursive: true, force: true });
}
