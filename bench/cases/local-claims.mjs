// Several `task-agents run` processes on one stage of a local store share its tasks through
// claims. Four processes against one, on a copy of the same 20,000-task stage, with a handler
// that awaits 20 ms at concurrency 8 per process and batches of 100: tasks per second from the
// first process's run-started event to the last one's run-finished (the runs' own time, without
// Node start-up, which on a loaded 2-core machine takes seconds and is no part of handling;
// spawn-to-exit times are in the details), same run. ratio = four processes' rate / one
// process's. Also checks that every task left the stage exactly once (the store's history) and
// no process had a move refused.
import { spawn } from "node:child_process";
import { localBackend } from "../../dist/index.js";
import { int, repoPath } from "../lib/common.mjs";
import { copyOf, demoStore, discard } from "../lib/stores.mjs";

export const name = "local-claims";
export const unit = "tasks/s";
export const target = { kind: "min", value: 3.5, of: "ratio", text: "4 processes ≥ 3.5× one (ideal 4×)" };

const cli = repoPath("dist/cli/main.js");
const agent = repoPath("bench/lib/agents/claims-agent.mjs");
const concurrency = 8;
const batchSize = 100;

/** Runs one `task-agents run` to its end; resolves to its run report. */
function runProcess(store, hash) {
  const args = [
    cli,
    "run",
    agent,
    "--project-hash",
    hash,
    "--store",
    store,
    "--json",
    "--log-level",
    "warn",
    "--concurrency",
    String(concurrency),
    "--task-batch-size",
    String(batchSize),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const finished = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line))
        .find((event) => event.event === "run-finished");
      if (code !== 0 || finished === undefined) reject(new Error(`task-agents run exited ${code}:\n${stderr.slice(-2000)}`));
      else {
        const started = stdout
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line))
          .find((event) => event.event === "run-started");
        resolve({ report: finished.report, stderr, startedAt: Date.parse(started.time), finishedAt: Date.parse(finished.time) });
      }
    });
  });
}

/** How many tasks left "Pre-label" once, and how many more than once, by the store's history. */
function movesOut(store, hash) {
  const backend = localBackend({ storePath: store });
  try {
    const counts = new Map();
    for (const page of backend.history(hash)) {
      for (const move of page) if (move.fromStage === "Pre-label") counts.set(move.taskUuid, (counts.get(move.taskUuid) ?? 0) + 1);
    }
    const twice = [...counts.values()].filter((n) => n > 1).length;
    return { once: counts.size - twice, twice };
  } finally {
    backend.close();
  }
}

/** `processes` runs at once on a fresh copy of the stage. */
async function measure(template, hash, tasks, processes) {
  const store = copyOf(template);
  try {
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: processes }, () => runProcess(store, hash)));
    const wallMs = performance.now() - started;
    const ms = Math.max(...runs.map((r) => r.finishedAt)) - Math.min(...runs.map((r) => r.startedAt));
    const stages = runs.map((r) => r.report.stages[0]);
    const moves = movesOut(store, hash);
    return {
      ms,
      wallMs,
      rate: (tasks * 1000) / ms,
      seen: stages.map((s) => s.seen),
      refused: stages.reduce((n, s) => n + s.refused, 0),
      failed: stages.reduce((n, s) => n + s.failed, 0),
      refusalLines: runs.filter((r) => /refused/.test(r.stderr)).length,
      ...moves,
    };
  } finally {
    discard(store);
  }
}

export async function run({ smoke }) {
  const tasks = smoke ? 800 : 20_000;
  const { template, hash } = await demoStore(tasks);
  const one = await measure(template, hash, tasks, 1);
  const four = await measure(template, hash, tasks, 4);
  const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
  return {
    value: four.rate,
    baseline: `one process on the same ${int(tasks)} tasks (${secs(one.ms)})`,
    baselineValue: one.rate,
    ratio: four.rate / one.rate,
    details: {
      tasks,
      handler: "awaits 20 ms",
      "concurrency per process": concurrency,
      "batch size": batchSize,
      "4 processes: first run-started to last run-finished": secs(four.ms),
      "4 processes: spawn to last exit": secs(four.wallMs),
      "4 processes: tasks each": four.seen.map(int).join(" / "),
      "1 process: run-started to run-finished": secs(one.ms),
      "1 process: spawn to exit": secs(one.wallMs),
      "ratio spawn to exit": `${(one.wallMs / four.wallMs).toFixed(2)}×`,
    },
    checks: [
      { text: "4 processes: every task left the stage exactly once", met: four.once === tasks && four.twice === 0 },
      { text: "4 processes: handled each task once (seen adds up), none failed", met: four.seen.reduce((a, b) => a + b, 0) === tasks && four.failed === 0 },
      { text: "4 processes: no move refused, no 'refused' warning", met: four.refused === 0 && four.refusalLines === 0 },
      { text: "1 process: every task left the stage exactly once", met: one.once === tasks && one.twice === 0 },
    ],
  };
}
