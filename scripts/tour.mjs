// A tour of the task-agents CLI on a throw-away store: create the demo project, add data, look at
// it, act as the agent and the people in its stages, and export the labels. Run: npm run tour
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "task-agents-tour-"));
const store = join(dir, "store.db");

function run(args, { quiet = false } = {}) {
  process.stdout.write(`\n$ task-agents ${args.join(" ")}\n`);
  const result = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), "--store", store, ...args], { cwd: root, encoding: "utf8" });
  if (!quiet) process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.status !== 0) {
    process.stderr.write(`tour: step failed with exit code ${result.status}\n`);
    process.exit(1);
  }
  return result.stdout.trim();
}

try {
  const hash = run(["project", "create", "examples/demo-project.yaml"]);
  run(["data", "add", hash, "--manifest", "examples/demo-manifest.jsonl"]);
  run(["project", "show", hash]);
  run(["print", "agent-nodes", hash]);
  run(["tasks", "list", hash, "--stage", "Pre-label"]);
  run(["run", "examples/agents/prelabel.ts", "--project-hash", hash, "--concurrency", "4"]);
  run(["tasks", "proceed", hash, "--stage", "Annotate", "--pathway", "submit", "--all", "--actor", "annotator@example.com"]);
  run(["tasks", "proceed", hash, "--stage", "Review", "--pathway", "approve", "--all", "--actor", "reviewer@example.com"]);
  run(["project", "show", hash]);
  run(["tasks", "list", hash, "--stage", "Complete"]);
  run(["labels", "export", hash, "--out", join(dir, "labels.json")]);
  process.stdout.write(`\nTour finished: the agent skipped the thumbnails to Complete; the rest went through Annotate and Review to Complete.\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
