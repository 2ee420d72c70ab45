import { LabelError } from "../domain/errors.js";
import type { Frames, Range } from "./frames.js";

function checkBound(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new LabelError("TA_INVALID_LABEL", `Range bound ${JSON.stringify(value)} is not accepted; ranges are integers ≥ 0.`);
  }
  return value;
}

/**
 * Frames as inclusive ranges, without listing every frame: range-only instances cover
 * milliseconds or characters, where a range may span millions.
 */
export function rangesOf(frames: Frames): [number, number][] {
  const items: readonly (number | Range)[] = Array.isArray(frames) ? (frames as readonly (number | Range)[]) : [frames as number | Range];
  return items.map((item) => {
    if (typeof item === "number") return [checkBound(item), item];
    const start = checkBound(item.start);
    const end = checkBound(item.end);
    if (end < start)
      throw new LabelError("TA_INVALID_LABEL", `Range ${start}..${end} ends before it starts; ranges are inclusive { start, end } with start ≤ end.`);
    return [start, end];
  });
}

/** Sorted, with overlapping and touching ranges joined. */
export function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** What is left of `ranges` once `remove` is taken out. */
export function subtractRanges(ranges: readonly [number, number][], remove: readonly [number, number][]): [number, number][] {
  let left = mergeRanges(ranges);
  for (const [cutStart, cutEnd] of remove) {
    left = left.flatMap(([start, end]): [number, number][] => {
      if (cutEnd < start || cutStart > end) return [[start, end]];
      const pieces: [number, number][] = [];
      if (start < cutStart) pieces.push([start, cutStart - 1]);
      if (end > cutEnd) pieces.push([cutEnd + 1, end]);
      return pieces;
    });
  }
  return left;
}
