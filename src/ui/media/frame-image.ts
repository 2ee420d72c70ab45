import { fileURLToPath } from "node:url";
import { MediaError } from "../../domain/errors.js";
import { decodeImage } from "../../media/decode-image.js";
import { downloadToTemp } from "../../media/download.js";
import type { RgbImage } from "../../media/rgb-image.js";
import { decodeVideoFrame } from "../../media/video-frames.js";
import { downloadLimitsFromEnv } from "../../deps/download-limits.js";
import type { MediaItem } from "./media-item.js";

/** One frame of an item, encoded for the browser, with the size its labels are drawn at. */
export interface FrameImage {
  readonly bytes: Uint8Array;
  readonly contentType: "image/png" | "image/jpeg";
  readonly width: number;
  readonly height: number;
}

/** Runs `use` on a local path of the item's file: the file itself, or a download removed afterwards. */
async function withItemFile<T>(item: MediaItem, signal: AbortSignal | undefined, use: (path: string) => Promise<T>): Promise<T> {
  const { storageItem } = item;
  const url = storageItem.signedUrl ?? storageItem.url;
  if (url?.startsWith("file:")) return use(fileURLToPath(url));
  if (url === null || !/^https?:/i.test(url)) {
    throw new MediaError(
      "TA_DOWNLOAD_FAILED",
      `The file of ${JSON.stringify(item.dataTitle)} cannot be read: the store has ` +
        `${url === null ? "no URL" : `a ${url.split(":")[0]}: URL`} for it; file: and http(s) URLs are read.`,
      true,
    );
  }
  const downloaded = await downloadToTemp(url, {
    name: storageItem.name,
    mimeType: storageItem.mimeType,
    itemType: storageItem.itemType,
    ...(signal ? { signal } : {}),
    ...downloadLimitsFromEnv(),
  });
  try {
    return await use(downloaded.path);
  } finally {
    await downloaded.remove();
  }
}

async function encode(image: RgbImage, lossless: boolean): Promise<FrameImage> {
  // PNG sources stay lossless (masks and thin lines are checked against them); photos and video frames go as JPEG.
  const bytes = await image.encode(lossless ? { format: "png" } : { format: "jpeg", quality: 88 });
  return { bytes, contentType: lossless ? "image/png" : "image/jpeg", width: image.width, height: image.height };
}

/**
 * Frame `frame` of an image (only frame 0) or video, decoded as the agents' media helpers decode
 * it (EXIF orientation applied, ffmpeg's frame numbering), so labels land where an agent put them.
 *
 * @throws MediaError `TA_UNSUPPORTED_FRAME` for a frame the item lacks, `TA_UNSUPPORTED_MEDIA` for
 * items without pictures (audio, text, …), and the decoders' errors.
 */
export async function renderFrameImage(item: MediaItem, frame: number, signal?: AbortSignal): Promise<FrameImage> {
  const { itemType, mimeType } = item.storageItem;
  const shown = JSON.stringify(item.dataTitle);
  if (itemType === "image") {
    if (frame !== 0) throw new MediaError("TA_UNSUPPORTED_FRAME", `${shown} is an image: it has one frame, 0; frame ${frame} was asked for.`, true);
    return withItemFile(item, signal, async (path) => encode(await decodeImage(path, { name: item.dataTitle }), mimeType === "image/png"));
  }
  if (itemType === "video") {
    return withItemFile(item, signal, async (path) => encode(await decodeVideoFrame(path, frame, { name: shown, ...(signal ? { signal } : {}) }), false));
  }
  throw new MediaError(
    "TA_UNSUPPORTED_MEDIA",
    `${shown} is ${itemType === "audio" ? "audio" : `a ${itemType} item`}: the ` +
      `dashboard shows pictures of images and videos only; its labels are listed instead.`,
    true,
  );
}
