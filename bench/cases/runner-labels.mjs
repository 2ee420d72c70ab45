// A label-row agent (sets a priority, saves the row, returns a pathway), one Runner pass over
// 20,000 tasks of a local store (batch 300), against the hand-written better-sqlite3 loop doing
// the same reads and writes, in the same run. ratio = Runner rate / hand-loop rate.
import { labelRow } from "../../dist/index.js";
import { int, interleaved, median } from "../lib/common.mjs";
import { handLoop, rateText, runRunner } from "../lib/runner-runs.mjs";
import { demoStore } from "../lib/stores.mjs";

export const name = "runner-labels";
export const unit = "tasks/s";
export const target = null; // no stated target

const agent = (r) =>
  r.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
    labelRow.setPriority(0.7);
    return { pathway: "annotate", labelRow };
  });

export async function run({ smoke }) {
  const tasks = smoke ? 300 : 20_000;
  const store = await demoStore(tasks);
  const samples = await interleaved(smoke ? 1 : 3, {
    runner: () => runRunner(store, agent, { taskBatchSize: 300 }),
    hand: () => handLoop(store, { batchSize: 300, withLabels: true }),
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
