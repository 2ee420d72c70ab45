// As labels-parse, with 20 new objects on every frame (20,000 objects, each with a static
// answer) instead of 20 tracked ones. ratio = model time / plain JSON time.
import { labelCase } from "../lib/label-rows.mjs";

export const name = "labels-parse-new-objects";
export const unit = "ms/row";
export const target = { kind: "max", value: 10, of: "ratio", text: "≤ 10× JSON.parse+stringify" };
export const run = labelCase(false);
