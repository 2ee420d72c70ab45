import { readFile } from "node:fs/promises";
import type * as Mupdf from "mupdf";
import { ConfigurationError, MediaError } from "../../domain/errors.js";
import { RgbImage } from "../rgb-image.js";

/** The resolution pages are rendered at unless `dpi` says otherwise. */
export const defaultDpi = 150;
const dpiRange = { min: 10, max: 1200 } as const;
// A page past this many pixels (an A0 poster at high DPI) would need gigabytes at 3 bytes a pixel.
const maxPixels = 200_000_000;

/** An open PDF; close it to free the renderer's memory. */
export interface PdfDocument {
  readonly pageCount: number;
  renderPage(page: number, dpi?: number): RgbImage;
  close(): void;
}

// mupdf compiles ~10 MB of WebAssembly on import (~0.4 s), so it is loaded on the first PDF only.
let mupdfModule: Promise<typeof Mupdf> | undefined;
function loadMupdf(): Promise<typeof Mupdf> {
  mupdfModule ??= import("mupdf");
  return mupdfModule;
}

/** A `dpi` option as given by a caller, checked. */
export function checkDpi(dpi: unknown, where: string): number {
  if (typeof dpi !== "number" || !Number.isFinite(dpi) || dpi < dpiRange.min || dpi > dpiRange.max) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${where}: dpi must be a number from ${dpiRange.min} to ${dpiRange.max} (pages are ` +
        `rendered at ${defaultDpi} unless told), got ${JSON.stringify(dpi) ?? String(dpi)}.`,
    );
  }
  return dpi;
}

function decodeError(subject: string, problem: string, cause?: unknown): MediaError {
  return new MediaError("TA_MEDIA_DECODE", `Cannot read ${subject} as PDF: ${problem}.`, true, cause === undefined ? undefined : { cause });
}

/** Opens a PDF file for rendering; refuses password-protected ones. */
export async function openPdf(path: string, subject: string): Promise<PdfDocument> {
  const [mupdf, bytes] = await Promise.all([loadMupdf(), readFile(path)]);
  let document: Mupdf.Document;
  try {
    document = mupdf.Document.openDocument(bytes, "application/pdf");
  } catch (error) {
    throw decodeError(subject, `${(error as Error).message.replace(/\.$/, "")}. Accepted: PDF files that open without a password`, error);
  }
  if (document.needsPassword()) {
    document.destroy();
    throw decodeError(
      subject,
      "it is encrypted with a password. Accepted: PDFs that open without one (remove the password, e.g. with qpdf --decrypt, before adding it)",
    );
  }
  let pageCount: number;
  try {
    pageCount = document.countPages();
  } catch (error) {
    document.destroy();
    throw decodeError(subject, `its pages cannot be listed (${(error as Error).message.replace(/\.$/, "")}); the file may be damaged`, error);
  }
  return {
    pageCount,
    renderPage(page, dpi = defaultDpi) {
      if (page >= pageCount) {
        throw new MediaError(
          "TA_UNSUPPORTED_FRAME",
          `${subject} has ${pageCount} page${pageCount === 1 ? "" : "s"} (frames 0–${pageCount - 1}); frame ${page} does not exist.`,
          true,
        );
      }
      return renderPage(mupdf, document, page, dpi, subject);
    },
    close() {
      document.destroy();
    },
  };
}

function renderPage(mupdf: typeof Mupdf, document: Mupdf.Document, index: number, dpi: number, subject: string): RgbImage {
  let page: Mupdf.Page | undefined;
  let pixmap: Mupdf.Pixmap | undefined;
  try {
    page = document.loadPage(index);
    const [x0, y0, x1, y1] = page.getBounds();
    const scale = dpi / 72;
    const pixels = Math.ceil((x1 - x0) * scale) * Math.ceil((y1 - y0) * scale);
    if (pixels > maxPixels) {
      throw new MediaError(
        "TA_MEDIA_DECODE",
        `Page ${index} of ${subject} at ${dpi} DPI would be ${pixels} pixels, more than ${maxPixels}; ask for a lower dpi.`,
        true,
      );
    }
    pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
    return tightRgb(pixmap);
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw decodeError(subject, `page ${index} does not render (${(error as Error).message.replace(/\.$/, "")}); the file may be damaged`, error);
  } finally {
    pixmap?.destroy();
    page?.destroy();
  }
}

/** The pixmap's rows without the padding mupdf may leave at the end of each. */
function tightRgb(pixmap: Mupdf.Pixmap): RgbImage {
  const width = pixmap.getWidth();
  const height = pixmap.getHeight();
  const stride = pixmap.getStride();
  const pixels = pixmap.getPixels();
  const row = width * 3;
  // Every byte is written below, so the buffer need not be zeroed first.
  const buffer = Buffer.allocUnsafeSlow(row * height);
  const out = new Uint8Array(buffer.buffer, buffer.byteOffset, row * height);
  if (stride === row) out.set(pixels.subarray(0, row * height));
  else for (let y = 0; y < height; y++) out.set(pixels.subarray(y * stride, y * stride + row), y * row);
  return new RgbImage(width, height, out);
}
