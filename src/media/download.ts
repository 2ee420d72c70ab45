/**
 * Downloads a storage item's file to a private temp folder, streaming: media files can be far
 * larger than memory. Errors name the item and never the URL, whose query is a signature.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { ConfigurationError, MediaError } from "../domain/errors.js";
import type { StorageItemType } from "../domain/storage-item.js";
import { stripSecrets } from "../shared/redact.js";

/** Options of {@link downloadToTemp}. */
export interface DownloadOptions {
  /** The item's name, used in error messages instead of the URL (which carries a signature). */
  readonly name: string;
  /** The item's MIME type; chooses the file's suffix, which tools such as ffmpeg rely on. */
  readonly mimeType: string | null;
  /** Chooses the suffix when neither `mimeType` nor the name's extension is known. */
  readonly itemType: StorageItemType;
  /**
   * The largest file accepted, in bytes: a larger `Content-Length` fails before anything is
   * downloaded, and a body that grows past it is cut off. @defaultValue 4 GiB
   */
  readonly maxBytes?: number;
  /** How long the whole download may take, in milliseconds. @defaultValue 600000 (10 minutes) */
  readonly timeoutMs?: number;
  /** Aborting rejects with `signal.reason` and removes what was written. */
  readonly signal?: AbortSignal;
}

/** A downloaded file in its own private temp folder. */
export interface DownloadedFile {
  /** The file, named `asset<suffix>` (`asset.png`, `asset.mp4`, …). */
  readonly path: string;
  readonly bytes: number;
  /** `mimeType` of the options, else the one its suffix was chosen for. */
  readonly mimeType: string;
  /** Removes the file and its folder. Idempotent; safe to call after a failed read. */
  remove(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Suffixes by MIME essence (lowercase, without parameters). */
const SUFFIX_BY_MIME: Readonly<Record<string, string>> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/jpg": ".jpg",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "image/bmp": ".bmp",
  "image/tiff": ".tif",
  "image/avif": ".avif",
  "video/mp4": ".mp4",
  "video/quicktime": ".mov",
  "video/webm": ".webm",
  "video/x-matroska": ".mkv",
  "video/x-msvideo": ".avi",
  "audio/mpeg": ".mp3",
  "audio/mp3": ".mp3",
  "audio/wav": ".wav",
  "audio/x-wav": ".wav",
  "audio/wave": ".wav",
  "audio/flac": ".flac",
  "audio/ogg": ".ogg",
  "audio/mp4": ".m4a",
  "audio/aac": ".aac",
  "text/plain": ".txt",
  "text/html": ".html",
  "application/pdf": ".pdf",
  "application/dicom": ".dcm",
  "application/x-nifti": ".nii",
};

/** MIME types by the suffix a name may carry, for items stored without a MIME type. */
const MIME_BY_SUFFIX: Readonly<Record<string, string>> = {
  // Reversed so that the first MIME type listed for a suffix wins (.jpg → image/jpeg).
  ...Object.fromEntries<string>(
    Object.entries(SUFFIX_BY_MIME)
      .map(([mime, suffix]): [string, string] => [suffix, mime])
      .reverse(),
  ),
  ".jpeg": "image/jpeg",
  ".tiff": "image/tiff",
  ".nii.gz": "application/x-nifti",
};

/** The fallback of the Encord agents (docs/encord-protocol.md §6, end), with suffixes tools recognise. */
const FALLBACK_BY_ITEM_TYPE: Readonly<Partial<Record<StorageItemType, { suffix: string; mime: string }>>> = {
  video: { suffix: ".mp4", mime: "video/mp4" },
  image: { suffix: ".png", mime: "image/png" },
  imageGroup: { suffix: ".png", mime: "image/png" },
  audio: { suffix: ".mp3", mime: "audio/mpeg" },
  pdf: { suffix: ".pdf", mime: "application/pdf" },
  plainText: { suffix: ".txt", mime: "text/plain" },
  nifti: { suffix: ".nii", mime: "application/octet-stream" },
};

function mimeEssence(mime: string): string {
  return (mime.split(";")[0] ?? "").trim().toLowerCase();
}

/**
 * The file's suffix and MIME type: from `mimeType`, else from the name's extension (as the Encord
 * agents guess), else by item type; `.bin` when none tells.
 */
function fileKind(name: string, mimeType: string | null, itemType: StorageItemType): { suffix: string; mime: string } {
  if (mimeType !== null) {
    const essence = mimeEssence(mimeType);
    const suffix = SUFFIX_BY_MIME[essence];
    if (suffix !== undefined) return { suffix, mime: essence };
  }
  const lower = name.toLowerCase();
  const extension = lower.endsWith(".nii.gz") ? ".nii.gz" : /\.[a-z0-9]{1,5}$/.exec(lower)?.[0];
  const named = extension === undefined ? undefined : MIME_BY_SUFFIX[extension];
  if (extension !== undefined && named !== undefined) return { suffix: extension, mime: mimeType === null ? named : mimeEssence(mimeType) };
  const fallback = FALLBACK_BY_ITEM_TYPE[itemType] ?? { suffix: ".bin", mime: "application/octet-stream" };
  return { suffix: fallback.suffix, mime: mimeType === null ? fallback.mime : mimeEssence(mimeType) };
}

interface ResolvedDownloadOptions {
  readonly name: string;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

function resolveOptions(options: DownloadOptions): ResolvedDownloadOptions {
  if (typeof options !== "object" || options === null || typeof options.name !== "string") {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      "downloadToTemp needs options with the item's name, mimeType and itemType, e.g. { name: " +
        "storageItem.name, mimeType: storageItem.mimeType, itemType: storageItem.itemType }.",
    );
  }
  const positive = (value: number | undefined, fallback: number, what: string, accepted: string): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `Downloading ${JSON.stringify(options.name)}: ${what} ${String(value)} is not accepted; ${accepted}.`,
      );
    }
    return value;
  };
  return {
    name: options.name,
    maxBytes: positive(options.maxBytes, DEFAULT_MAX_BYTES, "maxBytes", "give a positive number of bytes"),
    timeoutMs: positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, "timeoutMs", "give a positive number of milliseconds"),
  };
}

