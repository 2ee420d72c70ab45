// PDF pages per second: a 30-page Letter-size PDF (612×792 pt, a coloured rectangle per page,
// written by scripts/media/medical-files.ts) rendered page by page at the default 150 dpi
// (1275×1650 RGB) as singleFrame and videoFrames do (openPdf once, renderPage(N) → RgbImage).
// The baseline is mupdf alone in the same run: the same document's pages loaded and rendered to a
// pixmap at the same scale, pixels read in place (no copy into an RgbImage); ratio = ours ÷ mupdf.
// Interleaved, median of 5; no target was stated.
import { readFileSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as mupdf from "mupdf";
import { tsImport } from "tsx/esm/api";
import { openPdf } from "../../dist/media/pdf/render-pdf.js";
import { interleaved, median, tempDir } from "../lib/common.mjs";

export const name = "pdf-pages";
export const unit = "pages/s";
export const target = null;

const REPEATS = 5;
const dpi = 150;

async function ours(path, pages, expected) {
  const started = performance.now();
  const document = await openPdf(path, path);
  try {
    for (let page = 0; page < pages; page++) {
      const image = document.renderPage(page, dpi);
      if (image.width !== expected.width || image.height !== expected.height) throw new Error(`page ${page} is ${image.width}×${image.height}`);
    }
  } finally {
    document.close();
  }
  return performance.now() - started;
}

function mupdfAlone(path, pages, expected) {
  const started = performance.now();
  const document = mupdf.Document.openDocument(readFileSync(path), "application/pdf");
  try {
    for (let index = 0; index < pages; index++) {
      const page = document.loadPage(index);
      const pixmap = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceRGB, false, true);
      if (pixmap.getWidth() !== expected.width || pixmap.getPixels().length < expected.width * expected.height * 3)
        throw new Error(`page ${index}: ${pixmap.getWidth()} wide`);
      pixmap.destroy();
      page.destroy();
    }
  } finally {
    document.destroy();
  }
  return performance.now() - started;
}

export async function run({ smoke }) {
  const { pdfFile } = await tsImport("../../scripts/media/medical-files.ts", import.meta.url);
  const pages = smoke ? 3 : 30;
  const colours = [
    [220, 40, 40],
    [40, 200, 60],
    [50, 80, 230],
  ];
  const spec = Array.from({ length: pages }, (_, i) => ({
    width: 612,
    height: 792,
    rect: { x: 72 + (i % 5) * 40, y: 100 + (i % 7) * 50, width: 200, height: 150, rgb: colours[i % 3] },
  }));
  const path = join(tempDir("pdf"), "document.pdf");
  writeFileSync(path, pdfFile(spec));
  const expected = { width: Math.ceil((612 * dpi) / 72), height: Math.ceil((792 * dpi) / 72) };
  // mupdf's WebAssembly is compiled on first use: once, outside the timings.
  (await openPdf(path, path)).close();
  const samples = await interleaved(smoke ? 1 : REPEATS, {
    ours: () => ours(path, pages, expected),
    mupdf: async () => mupdfAlone(path, pages, expected),
  });
  const rate = (ms) => (pages * 1000) / ms;
  const value = rate(median(samples.ours));
  const baselineValue = rate(median(samples.mupdf));
  const times = (list) => list.map((ms) => `${ms.toFixed(0)} ms`).join(", ");
  return {
    value,
    baseline: `mupdf alone (loadPage → toPixmap at ${dpi} dpi, pixels read in place), ${pages} pages`,
    baselineValue,
    ratio: value / baselineValue,
    details: {
      pages:
        `${pages} × 612×792 pt at ${dpi} dpi = ${expected.width}×${expected.height} ` +
        `RGB (${((expected.width * expected.height * 3) / 2 ** 20).toFixed(1)} MiB each)`,
      "openPdf + renderPage run times": times(samples.ours),
      "mupdf alone run times": times(samples.mupdf),
    },
  };
}
