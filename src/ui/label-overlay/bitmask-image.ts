import type { BitmaskCoordinates } from "../../labels/coordinates/index.js";
import { loadSharp } from "../../media/load-sharp.js";

/** How opaque a mask's set pixels are drawn: the media stays visible underneath. */
const maskAlpha = 115;

function rgbOf(color: string): [number, number, number] {
  const hex = color.length === 4 ? [...color.slice(1)].map((c) => c + c).join("") : color.slice(1);
  return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/**
 * A bitmask as a translucent PNG of its own size: set pixels in `color` (`#rgb` or `#rrggbb`),
 * the rest fully transparent. A mask is decoded once per page, so a frame-sized RGBA buffer
 * (4 bytes a pixel) is the cost; PNG then compresses the long runs of a mask to little.
 */
export async function bitmaskPng(mask: BitmaskCoordinates, color: string): Promise<Uint8Array> {
  const pixels = mask.toArray();
  const [r, g, b] = rgbOf(color);
  const rgba = new Uint8Array(pixels.length * 4);
  for (let i = 0; i < pixels.length; i++) {
    if (pixels[i] === 0) continue;
    const at = i * 4;
    rgba[at] = r;
    rgba[at + 1] = g;
    rgba[at + 2] = b;
    rgba[at + 3] = maskAlpha;
  }
  const sharp = await loadSharp();
  return sharp(rgba, { raw: { width: mask.width, height: mask.height, channels: 4 } })
    .png()
    .toBuffer();
}

/** The mask as a `data:image/png;base64,…` URL, to place in the overlay without a request of its own. */
export async function bitmaskDataUrl(mask: BitmaskCoordinates, color: string): Promise<string> {
  const png = await bitmaskPng(mask, color);
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64")}`;
}