function httpUrl(url: string, name: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The text is not quoted: it may be a signed URL with a typo.
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Cannot download ${JSON.stringify(name)}: its URL does not parse; give an absolute http: or https: URL.`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Cannot download ${JSON.stringify(name)}: its URL is a ${parsed.protocol} URL; downloadToTemp accepts http: and https: URLs only.`,
    );
  }
  return parsed;
}

/** `1.5 GiB (1610612736 bytes)`: readable, and exact for whoever compares with maxBytes. */
function size(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${units[unit]} (${bytes} bytes)`;
}

/** Raised inside the byte counter; turned into a MediaError that names the item. */
class BodyTooLarge extends Error {}

function tooLarge(name: string, maxBytes: number, contentLength?: number): MediaError {
  const what =
    contentLength === undefined
      ? `grew past maxBytes, ${size(maxBytes)}, and was cut off`
      : `is ${size(contentLength)}, more than maxBytes, ${size(maxBytes)}, and was not downloaded`;
  return new MediaError(
    "TA_DOWNLOAD_TOO_LARGE",
    `${JSON.stringify(name)} ${what}; raise maxBytes (TASK_AGENTS_DOWNLOAD_MAX_BYTES for the asset and frame helpers) to download it.`,
    true,
  );
}

/** Storage answers that will not change on a later attempt are permanent; 408, 429 and 5xx may. */
function statusError(status: number, name: string): MediaError {
  const head = `Downloading ${JSON.stringify(name)} failed`;
  switch (status) {
    case 401:
      return new MediaError("TA_DOWNLOAD_FAILED", `${head}: the storage asked for credentials (HTTP 401); the URL is neither signed nor public.`, true);
    case 403:
      return new MediaError(
        "TA_DOWNLOAD_FAILED",
        `${head}: the storage refused the signed URL (HTTP 403); it may have expired. Fetch the ` +
          `storage item again with signed URLs for a fresh one, or check the storage's access settings.`,
        true,
      );
    case 404:
      return new MediaError("TA_DOWNLOAD_FAILED", `${head}: the storage has no file at the item's URL (HTTP 404).`, true);
    default: {
      const transient = status === 408 || status === 429 || status >= 500;
      return new MediaError(
        "TA_DOWNLOAD_FAILED",
        `${head}: the storage answered HTTP ${status}${transient ? "; a later attempt may succeed" : ""}.`,
        !transient,
      );
    }
  }
}

/** The innermost error code of a chain (undici wraps socket errors in "fetch failed"/"terminated"). */
function innermost(error: unknown): { code: string | undefined; message: string } {
  let code: string | undefined;
  let message = error instanceof Error ? error.message : String(error);
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 6; depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === "string") code = c;
    if (e instanceof Error && e.message !== "") message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return { code, message };
}

/**
 * A stand-in for a transport error: its code and message with the URL removed. The original is
 * not kept as `cause`: undici's errors and their causes may quote the URL, signature included.
 */
function safeCause(error: unknown, url: URL): Error & { code?: string } {
  const { code, message } = innermost(error);
  let text = message.split(url.href).join("<url>");
  if (url.search !== "") text = text.split(url.search).join("");
  const cause = new Error(stripSecrets(text)) as Error & { code?: string };
  if (code !== undefined) cause.code = code;
  return cause;
}

