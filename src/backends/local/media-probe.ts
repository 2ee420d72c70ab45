import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { fileTypeFromBuffer } from "file-type";
import { imageSize } from "image-size";
import { imageSizeFromFile } from "image-size/fromFile";
import { DataInputError } from "../../domain/errors.js";
import { probeDocument } from "../../media/document-probe.js";
import { probeVideo } from "../../media/probe-video.js";
import { readDicomHeader, type DicomHeader } from "./dicom-header.js";
import { acceptedExtensions, extensionOf, mediaKindOfMime, mimeOfName, type MediaKind } from "./media-types.js";

/** What task-agents knows about a file before it is added. */
export interface ProbedMedia {
  readonly kind: MediaKind;
  readonly mimeType: string;
  readonly fileSize: number | null;
  readonly width: number | null;
  readonly height: number | null;
  /** Videos only, when ffprobe could read them. */
  readonly fps: number | null;
  readonly duration: number | null;
  readonly frameCount: number | null;
  /** DICOM files whose header parsed: what groups them into series. */
  readonly dicom?: DicomHeader;
}

const noVideoInfo = { fps: null, duration: null, frameCount: null } as const;

const sniffBytes = 64 * 1024;

function unsupported(subject: string, what: string): DataInputError {
  return new DataInputError(
    "TA_UNSUPPORTED_MEDIA",
    `${subject} is ${what}, which task-agents cannot add. Accepted: images, videos, ` +
      `audio, text, HTML, PDF, DICOM and NIfTI files (${acceptedExtensions.join(", ")}).`,
    subject,
  );
}

/**
 * Finds the media type of a local file from its content (its extension only for text and NIfTI,
 * which have no reliable signature) and, for images, its size in pixels.
 */
export async function probeFile(path: string): Promise<ProbedMedia> {
  // Synchronous reads: a probe reads a few kilobytes, and a manifest of 100,000 local files spent
  // most of its time waiting on four thread-pool round trips per file with fs/promises.
  let fd: number;
  try {
    // Non-blocking, so a named pipe is refused as "not a regular file" instead of waiting forever
    // for a writer (with the store's write lock held); regular files read the same either way.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataInputError(
      code === "ENOENT" ? "TA_FILE_NOT_FOUND" : "TA_UNSUPPORTED_MEDIA",
      code === "ENOENT" ? `File ${JSON.stringify(path)} does not exist.` : `Cannot read ${JSON.stringify(path)}: ${code ?? String(error)}.`,
      path,
      { cause: error },
    );
  }
  let head: Buffer;
  let fileSize: number;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw unsupported(JSON.stringify(path), "not a regular file");
    fileSize = stat.size;
    const buffer = Buffer.alloc(Math.min(sniffBytes, stat.size));
    head = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
  const mimeType = await sniffMime(path, head);
  const kind = mediaKindOfMime(mimeType);
  if (!kind) throw unsupported(JSON.stringify(path), `of type ${mimeType}`);
  if (kind.itemType === "video") return { kind, mimeType, fileSize, ...(await readVideoInfo(path)) };
  if (kind.itemType === "dicomFile") {
    const dicom = await readDicomHeader(path, head, fileSize);
    if (dicom) return { kind, mimeType, fileSize, width: dicom.width, height: dicom.height, fps: null, duration: null, frameCount: dicom.frameCount, dicom };
  }
  if (kind.itemType === "pdf" || kind.itemType === "nifti") {
    const facts = await probeDocument(path, kind.itemType);
    if (facts) return { kind, mimeType, fileSize, ...facts, fps: null, duration: null };
  }
  const size = kind.itemType === "image" ? await readImageSize(path, head) : undefined;
  return { kind, mimeType, fileSize, width: size?.width ?? null, height: size?.height ?? null, ...noVideoInfo };
}

async function sniffMime(path: string, head: Uint8Array): Promise<string> {
  const byName = mimeOfName(path);
  if (byName === "application/x-nifti") return byName;
  const detected = await fileTypeFromBuffer(head);
  // XHTML and XML-declared text start with `<?xml`, which file-type reports as application/xml.
  if (detected?.mime === "application/xml" && byName?.startsWith("text/")) return byName;
  if (detected) return normaliseMime(detected.mime);
  if (byName?.startsWith("text/")) return byName;
  if (byName) {
    throw unsupported(JSON.stringify(path), `named like ${byName} (${extensionOf(path)}) but its content is not`);
  }
  throw unsupported(JSON.stringify(path), `of an unknown type (extension ${JSON.stringify(extensionOf(path) || "(none)")})`);
}

function normaliseMime(mime: string): string {
  return mime === "audio/x-wav" || mime === "audio/vnd.wave" ? "audio/wav" : mime;
}

async function readImageSize(path: string, head: Uint8Array): Promise<{ width: number; height: number } | undefined> {
  try {
    const size = imageSize(head);
    return { width: size.width, height: size.height };
  } catch {
    // The size marker of a JPEG can sit after a large EXIF block; read further from the file.
    try {
      const size = await imageSizeFromFile(path);
      return { width: size.width, height: size.height };
    } catch {
      return undefined;
    }
  }
}

/**
 * Size, rate, length and frame count of a video, as Encord reads them on upload, so label rows
 * know their frames. Best effort: without ffprobe, or for a file it cannot read, they stay
 * unknown and the item is still added (agents that decode it will say what is wrong).
 */
async function readVideoInfo(path: string): Promise<Pick<ProbedMedia, "width" | "height" | "fps" | "duration" | "frameCount">> {
  try {
    const info = await probeVideo(path);
    return { width: info.width, height: info.height, fps: info.fps, duration: info.duration, frameCount: info.frameCount };
  } catch {
    return { width: null, height: null, ...noVideoInfo };
  }
}

/** A URL path with percent-escapes decoded; left as is when an escape is malformed (`%E0%A4%A`). */
export function decodeUrlPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** Media type of an item added by URL: from the URL's path, since nothing is downloaded. */
export function probeUrl(url: string): ProbedMedia {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    throw new DataInputError("TA_INVALID_MANIFEST", `${JSON.stringify(url.split("?")[0])} is not a valid URL; accepted: absolute http(s) or file URLs.`);
  }
  const mimeType = mimeOfName(decodeUrlPath(pathname));
  const kind = mimeType === undefined ? undefined : mediaKindOfMime(mimeType);
  if (!mimeType || !kind) {
    throw unsupported(`URL path ${JSON.stringify(pathname)}`, `of an unknown type (extension ${JSON.stringify(extensionOf(pathname) || "(none)")})`);
  }
  return { kind, mimeType, fileSize: null, width: null, height: null, ...noVideoInfo };
}
