// How long `task-agents data add` of 300,000 manifest lines (URLs: nothing to probe, so the
// store writes dominate) holds the store's write lock at a stretch, and how long a writer of
// another project (a short transaction every 20 ms, as a run's commits) waits for it meanwhile.
// A probe process tries the lock about every millisecond: its longest refused span is the
// longest hold; all spans added up are what one transaction writing the whole intake would hold,
// the baseline (the lock time the intake needs in all). ratio = longest hold / total hold.
// TASK_AGENTS_BENCH_CLI=<path of another build's dist/cli/main.js> measures that build instead
// (how the figures before the intake was chunked were taken, docs/benchmarks.md).
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { demoSpec, int, median, repoPath, tempDir } from "../lib/common.mjs";
import { discard } from "../lib/stores.mjs";

export const name = "store-add-lock";
export const unit = "ms";
// A ratio, not milliseconds: on a loaded machine a process is descheduled mid-transaction, which
// stretches any hold (and the probe's view of it); one publishing transaction is 1.00×.
export const target = { kind: "max", value: 0.05, of: "ratio", text: "longest hold ≤ 5% of the intake's total lock time" };

const cli = process.env.TASK_AGENTS_BENCH_CLI ?? repoPath("dist/cli/main.js");

function createProject(store) {
  const create = spawnSync(process.execPath, [cli, "--store", store, "project", "create", demoSpec], { encoding: "utf8" });
  if (create.status !== 0) throw new Error(`project create failed:\n${create.stderr}`);
  return create.stdout.trim();
}

function urlLines(dir, count) {
  const path = join(dir, `urls-${count}.jsonl`);
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ title: `item-${i}`, url: `https://example.com/bucket/img-${i}.jpg` }));
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/** Starts a lock-watch.mjs process; resolves once it watches, with a stop() that resolves to its report. */
async function watch(mode, store, project) {
  const child = spawn(process.execPath, [repoPath("bench/lib/lock-watch.mjs"), mode, store, project ?? ""], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (text) => {
      out += text;
      if (out.includes("ready\n")) resolve();
    });
    child.on("error", reject);
  });
  const closed = new Promise((resolve) => child.on("close", resolve));
  return {
    stop: async () => {
      child.kill("SIGTERM");
      await closed;
      return JSON.parse(out.trim().split("\n").at(-1));
    },
  };
}

async function sample(manifest, count) {
  const store = join(tempDir("lock"), "store.db");
  const added = createProject(store);
  const other = createProject(store);
  const probe = await watch("probe", store);
  const writer = await watch("commit", store, other);
  const started = performance.now();
  const add = spawn(process.execPath, [cli, "--store", store, "data", "add", added, "--manifest", manifest], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  add.stderr.setEncoding("utf8").on("data", (text) => (stderr += text));
  const code = await new Promise((resolve) => add.on("close", resolve));
  const ms = performance.now() - started;
  const [lock, waits] = [await probe.stop(), await writer.stop()];
  if (code !== 0) throw new Error(`data add exited ${code}:\n${stderr}`);
  const shown = spawnSync(process.execPath, [cli, "--store", store, "--json", "project", "show", added], { encoding: "utf8" });
  const taskCount = JSON.parse(shown.stdout).taskCount;
  if (taskCount !== count) throw new Error(`data add left ${taskCount} tasks, not ${count}`);
  discard(store);
  return { ms, ...lock, ...waits };
}

export async function run({ smoke }) {
  const count = smoke ? 2000 : 300_000;
  const repeats = smoke ? 1 : Number(process.env.TASK_AGENTS_BENCH_REPEATS ?? 3);
  const manifest = urlLines(tempDir("manifest"), count);
  const samples = [];
  for (let i = 0; i < repeats; i++) samples.push(await sample(manifest, count));
  const m = (key) => median(samples.map((s) => s[key]));
  const longest = m("longestMs");
  const total = m("totalMs");
  return {
    value: longest,
    baseline: `all lock holds of the intake added up (one transaction writing it all), ${int(count)} lines`,
    baselineValue: total,
    ratio: longest / total,
    details: {
      cli: process.env.TASK_AGENTS_BENCH_CLI === undefined ? "this build" : cli,
      "data add (s)": (m("ms") / 1000).toFixed(1),
      "lock holds seen": int(m("holds")),
      "writer's longest wait (ms)": int(m("maxWaitMs")),
      "writer's median wait (ms)": m("medianWaitMs").toFixed(1),
      "writer's commits": int(m("commits")),
      "longest holds (ms)": samples.map((s) => int(s.longestMs)).join(", "),
      "writer's longest waits (ms)": samples.map((s) => int(s.maxWaitMs)).join(", "),
    },
  };
}
