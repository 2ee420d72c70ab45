// The agent of the encord-vs-python case, the same as the Python peer's
// (shared tools: encord_agents_runner.py): even-numbered data titles go to "complete", odd to
// "review"; the label row is returned with priority 0.25, so the runner saves the row, sets the
// priority and moves the task.
import { labelRow, Runner } from "../../../dist/index.js";

const runner = new Runner();
runner.stage("Agent 1", { deps: { labelRow } }, ({ task, labelRow }) => {
  const numbers = task.dataTitle.match(/\d+/g) ?? [];
  const n = Number(numbers.at(-1));
  return { pathway: n % 2 === 0 ? "complete" : "review", labelRow, labelRowPriority: 0.25 };
});

export default runner;
