import { LabelError } from "../domain/errors.js";

/** An inclusive range of frames (or, for audio and text, of milliseconds or characters). */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Frames as the SDK accepts them: one frame, a list of frames, an inclusive range, or a list of ranges. */
export type Frames = number | readonly number[] | Range | readonly Range[];

function checkFrame(frame: unknown): number {
  if (typeof frame !== "number" || !Number.isInteger(frame) || frame < 0) {
    throw new LabelError("TA_INVALID_LABEL", `Frame ${JSON.stringify(frame)} is not accepted; a frame is an integer ≥ 0.`);
  }
  return frame;
}

function isRange(value: unknown): value is Range {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "start" in value && "end" in value;
}

function rangeFrames(range: Range): number[] {
  const start = checkFrame(range.start);
  const end = checkFrame(range.end);
  if (end < start)
    throw new LabelError("TA_INVALID_LABEL", `Frame range ${start}..${end} ends before it starts; ranges are inclusive { start, end } with start ≤ end.`);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** The frames meant, sorted and without duplicates (the SDK sorts and dedupes as well). */
export function frameList(frames: Frames): number[] {
  const out: number[] = [];
  if (typeof frames === "number") out.push(checkFrame(frames));
  else if (isRange(frames)) out.push(...rangeFrames(frames));
  else if (Array.isArray(frames)) {
    for (const item of frames as readonly unknown[]) {
      if (isRange(item)) out.push(...rangeFrames(item));
      else out.push(checkFrame(item));
    }
  } else {
    throw new LabelError(
      "TA_INVALID_LABEL",
      `Frames ${JSON.stringify(frames)} are not accepted; give a frame number, a list of them, { start, end } or a list of those.`,
    );
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Sorted frames as inclusive `[start, end]` pairs, the wire form of ranges. */
export function framesToRanges(sortedFrames: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const frame of sortedFrames) {
    const last = ranges.at(-1);
    if (last !== undefined && frame === last[1] + 1) last[1] = frame;
    else ranges.push([frame, frame]);
  }
  return ranges;
}

/** The frames of wire ranges (`[[start, end], …]`), in the order given. */
export function rangesToFrames(ranges: unknown, what: string): number[] {
  if (!Array.isArray(ranges)) throw new LabelError("TA_INVALID_LABEL", `${what} must be a list of [start, end] pairs.`);
  const frames: number[] = [];
  for (const pair of ranges as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new LabelError("TA_INVALID_LABEL", `${what} holds ${JSON.stringify(pair)}; each range is a [start, end] pair.`);
    frames.push(...rangeFrames({ start: pair[0] as number, end: pair[1] as number }));
  }
  return frames;
}
