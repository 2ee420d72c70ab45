import type { StorageItemType } from "../../domain/storage-item.js";

/** How one kind of media is named in storage items, label-row metadata and label rows. */
export interface MediaKind {
  readonly itemType: StorageItemType;
  /** Label-row `data_type`, lowercase (`IMAGE` etc. in metadata). */
  readonly dataType: string;
  /** True when label rows hold labels per frame (`labels: { "0": … }`). */
  readonly framed: boolean;
}

const image: MediaKind = { itemType: "image", dataType: "image", framed: false };
const video: MediaKind = { itemType: "video", dataType: "video", framed: true };
const audio: MediaKind = { itemType: "audio", dataType: "audio", framed: false };
const text: MediaKind = { itemType: "plainText", dataType: "plain_text", framed: false };
const pdf: MediaKind = { itemType: "pdf", dataType: "pdf", framed: true };
const dicom: MediaKind = { itemType: "dicomFile", dataType: "dicom", framed: true };
const nifti: MediaKind = { itemType: "nifti", dataType: "nifti", framed: true };
/** A folder's DICOM files of one series, added as one item (see dicom-series.ts). */
export const dicomSeriesKind: MediaKind = { itemType: "dicomSeries", dataType: "dicom", framed: true };

/** Every accepted file extension and the MIME type it stands for. */
export const mimeByExtension: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".bmp": "image/bmp",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".avif": "image/avif",
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".mov": "video/quicktime",
  ".webm": "video/webm",
  ".mkv": "video/x-matroska",
  ".avi": "video/x-msvideo",
  ".mp3": "audio/mpeg",
  ".wav": "audio/wav",
  ".flac": "audio/flac",
  ".ogg": "audio/ogg",
  ".m4a": "audio/mp4",
  ".aac": "audio/aac",
  ".txt": "text/plain",
  ".md": "text/plain",
  ".csv": "text/plain",
  ".html": "text/html",
  ".htm": "text/html",
  ".pdf": "application/pdf",
  ".dcm": "application/dicom",
  ".nii": "application/x-nifti",
  ".nii.gz": "application/x-nifti",
};

/** The accepted extensions, for error messages. */
export const acceptedExtensions: readonly string[] = Object.keys(mimeByExtension);

/** The media kind a MIME type belongs to, or undefined when task-agents does not handle it. */
export function mediaKindOfMime(mime: string): MediaKind | undefined {
  if (mime.startsWith("image/")) return Object.values(mimeByExtension).includes(mime) ? image : undefined;
  if (mime.startsWith("video/")) return video;
  if (mime === "audio/x-wav" || mime === "audio/vnd.wave") return audio;
  if (mime.startsWith("audio/")) return audio;
  if (mime === "text/plain" || mime === "text/html") return text;
  if (mime === "application/pdf") return pdf;
  if (mime === "application/dicom") return dicom;
  if (mime === "application/x-nifti") return nifti;
  return undefined;
}

/** The extension of a file or URL path, with `.nii.gz` kept whole. Lowercase, with the dot. */
export function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith(".nii.gz")) return ".nii.gz";
  const base = lower.slice(lower.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot);
}

/** The MIME type a name's extension stands for, if it is one task-agents accepts. */
export function mimeOfName(name: string): string | undefined {
  return mimeByExtension[extensionOf(name)];
}
