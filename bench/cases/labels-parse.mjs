// LabelRow.fromEncordDict + toEncordDict (then JSON text) of a 1,000-frame video label row with
// 20 tracked objects (each on every frame), a dynamic answer per object and a frame
// classification, against JSON.parse + JSON.stringify of the same text, median of 9 (interleaved).
// ratio = model time / plain JSON time.
import { labelCase } from "../lib/label-rows.mjs";

export const name = "labels-parse";
export const unit = "ms/row";
export const target = { kind: "max", value: 10, of: "ratio", text: "≤ 10× JSON.parse+stringify" };
export const run = labelCase(true);
