/**
 * The DICOM, NIfTI and PDF readers against files written from the formats' specifications with
 * known patterns (scripts/media/medical-files.ts); expected pixels are computed here from the
 * patterns and the windowing formula, not by the code under test.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import sharp from "sharp";
import { afterAll, describe, expect, test } from "vitest";
import { isMediaError } from "../../src/domain/errors.js";
import { openDicom } from "../../src/media/dicom/read-dicom.js";
import { windowToRgb } from "../../src/media/medical/window-to-rgb.js";
import { openNifti } from "../../src/media/nifti/read-nifti.js";
import { openPdf } from "../../src/media/pdf/render-pdf.js";
import { dicomFile, niftiFile, pdfFile, rampSlice, threePages } from "../../scripts/media/medical-files.js";
import { tempDir } from "../support/temp-dir.js";

const dir = tempDir();
afterAll(() => dir[Symbol.dispose]());
let count = 0;
function write(bytes: Uint8Array, suffix: string): string {
  const path = join(dir.path, `file-${++count}${suffix}`);
  writeFileSync(path, bytes);
  return path;
}

/** DICOM LINEAR_EXACT, written out independently of the code under test. */
function expectedLevel(value: number, center: number, width: number): number {
  return Math.min(255, Math.max(0, Math.round(((value - center) / width + 0.5) * 255)));
}

async function mediaFailure(promise: Promise<unknown>): Promise<{ code: string; message: string; permanent: boolean }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isMediaError(error)).toBe(true);
  const { code, message, permanent } = error as { code: string; message: string; permanent: boolean };
  return { code, message, permanent };
}

