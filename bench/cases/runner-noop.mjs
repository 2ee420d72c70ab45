// A no-op agent returning a pathway, one Runner pass over 50,000 tasks of a local store (batch
// 300), against the hand-written better-sqlite3 loop doing the same moves, in the same run.
// ratio = Runner rate / hand-loop rate.
import { runnerVersusHandLoop } from "../lib/runner-runs.mjs";

export const name = "runner-noop";
export const unit = "tasks/s";
export const target = [
  { kind: "min", value: 0.25, of: "ratio", text: "≥ 0.25× hand loop" },
  { kind: "min", value: 20_000, of: "value", text: "≥ 20,000 tasks/s" },
];

export function run({ smoke }) {
  return runnerVersusHandLoop({ smoke, tasks: 50_000, register: (r) => r.stage("Pre-label", () => "annotate"), withLabels: false });
}
