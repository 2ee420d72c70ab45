// Encord backend, 1,000 tasks, as encord-labels with 20 ms of latency on every request and a
// handler awaiting 20 ms: concurrency 16 against concurrency 1, same run. ratio = the speed-up.
import { int, median } from "../lib/common.mjs";
import { fakeEncord, runOnFake, total, withLabels } from "../lib/encord.mjs";

export const name = "encord-concurrency";
export const unit = "tasks/s";
export const target = { kind: "min", value: 3, of: "ratio", text: "speed-up ≥ 3× (handler alone allows 16×)" };

const latencyMs = 20;
const highConcurrency = 16;
// The sequential run takes ≥ tasks × 40 ms, so it runs fewer times than the concurrent one.
const SEQUENTIAL_REPEATS = 2;
const CONCURRENT_REPEATS = 3;

export async function run({ smoke }) {
  const tasks = smoke ? 30 : 1000;
  const fake = await fakeEncord();
  const runs = { sequential: [], concurrent: [] };
  fake.faults.set({ rate: 1, kinds: ["slow"], slowMs: latencyMs });
  try {
    for (let i = 0; i < (smoke ? 1 : SEQUENTIAL_REPEATS); i++)
      runs.sequential.push(await runOnFake(withLabels(latencyMs), { tasks, concurrency: 1, checkLabels: true }));
    for (let i = 0; i < (smoke ? 1 : CONCURRENT_REPEATS); i++)
      runs.concurrent.push(await runOnFake(withLabels(latencyMs), { tasks, concurrency: highConcurrency, checkLabels: true }));
  } finally {
    fake.faults.clear();
  }
  const rate = (list) => median(list.map((r) => (tasks * 1000) / r.ms));
  const value = rate(runs.concurrent);
  const baselineValue = rate(runs.sequential);
  const times = (list) => list.map((r) => `${(r.ms / 1000).toFixed(2)} s`).join(", ");
  return {
    value,
    baseline: `the same agent at concurrency 1, ${int(tasks)} tasks`,
    baselineValue,
    ratio: value / baselineValue,
    details: {
      [`concurrency ${highConcurrency} run times`]: times(runs.concurrent),
      "concurrency 1 run times": times(runs.sequential),
      "requests per run": total(runs.concurrent[0].counts),
    },
  };
}