describe("DICOM", () => {
  const width = 6;
  const height = 4;

  test("raw values are the stored ramp; RGB applies rescale and the file's window", async () => {
    const path = write(
      dicomFile({
        width,
        height,
        pixels: rampSlice(width, height, 0),
        signed: true,
        rescale: { slope: 2, intercept: -10 },
        window: { center: -1000, width: 400 },
      }),
      ".dcm",
    );
    const image = await openDicom(path, "ramp.dcm");
    expect([image.width, image.height, image.frameCount]).toEqual([6, 4, 1]);
    const raw = await image.rawFrame(0);
    expect(raw.data).toBeInstanceOf(Int16Array);
    expect(Array.from(raw.data)).toEqual(Array.from(rampSlice(width, height, 0)));
    const rgb = windowToRgb(raw);
    for (const [x, y] of [
      [0, 0],
      [5, 0],
      [2, 3],
      [5, 3],
    ] as const) {
      const stored = x * 10 + y * 100 - 1024;
      const level = expectedLevel(stored * 2 - 10, -1000, 400);
      expect(Array.from(rgb.data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3))).toEqual([level, level, level]);
    }
  });

  test("an explicit window wins over the file's; without either, min–max spans 0–255; MONOCHROME1 inverts", async () => {
    const pixels = Uint16Array.from(rampSlice(width, height, 2), (v) => v + 1024);
    const path = write(dicomFile({ width, height, pixels, photometric: "MONOCHROME1" }), ".dcm");
    const raw = await (await openDicom(path, "mono1.dcm")).rawFrame(0);
    expect(raw.data).toBeInstanceOf(Uint16Array);
    const minMax = windowToRgb(raw);
    // Darkest stored value is the brightest pixel on MONOCHROME1.
    expect(minMax.data[0]).toBe(255);
    expect(minMax.data[(width * height - 1) * 3]).toBe(0);
    const windowed = windowToRgb(raw, { center: 2200, width: 100 });
    const stored = 3 * 10 + 1 * 100 + 2000;
    expect(windowed.data[(1 * width + 3) * 3]).toBe(255 - expectedLevel(stored, 2200, 100));
  });

  test("large frames (windowed through a table of levels) give every pixel LINEAR_EXACT's level: signed, unsigned, MONOCHROME1, 8-bit", () => {
    const [w, h] = [256, 256];
    // Every 16-bit value once over a signed and an unsigned frame; 8-bit frames cover their range 256 times.
    const signed = Int16Array.from({ length: w * h }, (_, i) => i - 32768);
    const unsigned = Uint16Array.from({ length: w * h }, (_, i) => i);
    const bytes = Uint8Array.from({ length: w * h }, (_, i) => i & 255);
    const cases = [
      { data: signed, slope: 1.5, intercept: -7, window: { center: 100, width: 3000 }, inverted: false },
      { data: unsigned, slope: 1, intercept: -1024, window: { center: 40, width: 400 }, inverted: true },
      { data: bytes, slope: 1, intercept: 0, window: { center: 127.5, width: 64 }, inverted: false },
    ] as const;
    for (const { data, slope, intercept, window, inverted } of cases) {
      const rgb = windowToRgb({ width: w, height: h, data, channels: 1, rescaleSlope: slope, rescaleIntercept: intercept, window, inverted });
      let wrong = 0;
      for (let i = 0; i < w * h; i++) {
        const level = expectedLevel(data[i]! * slope + intercept, window.center, window.width);
        const want = inverted ? 255 - level : level;
        if (rgb.data[i * 3] !== want || rgb.data[i * 3 + 1] !== want || rgb.data[i * 3 + 2] !== want) wrong++;
      }
      expect(wrong, data.constructor.name).toBe(0);
    }
  });

  test("multi-frame files give each frame; a frame past the end is a permanent TA_UNSUPPORTED_FRAME", async () => {
    const frames = [0, 1, 2].map((s) => rampSlice(width, height, s));
    const all = new Int16Array(frames.flatMap((f) => Array.from(f)));
    const image = await openDicom(write(dicomFile({ width, height, pixels: all, frames: 3, signed: true }), ".dcm"), "multi.dcm");
    expect(image.frameCount).toBe(3);
    expect(Array.from((await image.rawFrame(2)).data)).toEqual(Array.from(frames[2]!));
    const failure = await mediaFailure(image.rawFrame(3));
    expect(failure).toMatchObject({ code: "TA_UNSUPPORTED_FRAME", permanent: true });
    expect(failure.message).toContain("has 3 frames (0–2); frame 3 does not exist");
  });

  test("JPEG-LS and JPEG 2000 lossless frames decode to the values encoded", async () => {
    const require = createRequire(import.meta.url);
    const values = Uint16Array.from(rampSlice(16, 16, 3), (v) => v + 1024);
    const encode = async (pkg: string, name: string, configure?: (e: Record<string, (...a: unknown[]) => unknown>) => void) => {
      const codec = await (require(pkg) as () => Promise<Record<string, new () => Record<string, (...a: unknown[]) => unknown>>>)();
      const encoder = new codec[name]!();
      configure?.(encoder);
      (encoder.getDecodedBuffer!({ width: 16, height: 16, bitsPerSample: 16, componentCount: 1, isSigned: false }) as Uint8Array).set(
        new Uint8Array(values.buffer),
      );
      encoder.encode!();
      const bytes = (encoder.getEncodedBuffer!() as Uint8Array).slice();
      encoder.delete!();
      return bytes;
    };
    const jls = await encode("@cornerstonejs/codec-charls", "JpegLSEncoder");
    const j2k = await encode("@cornerstonejs/codec-openjpeg", "J2KEncoder", (e) => e.setDecompositions!(0));
    for (const [syntax, encoded] of [
      ["1.2.840.10008.1.2.4.80", jls],
      ["1.2.840.10008.1.2.4.90", j2k],
    ] as const) {
      const image = await openDicom(write(dicomFile({ width: 16, height: 16, transferSyntax: syntax, encodedFrames: [encoded] }), ".dcm"), `${syntax}.dcm`);
      expect(Array.from((await image.rawFrame(0)).data)).toEqual(Array.from(values));
    }
  });

  test("JPEG baseline frames decode (8-bit, within JPEG's rounding of a two-level pattern)", async () => {
    const values = new Uint8Array(16 * 8).map((_, i) => (i % 16 < 8 ? 40 : 200));
    const jpeg = await sharp(Buffer.from(values), { raw: { width: 16, height: 8, channels: 1 } })
      .toColourspace("b-w")
      .jpeg({ quality: 100 })
      .toBuffer();
    const image = await openDicom(
      write(dicomFile({ width: 16, height: 8, bitsAllocated: 8, transferSyntax: "1.2.840.10008.1.2.4.50", encodedFrames: [new Uint8Array(jpeg)] }), ".dcm"),
      "jpeg.dcm",
    );
    const raw = await image.rawFrame(0);
    const decoded = Array.from(raw.data).filter((_, i) => raw.channels === 1 || i % 3 === 0);
    decoded.forEach((v, i) => expect(Math.abs(v - values[i]!)).toBeLessThanOrEqual(3));
  });

  test("bad files: not DICOM, truncated pixels, an unsupported transfer syntax — permanent MediaErrors naming the file and what is accepted", async () => {
    const notDicom = await mediaFailure(openDicom(write(new TextEncoder().encode("just text, named .dcm"), ".dcm"), "fake.dcm"));
    expect(notDicom).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(notDicom.message).toMatch(/fake\.dcm.*Accepted: DICOM Part 10 files/);

    const whole = dicomFile({ width, height, pixels: rampSlice(width, height, 0), signed: true });
    const truncated = await mediaFailure(openDicom(write(whole.subarray(0, whole.length - 10), ".dcm"), "cut.dcm").then((i) => i.rawFrame(0)));
    expect(truncated.message).toMatch(/cut\.dcm.*ends before the data its header announces \(a truncated file\?\)/);

    const lossless = await mediaFailure(
      openDicom(write(dicomFile({ width, height, transferSyntax: "1.2.840.10008.1.2.4.70", encodedFrames: [new Uint8Array(8)] }), ".dcm"), "lossless.dcm"),
    );
    expect(lossless.message).toMatch(
      /lossless\.dcm.*transfer syntax 1\.2\.840\.10008\.1\.2\.4\.70 is not supported\. Supported: .*JPEG-LS Lossless \(1\.2\.840\.10008\.1\.2\.4\.80\)/,
    );
  });
});

