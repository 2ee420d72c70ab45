// Encord backend, 1,000 tasks, a handler reading the label row and storage item, saving a Cat
// box and setting a priority: the requests task-agents sends per 1,000 tasks against the Python
// runner's call pattern. ratio = ours / Python's.
import { requestCase, withLabels } from "../lib/encord.mjs";

export const name = "encord-labels";
export const unit = "requests/1k tasks";
export const target = { kind: "max", value: 1, of: "ratio", text: "≤ 1.00× Python runner's requests" };
export const run = requestCase(withLabels(0), { labelRow: true, storageItem: true, saves: true, priorities: true }, { checkLabels: true });
