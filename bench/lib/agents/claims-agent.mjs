// The agent of the local-claims case: a handler that awaits 20 ms (a model call's wait, no CPU)
// and sends the task to "Annotate".
import { Runner } from "../../../dist/index.js";

const runner = new Runner();
runner.stage("Pre-label", () => new Promise((resolve) => setTimeout(() => resolve("annotate"), 20)));

export default runner;
