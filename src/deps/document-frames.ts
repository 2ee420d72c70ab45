import { MediaError } from "../domain/errors.js";
import type { StorageItemType } from "../domain/storage-item.js";
import { openDicom } from "../media/dicom/read-dicom.js";
import type { DisplayWindow, RawFrame } from "../media/medical/raw-frame.js";
import { windowToRgb } from "../media/medical/window-to-rgb.js";
import { openNifti } from "../media/nifti/read-nifti.js";
import { openPdf, type PdfDocument } from "../media/pdf/render-pdf.js";
import type { RgbImage } from "../media/rgb-image.js";
import type { MediaAccess } from "./media-access.js";

/** How a DICOM, NIfTI or PDF frame is turned into pixels. */
export interface FrameRendering {
  /** DICOM and NIfTI: the display window (else the file's, else min–max). */
  readonly window?: DisplayWindow | undefined;
  /** PDF: the resolution pages are rendered at. */
  readonly dpi?: number | undefined;
}

/**
 * The frames of a DICOM file or series, a NIfTI volume or a PDF: files opened once per source
 * and read frame by frame, so a pass over a volume or document parses it once.
 */
export interface DocumentFrames {
  count(): Promise<number>;
  image(frame: number, rendering: FrameRendering): Promise<RgbImage>;
  raw(frame: number): Promise<RawFrame>;
  /** Frees what the source holds (the PDF renderer's memory). */
  close(): void;
}

const documentTypes: ReadonlySet<StorageItemType> = new Set(["dicomFile", "dicomSeries", "nifti", "pdf"]);

/** True for the item types {@link documentFrames} reads. */
export function hasDocumentFrames(type: StorageItemType): boolean {
  return documentTypes.has(type);
}

/** The frame source for the task's DICOM, NIfTI or PDF item. */
export function documentFrames(media: MediaAccess): DocumentFrames {
  const subject = `${JSON.stringify(media.item.name)} (${media.describe()})`;
  switch (media.item.itemType) {
    case "dicomSeries":
      return dicomSeriesFrames(media, subject);
    case "dicomFile":
      return singleFileFrames(() => media.file().then((path) => openDicom(path, subject)));
    case "nifti":
      return singleFileFrames(() => media.file().then((path) => openNifti(path, subject)));
    case "pdf":
      return pdfFrames(media, subject);
    default:
      throw new MediaError("TA_UNSUPPORTED_MEDIA", `${subject} is not a DICOM, NIfTI or PDF item.`, true);
  }
}

interface Volume {
  readonly frameCount: number;
  rawFrame(frame: number): RawFrame | Promise<RawFrame>;
}

function singleFileFrames(open: () => Promise<Volume>): DocumentFrames {
  let volume: Promise<Volume> | undefined;
  const opened = () => (volume ??= open());
  return {
    count: async () => (await opened()).frameCount,
    image: async (frame, rendering) => windowToRgb(await (await opened()).rawFrame(frame), rendering.window),
    raw: async (frame) => (await opened()).rawFrame(frame),
    close: () => undefined,
  };
}

/** A series' frame N is its child item N, one slice per file, read and removed one at a time. */
function dicomSeriesFrames(media: MediaAccess, subject: string): DocumentFrames {
  const raw = (frame: number) => media.withChildFile(frame, async (path) => (await openDicom(path, `slice ${frame} of ${subject}`)).rawFrame(0));
  return {
    count: async () => (await media.children()).length,
    image: async (frame, rendering) => windowToRgb(await raw(frame), rendering.window),
    raw,
    close: () => undefined,
  };
}

function pdfFrames(media: MediaAccess, subject: string): DocumentFrames {
  let document: Promise<PdfDocument> | undefined;
  const opened = () => (document ??= media.file().then((path) => openPdf(path, subject)));
  return {
    count: async () => (await opened()).pageCount,
    image: async (frame, rendering) => (await opened()).renderPage(frame, rendering.dpi),
    raw: () => {
      throw new MediaError(
        "TA_UNSUPPORTED_MEDIA",
        `raw frames are for DICOM and NIfTI; ${subject} is a PDF. Use singleFrame({ frame, dpi }) for its pages as RGB.`,
        true,
      );
    },
    close: () => {
      void document?.then(
        (d) => d.close(),
        () => undefined,
      );
    },
  };
}
