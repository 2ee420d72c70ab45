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
  const low = chosen.center - chosen.width / 2;
  const scale = 255 / chosen.width;
  const out = new Uint8Array(pixels * 3);
  const source = raw.data;
  for (let i = 0; i < pixels; i++) {
    const value = source[i]! * slope + intercept;
    let level = Math.round((value - low) * scale);
    level = level < 0 ? 0 : level > 255 ? 255 : level;
    if (raw.inverted) level = 255 - level;
    const at = i * 3;
    out[at] = level;
    out[at + 1] = level;
    out[at + 2] = level;
  }
  return new RgbImage(raw.width, raw.height, out);
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
