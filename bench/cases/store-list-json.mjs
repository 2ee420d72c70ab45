// `task-agents --json tasks list --stage Pre-label` on a local store of 100,000 items: its peak JS
// heap against the same command's on 10,000 items; times in the details.
import { heapCase } from "../lib/store-commands.mjs";

export const name = "store-list-json";
export const unit = "MB";
export const target = null; // no stated target
export const run = heapCase((hash) => ["--json", "tasks", "list", hash, "--stage", "Pre-label"]);
