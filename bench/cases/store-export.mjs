// `task-agents labels export --out` of a local store of 100,000 items: its peak JS heap against
// the same command's on 10,000 items; times in the details.
import { join } from "node:path";
import { heapCase } from "../lib/store-commands.mjs";

export const name = "store-export";
export const unit = "MB";
export const target = null; // no stated target
export const run = heapCase((hash, dir) => ["labels", "export", hash, "--out", join(dir, "labels.json")]);
