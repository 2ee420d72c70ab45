/**
 * A tiny stand-in for a detector, shared by the media examples: finds the blobs of strongly
 * coloured pixels in an RGB frame and names each one's colour.
 */
import type { RgbImage } from "task-agents";

export type BlobColour = "red" | "green" | "blue" | "other";

export interface Blob {
  readonly colour: BlobColour;
  /** Pixel bounds, inclusive. */
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly pixels: number;
}

/** The colour a pixel counts as, or undefined for greys (low saturation). */
export function colourOf(r: number, g: number, b: number): BlobColour | undefined {
  const max = Math.max(r, g, b);
  if (max - Math.min(r, g, b) < 80) return undefined;
  if (max === r) return "red";
  if (max === g) return "green";
  if (max === b) return "blue";
  return "other";
}

/** Blobs of at least `minPixels` same-coloured, 4-connected pixels. */
export function findBlobs(image: RgbImage, minPixels = 20): Blob[] {
  const { width, height, data } = image;
  const colours = new Array<BlobColour | undefined>(width * height);
  for (let i = 0; i < width * height; i++) colours[i] = colourOf(data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!);
  const seen = new Uint8Array(width * height);
  const blobs: Blob[] = [];
  for (let start = 0; start < width * height; start++) {
    const colour = colours[start];
    if (!colour || seen[start]) continue;
    let minX = width,
      minY = height,
      maxX = -1,
      maxY = -1,
      pixels = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const at = stack.pop()!;
      const x = at % width;
      const y = (at - x) / width;
      pixels++;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      for (const next of [x > 0 ? at - 1 : -1, x < width - 1 ? at + 1 : -1, y > 0 ? at - width : -1, y < height - 1 ? at + width : -1]) {
        if (next >= 0 && !seen[next] && colours[next] === colour) {
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    if (pixels >= minPixels) blobs.push({ colour, minX, minY, maxX, maxY, pixels });
  }
  return blobs;
}

/** Mean brightness (Rec. 601 luma) of a frame, 0..255. */
export function meanBrightness(image: RgbImage): number {
  const { data } = image;
  let sum = 0;
  for (let i = 0; i < data.length; i += 3) sum += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  return sum / (data.length / 3);
}
