import { fileURLToPath } from "node:url";
import type { Backend } from "../backends/backend.js";
import { MediaError } from "../domain/errors.js";
import type { StorageItem, StorageItemType } from "../domain/storage-item.js";
import { downloadToTemp, type DownloadedFile } from "../media/download.js";
import { downloadLimitsFromEnv } from "./download-limits.js";
import { makeDependency, type TaskContext } from "./define-dependency.js";
import { storageItem } from "./storage-item.js";

/** Item types whose frames are separate child items rather than one file. */
const childFramed: ReadonlySet<StorageItemType> = new Set(["imageGroup", "dicomSeries"]);
/** Item types with no single file to hand out. */
const fileless: ReadonlySet<StorageItemType> = new Set(["imageGroup", "group", "dicomSeries", "scene"]);

/**
 * One task attempt's access to its media: the item's file (the local file itself, or a download
 * of the signed URL), or for image groups the file of one child. Files are fetched on first use
 * and shared by every helper of the attempt (`asset`, `singleFrame`, `videoFrames`…), so a video
 * is downloaded once however many of them a handler declares.
 */
export class MediaAccess {
  readonly item: StorageItem;
  readonly #task: TaskContext["task"];
  readonly #backend: Backend | undefined;
  readonly #release = new AbortController();
  readonly signal: AbortSignal;
  readonly #downloads: DownloadedFile[] = [];
  #file: Promise<string> | undefined;
  #children: Promise<StorageItem[]> | undefined;

  constructor(item: StorageItem, context: TaskContext, backend: Backend | undefined) {
    this.item = item;
    this.#task = context.task;
    this.#backend = backend;
    this.signal = AbortSignal.any([context.signal, this.#release.signal]);
  }

  /** What the task is about, for messages: "task 1234… (data "cat.png", an image group)". */
  describe(): string {
    return `task ${this.#task.uuid} (data ${JSON.stringify(this.#task.dataTitle)}, ${article(this.item.itemType)})`;
  }

  /** The local path of the item's own file. */
  file(): Promise<string> {
    if (fileless.has(this.item.itemType)) {
      const hint = childFramed.has(this.item.itemType)
        ? `Use singleFrame({ frame: N }) for ${this.item.itemType === "dicomSeries" ? "slice" : "image"} N, or videoFrames to go through all of them.`
        : "Its parts are separate items; only images, videos, audio, text, PDF, DICOM files and NIfTI files have one.";
      throw new MediaError("TA_UNSUPPORTED_MEDIA", `The asset of ${this.describe()} is not supported: it has no single file. ${hint}`, true);
    }
    this.#file ??= this.#open(this.item);
    return this.#file;
  }

  /** The child items of an image group, in frame order. */
  children(): Promise<StorageItem[]> {
    this.#children ??= this.#listChildren();
    return this.#children;
  }

  /**
   * Runs `use` on the file of frame `frame` of an image group (its child item of that index),
   * downloaded for the call and removed right after it, so going through a large group never
   * holds more than one of its images on disk.
   */
  async withChildFile<T>(frame: number, use: (path: string) => Promise<T>): Promise<T> {
    const children = await this.children();
    const child = children[frame];
    if (!child) {
      const unit = this.item.itemType === "dicomSeries" ? "slice" : "image";
      const has =
        children.length === 0 ? `it has no ${unit}s` : `it has ${children.length} ${unit}${children.length === 1 ? "" : "s"} (frames 0–${children.length - 1})`;
      throw new MediaError("TA_UNSUPPORTED_FRAME", `${capitalise(this.describe())} has no frame ${frame}: ${has}.`, true);
    }
    const url = child.signedUrl ?? child.url;
    if (url?.startsWith("file:")) return use(fileURLToPath(url));
    const downloaded = await this.#download(child);
    try {
      return await use(downloaded.path);
    } finally {
      await downloaded.remove();
    }
  }

  /** Stops decoders still running for this attempt and removes every download. */
  async release(): Promise<void> {
    this.#release.abort();
    // A download still in flight stops on the abort; wait for it so its file is listed.
    await Promise.allSettled([this.#file]);
    await Promise.all(this.#downloads.map((d) => d.remove()));
  }

  async #listChildren(): Promise<StorageItem[]> {
    if (!this.#backend?.getChildItems) {
      throw new MediaError(
        "TA_UNSUPPORTED_MEDIA",
        `The frames of ${this.describe()} cannot be fetched: the ${this.#backend?.kind ?? "current"}` +
          ` backend does not list the children of image groups and DICOM series.`,
        true,
      );
    }
    return this.#backend.getChildItems(this.item, { signUrls: true });
  }

  async #open(item: StorageItem): Promise<string> {
    const url = item.signedUrl ?? item.url;
    if (url?.startsWith("file:")) return fileURLToPath(url);
    const downloaded = await this.#download(item);
    this.#downloads.push(downloaded);
    return downloaded.path;
  }

  #download(item: StorageItem): Promise<DownloadedFile> {
    const url = item.signedUrl ?? item.url;
    if (!url || !/^https?:/i.test(url)) {
      // Only the scheme is named: the rest of a storage URL may identify private buckets.
      const scheme = url ? `a ${url.split(":")[0]}: URL` : "no URL";
      throw new MediaError(
        "TA_DOWNLOAD_FAILED",
        `The file of ${this.describe()} cannot be fetched: its storage item ${item.uuid}` +
          ` has ${scheme}; task-agents reads file: URLs and downloads http(s) ones.`,
        true,
      );
    }
    return downloadToTemp(url, { name: item.name, mimeType: item.mimeType, itemType: item.itemType, signal: this.signal, ...downloadLimitsFromEnv() });
  }
}

function article(itemType: StorageItemType): string {
  const words: Record<StorageItemType, string> = {
    image: "an image",
    video: "a video",
    audio: "an audio file",
    plainText: "a text file",
    pdf: "a PDF",
    dicomFile: "a DICOM file",
    nifti: "a NIfTI file",
    imageGroup: "an image group",
    imageSequence: "an image sequence",
    dicomSeries: "a DICOM series",
    group: "a data group",
    scene: "a scene",
  };
  return words[itemType] ?? `an item of type ${itemType}`;
}

/** The text with its first letter upper-cased, for messages that start with {@link MediaAccess.describe}. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The attempt's {@link MediaAccess}; released (downloads removed) after the attempt. */
export const mediaAccess = makeDependency<MediaAccess>({
  deps: { storageItem },
  prefetch: [],
  label: "media",
  resolve: ({ context, valueOf, prefetched }) => new MediaAccess(valueOf(storageItem), context, prefetched.backend),
  dispose: (access) => access.release(),
});
