// `task-agents tasks list` (the table) on a local store of 100,000 items: its peak JS heap against
// the same command's on 10,000 items (≈1× means it does not hold the project in memory); times in
// the details.
import { heapCase } from "../lib/store-commands.mjs";

export const name = "store-list";
export const unit = "MB";
export const target = null; // no stated target
export const run = heapCase((hash) => ["tasks", "list", hash]);
