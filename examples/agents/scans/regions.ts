/**
 * A tiny stand-in for a model, shared by the scans examples: the box around the pixels of a
 * greyscale frame brighter than a level, and a frame's mean intensity.
 */
import type { RgbImage } from "task-agents";

/** Pixel bounds, inclusive, and how many pixels are inside. */
export interface PixelBox {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly pixels: number;
}

/** The box around every pixel whose red channel (a windowed scan's grey) is above `level`; undefined when none is. */
export function brightBox(image: RgbImage, level: number): PixelBox | undefined {
  const { width, height, data } = image;
  let minX = width,
    minY = height,
    maxX = -1,
    maxY = -1,
    pixels = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 3]! <= level) continue;
      pixels++;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  return pixels === 0 ? undefined : { minX, minY, maxX, maxY, pixels };
}

/** The mean of every byte of the frame (0–255). */
export function meanIntensity(image: RgbImage): number {
  let sum = 0;
  for (const value of image.data) sum += value;
  return sum / Math.max(1, image.data.length);
}
