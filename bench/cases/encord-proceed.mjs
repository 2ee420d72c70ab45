// Encord backend, 1,000 tasks, a handler returning "annotate" only: the requests task-agents
// sends per 1,000 tasks against the Python runner's call pattern. ratio = ours / Python's.
import { proceedOnly, requestCase } from "../lib/encord.mjs";

export const name = "encord-proceed";
export const unit = "requests/1k tasks";
export const target = { kind: "max", value: 1, of: "ratio", text: "≤ 1.00× Python runner's requests" };
export const run = requestCase(proceedOnly, {});