interface Failure {
  readonly name: string;
  readonly url: URL;
  readonly timeoutMs: number;
  readonly timedOut: boolean;
  readonly userSignal: AbortSignal | undefined;
  readonly maxBytes: number;
  readonly writeError: unknown;
}

function downloadError(error: unknown, f: Failure): unknown {
  if (f.userSignal?.aborted === true) return f.userSignal.reason;
  if (error instanceof MediaError) return error;
  if (error instanceof BodyTooLarge) return tooLarge(f.name, f.maxBytes);
  const head = `Downloading ${JSON.stringify(f.name)} failed`;
  if (f.timedOut) {
    return new MediaError(
      "TA_DOWNLOAD_FAILED",
      `${head}: it took longer than timeoutMs (${f.timeoutMs} ms) and was stopped; raise timeoutMs ` +
        `(TASK_AGENTS_DOWNLOAD_TIMEOUT, in seconds, for the ` +
        `asset and frame helpers) for large files or slow storage.`,
      false,
    );
  }
  if (f.writeError !== undefined) {
    const { code } = innermost(f.writeError);
    return new MediaError("TA_DOWNLOAD_FAILED", `${head}: the file could not be written to the temp folder (${code ?? "write error"}).`, false, {
      cause: safeCause(f.writeError, f.url),
    });
  }
  const cause = safeCause(error, f.url);
  return new MediaError(
    "TA_DOWNLOAD_FAILED",
    `${head}: the connection to the storage failed (${cause.code ?? cause.message}); a later attempt may succeed.`,
    false,
    { cause },
  );
}

function byteCounter(maxBytes: number, onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      total += chunk.length;
      if (total > maxBytes) {
        done(new BodyTooLarge());
        return;
      }
      onBytes(total);
      done(null, chunk);
    },
  });
}

function downloadedFile(path: string, folder: string, bytes: number, mimeType: string): DownloadedFile {
  let removing: Promise<void> | undefined;
  const remove = (): Promise<void> => (removing ??= rm(folder, { recursive: true, force: true }));
  return { path, bytes, mimeType, remove, [Symbol.asyncDispose]: remove };
}

/**
 * Downloads `url` (http: or https:) into a fresh private folder under the OS temp folder and
 * resolves once the whole file is on disk. Failures reject with a {@link MediaError}
 * (`TA_DOWNLOAD_FAILED`, `TA_DOWNLOAD_TOO_LARGE`; `permanent` says whether retrying can help), or
 * with `signal.reason` when aborted; nothing is left behind on failure.
 *
 * @example
 * ```ts
 * await using file = await downloadToTemp(storageItem.signedUrl!, storageItem);
 * const bytes = await readFile(file.path);
 * ```
 */
export async function downloadToTemp(url: string, options: DownloadOptions): Promise<DownloadedFile> {
  const { name, maxBytes, timeoutMs } = resolveOptions(options);
  const target = httpUrl(url, name);
  const kind = fileKind(name, options.mimeType, options.itemType);
  const userSignal = options.signal;
  userSignal?.throwIfAborted();

  const timeout = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    timeout.abort(new Error("download timed out"));
  }, timeoutMs);
  timer.unref();
  const signal = userSignal === undefined ? timeout.signal : AbortSignal.any([userSignal, timeout.signal]);
  let writeError: unknown;
  const fail = (error: unknown): unknown => downloadError(error, { name, url: target, timeoutMs, timedOut, userSignal, maxBytes, writeError });

  let folder: string | undefined;
  try {
    let response: Response;
    try {
      // identity: asks the storage not to compress on the fly, which fetch would undo, making the
      // bytes written differ from Content-Length and from the stored file size.
      response = await fetch(target, { signal, redirect: "follow", headers: { "accept-encoding": "identity" } });
    } catch (error) {
      throw fail(error);
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    const refusal = !response.ok
      ? statusError(response.status, name)
      : Number.isFinite(declared) && declared > maxBytes
        ? tooLarge(name, maxBytes, declared)
        : undefined;
    if (refusal !== undefined) {
      await response.body?.cancel().catch(() => undefined);
      throw refusal;
    }

    folder = await mkdtemp(join(tmpdir(), "task-agents-asset-"));
    const path = join(folder, `asset${kind.suffix}`);
    let bytes = 0;
    const sink = createWriteStream(path, { flags: "wx", mode: 0o600 });
    sink.once("error", (error) => {
      writeError = error;
    });
    const source = response.body === null ? Readable.from([]) : Readable.fromWeb(response.body as NodeWebStream<Uint8Array>);
    try {
      await pipeline(
        source,
        byteCounter(maxBytes, (total) => (bytes = total)),
        sink,
      );
    } catch (error) {
      throw fail(error);
    }
    return downloadedFile(path, folder, bytes, kind.mime);
  } catch (error) {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
