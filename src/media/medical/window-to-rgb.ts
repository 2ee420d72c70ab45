import { RgbImage } from "../rgb-image.js";
import type { DisplayWindow, RawFrame } from "./raw-frame.js";

/**
 * The 8-bit RGB image of a raw frame: values rescaled (slope, intercept), then mapped through a
 * window, then inverted for MONOCHROME1. The window is `window` if given, else the file's own,
 * else the frame's minimum to maximum. The mapping is DICOM's LINEAR_EXACT VOI function,
 * `((value − center) / width + 0.5) × 255` clamped to 0–255 and rounded, which also serves
 * windows narrower than one unit (NIfTI volumes often hold values in 0–1). Colour frames are
 * already 8-bit RGB and pass through unchanged.
 */
export function windowToRgb(raw: RawFrame, window?: DisplayWindow): RgbImage {
  const pixels = raw.width * raw.height;
  if (raw.channels === 3) return new RgbImage(raw.width, raw.height, Uint8Array.from(raw.data.subarray(0, pixels * 3)));
  const { rescaleSlope: slope, rescaleIntercept: intercept } = raw;
  const chosen = window ?? raw.window ?? minMaxWindow(raw);
  const { center, width } = chosen;
  // Written as the function is defined, so values on a rounding edge land as it says.
  const level = (stored: number): number => {
    const value = Math.round(((stored * slope + intercept - center) / width + 0.5) * 255);
    const clamped = value < 0 ? 0 : value > 255 ? 255 : value;
    return raw.inverted ? 255 - clamped : clamped;
  };
  // Every byte is written below, so the buffer need not be zeroed first.
  const buffer = Buffer.allocUnsafeSlow(pixels * 3);
  const out = new Uint8Array(buffer.buffer, buffer.byteOffset, pixels * 3);
  const source = raw.data;
  const table = lookupTable(source, level);
  if (table !== undefined) {
    // Integer samples of up to 16 bits: each possible value's level computed once (65,536 at most),
    // then one table read per pixel instead of the arithmetic.
    const offset = table.offset;
    const levels = table.levels;
    for (let i = 0, at = 0; i < pixels; i++, at += 3) {
      const grey = levels[source[i]! + offset]!;
      out[at] = grey;
      out[at + 1] = grey;
      out[at + 2] = grey;
    }
  } else {
    for (let i = 0, at = 0; i < pixels; i++, at += 3) {
      const grey = level(source[i]!);
      out[at] = grey;
      out[at + 1] = grey;
      out[at + 2] = grey;
    }
  }
  return new RgbImage(raw.width, raw.height, out);
}

/** For 8- and 16-bit integer samples, the level of every value the type holds, indexed by value + offset. */
function lookupTable(source: RawFrame["data"], level: (stored: number) => number): { levels: Uint8Array; offset: number } | undefined {
  const range =
    source instanceof Int16Array
      ? [-32768, 32767]
      : source instanceof Uint16Array
        ? [0, 65535]
        : source instanceof Int8Array
          ? [-128, 127]
          : source instanceof Uint8Array
            ? [0, 255]
            : undefined;
  // A table of 65,536 costs more than it saves on a small frame.
  if (range === undefined || source.length < (range[1]! - range[0]!) / 4) return undefined;
  const [min, max] = range as [number, number];
  const levels = new Uint8Array(max - min + 1);
  for (let value = min; value <= max; value++) levels[value - min] = level(value);
  return { levels, offset: -min };
}

/** The window spanning the frame's rescaled values; a flat frame gets a window that maps it to black. */
function minMaxWindow(raw: RawFrame): DisplayWindow {
  let min = Infinity;
  let max = -Infinity;
  const pixels = raw.width * raw.height;
  for (let i = 0; i < pixels; i++) {
    const value = raw.data[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const a = min * raw.rescaleSlope + raw.rescaleIntercept;
  const b = max * raw.rescaleSlope + raw.rescaleIntercept;
  const [low, high] = a <= b ? [a, b] : [b, a];
  if (!(high > low)) return { center: low + 0.5, width: 1 };
  return { center: (low + high) / 2, width: high - low };
}
