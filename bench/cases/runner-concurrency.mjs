// A handler awaiting 20 ms, on a local store: concurrency 32 over 3,200 tasks against
// concurrency 1 over 100 tasks (a rate needs no more), same run. ratio = the speed-up.
import { interleaved, median } from "../lib/common.mjs";
import { rateText, runRunner } from "../lib/runner-runs.mjs";
import { demoStore } from "../lib/stores.mjs";

export const name = "runner-concurrency";
export const unit = "tasks/s";
export const target = { kind: "min", value: 25, of: "ratio", text: "speed-up ≥ 25× (ideal 32×)" };

const sleepy = () => new Promise((resolve) => setTimeout(() => resolve("annotate"), 20));

export async function run({ smoke }) {
  const tasks = smoke ? 64 : 3200;
  const store = await demoStore(tasks);
  const samples = await interleaved(smoke ? 1 : 3, {
    sequential: () => runRunner(store, (r) => r.stage("Pre-label", sleepy), { maxTasksPerStage: smoke ? 10 : 100, concurrency: 1 }),
    concurrent: () => runRunner(store, (r) => r.stage("Pre-label", sleepy), { concurrency: 32, taskBatchSize: 320 }),
  });
  const value = median(samples.concurrent.map((s) => s.rate));
  const baselineValue = median(samples.sequential.map((s) => s.rate));
  return {
    value,
    baseline: `the same handler at concurrency 1 (${samples.sequential[0].seen} tasks)`,
    baselineValue,
    ratio: value / baselineValue,
    details: { "concurrency 32 runs": samples.concurrent.map(rateText).join("; "), "concurrency 1 runs": samples.sequential.map(rateText).join("; ") },
  };
}
