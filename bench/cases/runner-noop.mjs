// A no-op agent returning a pathway, one Runner pass over 50,000 tasks of a local store (batch
// 300), against the hand-written better-sqlite3 loop doing the same moves, in the same run.
// ratio = Runner rate / hand-loop rate.
import { int, interleaved, median } from "../lib/common.mjs";
import { handLoop, rateText, runRunner } from "../lib/runner-runs.mjs";
import { demoStore } from "../lib/stores.mjs";

export const name = "runner-noop";
export const unit = "tasks/s";
export const target = [
  { kind: "min", value: 0.25, of: "ratio", text: "≥ 0.25× hand loop" },
  { kind: "min", value: 20_000, of: "value", text: "≥ 20,000 tasks/s" },
];

export async function run({ smoke }) {
  const tasks = smoke ? 300 : 50_000;
  const store = await demoStore(tasks);
  const samples = await interleaved(smoke ? 1 : 3, {
    runner: () => runRunner(store, (r) => r.stage("Pre-label", () => "annotate"), { taskBatchSize: 300 }),
    hand: () => handLoop(store, { batchSize: 300, withLabels: false }),
  });
  for (const s of [...samples.runner, ...samples.hand]) if (s.seen !== tasks) throw new Error(`${s.seen} tasks handled, expected ${tasks}`);
  const value = median(samples.runner.map((s) => s.rate));
  const baselineValue = median(samples.hand.map((s) => s.rate));
  return {
    value,
    baseline: `hand-written better-sqlite3 loop, ${int(tasks)} tasks, batch 300`,
    baselineValue,
    ratio: value / baselineValue,
    details: { "Runner runs": samples.runner.map(rateText).join("; "), "hand-loop runs": samples.hand.map(rateText).join("; ") },
  };
}
