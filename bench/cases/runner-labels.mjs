// A label-row agent (sets a priority, saves the row, returns a pathway), one Runner pass over
// 20,000 tasks of a local store (batch 300), against the hand-written better-sqlite3 loop doing
// the same reads and writes, in the same run. ratio = Runner rate / hand-loop rate.
import { labelRow } from "../../dist/index.js";
import { runnerVersusHandLoop } from "../lib/runner-runs.mjs";

export const name = "runner-labels";
export const unit = "tasks/s";
export const target = null; // no stated target

const agent = (r) =>
  r.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
    labelRow.setPriority(0.7);
    return { pathway: "annotate", labelRow };
  });

export function run({ smoke }) {
  return runnerVersusHandLoop({ smoke, tasks: 20_000, register: agent, withLabels: true });
}
