// DICOM slices per second: 200 uncompressed 512×512 16-bit CT-like slices (Explicit VR Little
// Endian, written by scripts/media/medical-files.ts into a temporary folder), each read from disk,
// parsed and decoded to 8-bit RGB with its window, as singleFrame and videoFrames do for every
// slice of a series (openDicom → rawFrame → windowToRgb). The baseline is the raw decode alone in
// the same run (openDicom → rawFrame: what singleFrame({ raw: true }) gives), so ratio =
// RGB slices/s ÷ raw slices/s shows what windowing costs; the details add dicom-parser alone
// (read + parseDicom + a typed view of the pixels, no checks). No external decoder (dcmtk, GDCM)
// is installed here to compare with. Interleaved, median of 5; no target was stated.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import dicomParser from "dicom-parser";
import { tsImport } from "tsx/esm/api";
import { openDicom } from "../../dist/media/dicom/read-dicom.js";
import { windowToRgb } from "../../dist/media/medical/window-to-rgb.js";
import { interleaved, median, tempDir } from "../lib/common.mjs";

export const name = "dicom-slices";
export const unit = "slices/s";
export const target = null;

const REPEATS = 5;

/** CT-like values: a body disc of soft tissue over air, a brighter ring, a gradient, all in HU + 1024. */
function slicePixels(size, slice) {
  const pixels = new Int16Array(size * size);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - c, y - c) / c;
      const hu = r > 0.9 ? -1000 : r > 0.8 ? 700 : 40 + ((x + y + slice) % 64);
      pixels[y * size + x] = hu + 1024;
    }
  }
  return pixels;
}

async function readAll(files, decode) {
  const started = performance.now();
  for (const file of files) await decode(file);
  return performance.now() - started;
}

export async function run({ smoke }) {
  const { dicomFile } = await tsImport("../../scripts/media/medical-files.ts", import.meta.url);
  const [count, size] = smoke ? [10, 64] : [200, 512];
  const dir = tempDir("dicom");
  const files = [];
  for (let slice = 0; slice < count; slice++) {
    const path = join(dir, `slice-${slice}.dcm`);
    writeFileSync(
      path,
      dicomFile({
        width: size,
        height: size,
        pixels: slicePixels(size, slice),
        signed: true,
        rescale: { slope: 1, intercept: -1024 },
        window: { center: 40, width: 400 },
        instanceNumber: slice + 1,
      }),
    );
    files.push(path);
  }
  let checked = 0;
  const toRgb = async (file) => {
    const image = windowToRgb(await (await openDicom(file, file)).rawFrame(0));
    if (image.width !== size || image.data.length !== size * size * 3) throw new Error(`${file} decoded to ${image.width}×${image.height}`);
    checked++;
  };
  const raw = async (file) => {
    const frame = await (await openDicom(file, file)).rawFrame(0);
    if (frame.data.length !== size * size) throw new Error(`${file}: ${frame.data.length} values`);
  };
  const parserAlone = async (file) => {
    const bytes = await readFile(file);
    const dataSet = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const element = dataSet.elements.x7fe00010;
    const view = new Int16Array(
      dataSet.byteArray.buffer.slice(dataSet.byteArray.byteOffset + element.dataOffset, dataSet.byteArray.byteOffset + element.dataOffset + element.length),
    );
    if (view.length !== size * size) throw new Error(`${file}: ${view.length} values`);
  };
  const samples = await interleaved(smoke ? 1 : REPEATS, {
    rgb: () => readAll(files, toRgb),
    raw: () => readAll(files, raw),
    parser: () => readAll(files, parserAlone),
  });
  if (checked !== count * (smoke ? 1 : REPEATS)) throw new Error(`${checked} slices checked`);
  const rate = (ms) => (count * 1000) / ms;
  const value = rate(median(samples.rgb));
  const baselineValue = rate(median(samples.raw));
  const times = (list) => list.map((ms) => `${ms.toFixed(0)} ms`).join(", ");
  return {
    value,
    baseline: `raw decode only (openDicom → rawFrame), ${count} slices of ${size}×${size}`,
    baselineValue,
    ratio: value / baselineValue,
    details: {
      slices: `${count} × ${size}×${size}, 16-bit signed, Explicit VR Little Endian, ${((size * size * 2) / 1024).toFixed(0)} KiB of pixels each`,
      "dicom-parser alone (read, parseDicom, copy of the pixels)": `${rate(median(samples.parser)).toFixed(0)} slices/s`,
      "RGB run times": times(samples.rgb),
      "raw run times": times(samples.raw),
      "dicom-parser alone run times": times(samples.parser),
    },
  };
}
