// The agent of the watch-latency case: moves each task of "Pre-label" on and writes
// "handled <data title> <epoch ms>" to stderr the moment its handler runs, so the bench can
// measure from a task's arrival to its pick-up on one clock.
import { Runner } from "../../../dist/index.js";

const runner = new Runner();
runner.stage("Pre-label", ({ task }) => {
  process.stderr.write(`handled ${task.dataTitle} ${Date.now()}\n`);
  return "annotate";
});

export default runner;
