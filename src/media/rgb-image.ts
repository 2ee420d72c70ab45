import { ConfigurationError } from "../domain/errors.js";
import { loadSharp } from "./load-sharp.js";

/** The encodings {@link RgbImage.encode} writes: PNG is lossless, JPEG is smaller. */
export type ImageFormat = "png" | "jpeg";

/** How {@link RgbImage.encode} and the methods built on it write an image. */
export interface EncodeOptions {
  /** @defaultValue "jpeg": what vision models are sent most cheaply. */
  readonly format?: ImageFormat;
  /** JPEG quality, an integer from 1 to 100; ignored for PNG. @defaultValue 90 */
  readonly quality?: number;
}

/** A rectangle in integer pixels: its top-left corner and size. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An image part of an OpenAI Chat Completions message (`content: [...]`). */
export interface OpenAIImageContent {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}

/** An image block of an Anthropic Messages API message (`content: [...]`). */
export interface AnthropicImageContent {
  type: "image";
  source: { type: "base64"; media_type: "image/png" | "image/jpeg"; data: string };
}

const mediaTypes = { png: "image/png", jpeg: "image/jpeg" } as const;
const details = ["auto", "low", "high"] as const;

function invalid(message: string): ConfigurationError {
  return new ConfigurationError("TA_INVALID_ARGUMENT", message);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/**
 * 8-bit RGB pixels, row-major, 3 bytes per pixel, no padding: the one pixel format of video frames
 * and decoded images, so a model sees the same bytes whichever the media was. `data` is
 * `width × height × 3` bytes; pixel (x, y) starts at byte `(y × width + x) × 3`.
 */
export class RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;

  /** @throws ConfigurationError `TA_INVALID_ARGUMENT` when the size is not positive integers or `data` is not exactly `width × height × 3` bytes. */
  constructor(width: number, height: number, data: Uint8Array) {
    if (!isCount(width) || !isCount(height)) {
      throw invalid(`An RgbImage needs a positive integer width and height; got ${show(width)} × ${show(height)}.`);
    }
    if (!(data instanceof Uint8Array)) throw invalid(`RgbImage data must be a Uint8Array of 8-bit RGB pixels; got ${describe(data)}.`);
    const expected = width * height * 3;
    if (data.length !== expected) {
      const hint = data.length === width * height * 4 ? " That is 4 bytes per pixel: drop the alpha channel (decodeImage does)." : "";
      throw invalid(`RgbImage data for ${width} × ${height} pixels must be ${expected} bytes (3 per pixel, no row padding); got ${data.length}.${hint}`);
    }
    this.width = width;
    this.height = height;
    this.data = data;
  }

  /** An RgbImage from any object of that shape, such as one made by another copy of task-agents. */
  static from(value: { width: number; height: number; data: Uint8Array }): RgbImage {
    return value instanceof RgbImage ? value : new RgbImage(value.width, value.height, value.data);
  }

  /** The `[r, g, b]` of pixel (x, y), 0-based from the top left. */
  pixel(x: number, y: number): [number, number, number] {
    if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y) || x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw invalid(
        `Pixel (${show(x)}, ${show(y)}) is not in this ${this.width} × ${this.height} image; accepted: integers 0 ≤ x < ${this.width}, 0 ≤ y < ${this.height}.`,
      );
    }
    const at = (y * this.width + x) * 3;
    return [this.data[at]!, this.data[at + 1]!, this.data[at + 2]!];
  }

  /** A copy of the pixels inside `rect`, which must be non-empty and lie within the image. */
  crop(rect: PixelRect): RgbImage {
    const { x, y, width, height } = rect;
    const integers = [x, y, width, height].every((n) => Number.isSafeInteger(n));
    if (!integers || x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > this.width || y + height > this.height) {
      throw invalid(
        `Cannot crop { x: ${show(x)}, y: ${show(y)}, width: ${show(width)}, height: ${show(height)} } ` +
          `from a ${this.width} × ${this.height} image; accepted: integers with x, y ≥ 0, ` +
          `width, height ≥ 1, x + width ≤ ${this.width} and y + height ≤ ${this.height}.`,
      );
    }
    const rowBytes = width * 3;
    const out = new Uint8Array(rowBytes * height);
    for (let row = 0; row < height; row++) {
      const from = ((y + row) * this.width + x) * 3;
      out.set(this.data.subarray(from, from + rowBytes), row * rowBytes);
    }
    return new RgbImage(width, height, out);
  }

  /** The image as PNG or JPEG file bytes. */
  async encode(options?: EncodeOptions): Promise<Uint8Array> {
    const { format, quality } = resolveEncodeOptions(options);
    const sharp = await loadSharp();
    const pixels = sharp(this.data, { raw: { width: this.width, height: this.height, channels: 3 } });
    return format === "png" ? pixels.png().toBuffer() : pixels.jpeg({ quality }).toBuffer();
  }

  /** The encoded file as base64, no line breaks. */
  async toBase64(options?: EncodeOptions): Promise<string> {
    const bytes = await this.encode(options);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }

  /** A `data:image/jpeg;base64,…` (or `image/png`) URL, which vision APIs accept in place of a link. */
  async toDataUrl(options?: EncodeOptions): Promise<string> {
    return `data:${mediaTypes[resolveEncodeOptions(options).format]};base64,${await this.toBase64(options)}`;
  }

  /** An OpenAI Chat Completions `image_url` content part holding the image as a data URL. */
  async toOpenAIContent(options: EncodeOptions & { detail?: "auto" | "low" | "high" } = {}): Promise<OpenAIImageContent> {
    const { detail, ...encode } = options;
    if (detail !== undefined && !details.includes(detail)) {
      throw invalid(`OpenAI image detail ${JSON.stringify(detail)} is not one of ${details.map((d) => JSON.stringify(d)).join(", ")}.`);
    }
    const url = await this.toDataUrl(encode);
    return { type: "image_url", image_url: detail === undefined ? { url } : { url, detail } };
  }

  /** An Anthropic Messages API base64 `image` content block. */
  async toAnthropicContent(options?: EncodeOptions): Promise<AnthropicImageContent> {
    const mediaType = mediaTypes[resolveEncodeOptions(options).format];
    return { type: "image", source: { type: "base64", media_type: mediaType, data: await this.toBase64(options) } };
  }
}

function resolveEncodeOptions(options: EncodeOptions = {}): { format: ImageFormat; quality: number } {
  const format = options.format ?? "jpeg";
  if (format !== "png" && format !== "jpeg") throw invalid(`Image format ${JSON.stringify(format)} is not supported; accepted: "png", "jpeg".`);
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100)
    throw invalid(`JPEG quality ${show(quality)} is not accepted; accepted: an integer from 1 to 100.`);
  return { format, quality };
}

/** A value for a message: numbers as written (`NaN`, not JSON's `null`), the rest as JSON. */
function show(value: unknown): string {
  return typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return value.constructor?.name ?? "an object";
}
