// Peak RSS of a Runner pass over a 100,000-task stage of a local store (no-op handler returning
// a pathway, default batch size), in a child process (bench/lib/memory-child.mjs) so this
// process's memory does not count. The baseline is the child's RSS just before the pass (loaded,
// backend open); ratio = peak / baseline. The details give the RSS after 10,000 and after
// 100,000 tasks to show it stays flat. MB = 10^6 bytes.
import { spawnSync } from "node:child_process";
import { int, median, repoPath } from "../lib/common.mjs";
import { copyOf, demoStore, discard } from "../lib/stores.mjs";

export const name = "runner-memory";
export const unit = "MB";
export const target = { kind: "max", value: 200, of: "value", text: "peak RSS < 200 MB" };

function child(store, checkpoint) {
  const storePath = copyOf(store.template);
  const result = spawnSync(process.execPath, ["--expose-gc", repoPath("bench/lib/memory-child.mjs"), storePath, store.hash, String(checkpoint)], {
    encoding: "utf8",
  });
  discard(storePath);
  if (result.status !== 0) throw new Error(`memory child exited ${result.status}:\n${result.stderr}`);
  const report = JSON.parse(result.stdout.trim().split("\n").at(-1));
  if (report.failed > 0) throw new Error(`${report.failed} tasks failed`);
  return report;
}

export async function run({ smoke }) {
  const tasks = smoke ? 1000 : 100_000;
  const checkpoint = tasks / 10;
  const store = await demoStore(tasks);
  const runs = [];
  for (let i = 0; i < (smoke ? 1 : 3); i++) {
    const report = child(store, checkpoint);
    if (report.seen !== tasks) throw new Error(`the pass saw ${report.seen} tasks, expected ${tasks}`);
    runs.push(report);
  }
  const m = (k) => +median(runs.map((r) => r[k])).toFixed(1);
  const peak = median(runs.map((r) => r.peakMb));
  const before = median(runs.map((r) => r.beforeMb));
  return {
    value: peak,
    baseline: "the same child's RSS before the pass",
    baselineValue: before,
    ratio: peak / before,
    details: {
      [`RSS after ${int(checkpoint)} tasks (MB)`]: m("atCheckpointMb"),
      [`RSS after ${int(tasks)} tasks (MB)`]: m("afterMb"),
      [`JS heap before / after ${int(checkpoint)} / after ${int(tasks)} tasks (MB)`]: `${m("heapBeforeMb")} / ${m("heapAtCheckpointMb")} / ${m("heapAfterMb")}`,
      "JS heap after the pass and a full GC (MB)": m("heapAfterGcMb"),
      "peak RSS per run (MB)": runs.map((r) => r.peakMb.toFixed(1)).join(", "),
    },
  };
}