describe("NIfTI", () => {
  const [nx, ny, nz] = [5, 3, 4];
  const voxels = new Int16Array(nx * ny * nz).map((_, n) => {
    const [i, j, k] = [n % nx, Math.floor(n / nx) % ny, Math.floor(n / (nx * ny))];
    return i + j * 10 + k * 100;
  });

  test("frame k is the slice along the third axis: width = dim 1, height = dim 2; gzip read; scl_slope/inter and cal_min/max applied", async () => {
    for (const gzip of [false, true]) {
      const path = write(
        niftiFile({ dims: [nx, ny, nz], datatype: 4, bitpix: 16, voxels, slope: 2, intercept: 5, calMin: 0, calMax: 1000, gzip }),
        gzip ? ".nii.gz" : ".nii",
      );
      const volume = await openNifti(path, "volume.nii");
      expect([volume.width, volume.height, volume.frameCount]).toEqual([5, 3, 4]);
      const raw = volume.rawFrame(2);
      expect(raw.data).toBeInstanceOf(Int16Array);
      expect(raw.data[1 * nx + 4]).toBe(4 + 10 + 200);
      const rgb = windowToRgb(raw);
      expect(rgb.data[(1 * nx + 4) * 3]).toBe(expectedLevel((4 + 10 + 200) * 2 + 5, 500, 1000));
    }
  });

  test("float volumes window min–max per slice; an unknown datatype and a slice past the end fail permanently", async () => {
    const floats = Float32Array.from({ length: 2 * 2 * 2 }, (_, n) => n / 10);
    const volume = await openNifti(write(niftiFile({ dims: [2, 2, 2], datatype: 16, bitpix: 32, voxels: floats }), ".nii"), "float.nii");
    const rgb = windowToRgb(volume.rawFrame(1));
    expect([rgb.data[0], rgb.data[9]]).toEqual([0, 255]);
    const past = await mediaFailure(Promise.resolve().then(() => volume.rawFrame(2)));
    expect(past).toMatchObject({ code: "TA_UNSUPPORTED_FRAME", permanent: true });

    const complex = await mediaFailure(
      openNifti(write(niftiFile({ dims: [2, 2, 2], datatype: 32, bitpix: 64, voxels: new Float32Array(16) }), ".nii"), "complex.nii"),
    );
    expect(complex.message).toMatch(/complex\.nii.*datatype 32 \(complex64\) is not supported\. Supported: uint8, int16/);
    const notNifti = await mediaFailure(openNifti(write(new Uint8Array(400), ".nii"), "zeros.nii"));
    expect(notNifti.message).toMatch(/zeros\.nii.*no NIfTI header/);
  });
});

describe("PDF", () => {
  test("3 pages; page N's rectangle lands where its PDF coordinates say, at the DPI asked for", async () => {
    const pdf = await openPdf(write(pdfFile(threePages), ".pdf"), "three.pdf");
    try {
      expect(pdf.pageCount).toBe(3);
      for (const dpi of [72, 144]) {
        const scale = dpi / 72;
        for (const [index, page] of threePages.entries()) {
          const image = pdf.renderPage(index, dpi);
          expect([image.width, image.height]).toEqual([page.width * scale, page.height * scale]);
          const { x, y, width, height, rgb } = page.rect;
          // PDF y grows upwards; image rows grow downwards.
          const centre = [Math.floor((x + width / 2) * scale), Math.floor((page.height - y - height / 2) * scale)] as const;
          const at = (px: number, py: number) => Array.from(image.data.subarray((py * image.width + px) * 3, (py * image.width + px) * 3 + 3));
          expect(at(...centre)).toEqual([...rgb]);
          expect(at(Math.floor((x + width + 5) * scale), centre[1])).toEqual([255, 255, 255]);
        }
      }
      const past = await mediaFailure(Promise.resolve().then(() => pdf.renderPage(3)));
      expect(past.message).toContain("three.pdf has 3 pages (frames 0–2); frame 3 does not exist");
    } finally {
      pdf.close();
    }
  });

  test("an encrypted PDF and a file that is not a PDF are refused, naming the file and what is accepted", async () => {
    const mupdf = await import("mupdf");
    const document = mupdf.Document.openDocument(pdfFile(threePages), "application/pdf").asPDF()!;
    const encrypted = document.saveToBuffer("encrypt=aes-256,user-password=secret,owner-password=owner").asUint8Array().slice();
    document.destroy();
    const locked = await mediaFailure(openPdf(write(encrypted, ".pdf"), "locked.pdf"));
    expect(locked).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(locked.message).toMatch(/locked\.pdf.*encrypted with a password\. Accepted: PDFs that open without one/);
    const garbage = await mediaFailure(openPdf(write(new TextEncoder().encode("not a pdf"), ".pdf"), "garbage.pdf"));
    expect(garbage.message).toMatch(/garbage\.pdf/);
  });
});
