import { stat } from "node:fs/promises";
import { ConfigurationError, MediaError } from "../domain/errors.js";
import { loadSharp } from "./load-sharp.js";
import { RgbImage } from "./rgb-image.js";

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /** What to call the image in error messages. @defaultValue the path, or "the image bytes" */
  readonly name?: string;
}

const accepted = "PNG, JPEG, WebP, GIF (its first frame), TIFF, AVIF and SVG";

/**
 * Decodes an image file (a path) or its bytes into 8-bit RGB, as an annotator sees it: EXIF
 * orientation applied (a phone photo stored sideways comes out upright), alpha dropped (the
 * colour channels kept as stored, not blended on a background), grey and CMYK converted to
 * sRGB, 16-bit reduced to 8. Whatever sharp reads is accepted: PNG, JPEG, WebP, GIF (first
 * frame), TIFF, AVIF and SVG.
 *
 * @throws MediaError `TA_FILE_NOT_FOUND` for a path that is not a file, `TA_MEDIA_DECODE` (permanent)
 * for content sharp cannot decode, with sharp's reason.
 * @example
 * const image = await decodeImage(asset.path);
 * const part = await image.crop({ x: 10, y: 10, width: 64, height: 64 }).toOpenAIContent();
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage> {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `decodeImage takes a file path or a Uint8Array of file bytes; got ${input === null ? "null" : typeof input}.`,
    );
  }
  const subject = options.name ?? (typeof input === "string" ? input : "the image bytes");
  let decoded: Awaited<ReturnType<typeof toRgb>>;
  try {
    decoded = await toRgb(input);
  } catch (error) {
    if (typeof input === "string") await checkFile(input, subject);
    const reason = error instanceof Error ? error.message : String(error);
    throw new MediaError(
      "TA_MEDIA_DECODE",
      `Cannot decode ${JSON.stringify(subject)} as an image: ${reason.trim().replace(/[:.]$/, "")}. Accepted: ${accepted}.`,
      true,
      { cause: error },
    );
  }
  const { data, info } = decoded;
  if (info.channels !== 3) {
    throw new MediaError(
      "TA_MEDIA_DECODE",
      `Decoding ${JSON.stringify(subject)} gave ${info.channels} channels instead of RGB; it is not an image task-agents can read.`,
      true,
    );
  }
  return new RgbImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

async function toRgb(input: string | Uint8Array) {
  const sharp = await loadSharp();
  return sharp(input, { autoOrient: true, pages: 1 }).removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
}

/** A missing path would otherwise read as undecodable content ("Input file is missing"). */
async function checkFile(path: string, subject: string): Promise<void> {
  try {
    if ((await stat(path)).isFile()) return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(error)})`;
    throw new MediaError("TA_FILE_NOT_FOUND", `Image file ${JSON.stringify(subject)} ${what}.`, true, { cause: error });
  }
  throw new MediaError("TA_FILE_NOT_FOUND", `Image file ${JSON.stringify(subject)} is not a regular file.`, true);
}
