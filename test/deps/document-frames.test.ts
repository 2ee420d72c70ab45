/**
 * singleFrame and videoFrames on NIfTI, DICOM (a file and a series) and PDF items through a
 * Runner, on the local store and on Encord (the fake server, where a series' slices are its child
 * items): the dispatch by item type, the raw option, slice order, and a frame past the end
 * failing without retries.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { Runner, singleFrame, videoFrames, type RawFrame, type RgbImage } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { dicomFile, niftiFile, pdfFile, rampSlice, threePages } from "../../scripts/media/medical-files.js";
import { tempDir } from "../support/temp-dir.js";

const dir = tempDir();
afterAll(() => dir[Symbol.dispose]());
const [nx, ny, nz] = [4, 3, 5];
const nifti = join(dir.path, "volume.nii.gz");
writeFileSync(nifti, niftiFile({ dims: [nx, ny, nz], datatype: 4, bitpix: 16, voxels: new Int16Array(nx * ny * nz).map((_, n) => n), gzip: true }));
const pdf = join(dir.path, "three.pdf");
writeFileSync(pdf, pdfFile(threePages));
const dicom = join(dir.path, "slice.dcm");
writeFileSync(dicom, dicomFile({ width: 6, height: 4, pixels: rampSlice(6, 4, 1), signed: true }));
// A series of 4 slices, slice N holding rampSlice(…, N + 2): a raw frame's first value says which slice it is.
const series = join(dir.path, "chest-ct");
mkdirSync(series);
for (let n = 0; n < 4; n++) {
  writeFileSync(
    join(series, `slice-${n + 1}.dcm`),
    dicomFile({ width: 6, height: 4, pixels: rampSlice(6, 4, n + 2), signed: true, instanceNumber: n + 1, window: { center: 1000, width: 4000 } }),
  );
}
// A series whose second slice is cut short in its pixel data (its header still reads).
const brokenSeries = join(dir.path, "cut-ct");
mkdirSync(brokenSeries);
for (let n = 0; n < 3; n++) {
  const whole = dicomFile({
    width: 6,
    height: 4,
    pixels: rampSlice(6, 4, n),
    signed: true,
    instanceNumber: n + 1,
    seriesUid: "1.2.826.0.1.3680043.2.1125.8.77",
  });
  writeFileSync(join(brokenSeries, `slice-${n + 1}.dcm`), n === 1 ? whole.subarray(0, whole.length - 10) : whole);
}
const patternOf = (frame: RawFrame) => (Number(frame.data[0]) + 1024) / 1000;

describe.each(backends)("on $name", ({ create }) => {
  test("singleFrame(N) is slice N, page N, the file's frame; raw gives stored values; videoFrames counts slices and pages", async () => {
    await using store = await create({ items: [nifti, pdf, dicom, series] });
    const seen = new Map<string, { second?: RgbImage; raw?: RawFrame; frames: number }>();
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("Pre-label", { deps: { frames: videoFrames } }, async ({ frames, task }) => {
      let count = 0;
      for await (const { image } of frames) if (image.width > 0) count++;
      seen.set(task.dataTitle, { frames: count });
      return null;
    });
    await runner.execute({ output: "silent" });
    expect(Object.fromEntries([...seen].map(([k, v]) => [k, v.frames]))).toEqual({ "volume.nii.gz": 5, "three.pdf": 3, "slice.dcm": 1, "chest-ct": 4 });

    const second = new Runner({ projectHash: store.projectHash, backend: store.backend });
    second.stage("Pre-label", { deps: { page: singleFrame({ frame: 1, dpi: 72 }) } }, ({ page, task }) => {
      if (task.dataTitle === "three.pdf") seen.set("page 1", { second: page, frames: 1 });
      return null;
    });
    await second.execute({ output: "silent", numRetries: 0 });
    const page = seen.get("page 1")!.second!;
    expect([page.width, page.height]).toEqual([200, 100]);
    // Page 1's green rectangle: x 100–180, y 50–80 in PDF points, so rows 20–50 from the top.
    expect(Array.from(page.data.subarray((35 * 200 + 140) * 3, (35 * 200 + 140) * 3 + 3))).toEqual([0, 255, 0]);
  });

  test("a DICOM series' frame N is its slice N, raw and windowed; a slice past the end fails once", async () => {
    await using store = await create({ items: [series] });
    const raws: RawFrame[] = [];
    const images: RgbImage[] = [];
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage(
      "Pre-label",
      { deps: { first: singleFrame({ frame: 0, raw: true }), last: singleFrame({ frame: 3, raw: true }), third: singleFrame(2), frames: videoFrames } },
      async ({ first, last, third, frames }) => {
        raws.push(first, last);
        images.push(third);
        for await (const { image } of frames) images.push(image);
        return null;
      },
    );
    const report = await runner.execute({ output: "silent", numRetries: 0 });
    expect(report.stages[0]!.failed).toBe(0);
    expect(raws.map(patternOf)).toEqual([2, 5]);
    // The file's window 1000/4000 maps value v to round((v + 1000) × 255 / 4000), at most 255; pixel 0 of slice N is (N + 2) × 1000 − 1024.
    const level = (n: number) => Math.min(255, Math.round(((n * 1000 - 1024 + 1000) * 255) / 4000));
    expect(images.map((image) => image.data[0])).toEqual([level(4), level(2), level(3), level(4), level(5)]);

    const past = new Runner({ projectHash: store.projectHash, backend: store.backend });
    past.stage("Pre-label", { deps: { slice: singleFrame(4) } }, () => null);
    const pastReport = await past.execute({ output: "silent", numRetries: 3 });
    expect(pastReport.stages[0]!.failures).toEqual([
      expect.objectContaining({
        dataTitle: "chest-ct",
        attempts: 1,
        error: expect.objectContaining({
          name: "MediaError",
          message: expect.stringContaining("has no frame 4: it has 4 slices (frames 0–3)") as unknown,
        }) as unknown,
      }),
    ]);
  });

  test("a truncated slice of a series fails the task once, naming the slice, the series and what is wrong; the slices before it were read", async () => {
    await using store = await create({ items: [brokenSeries] });
    const read: number[] = [];
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("Pre-label", { deps: { frames: videoFrames } }, async ({ frames }) => {
      for await (const { frame } of frames) read.push(frame);
      return null;
    });
    const report = await runner.execute({ output: "silent", numRetries: 3 });
    expect(read).toEqual([0]);
    expect(report.stages[0]!.failures).toEqual([
      expect.objectContaining({
        dataTitle: "cut-ct",
        attempts: 1,
        error: expect.objectContaining({
          name: "MediaError",
          message: expect.stringMatching(/slice 1 of "cut-ct".*ends before the data its header announces/) as unknown,
        }) as unknown,
      }),
    ]);
  });

  test("raw: true on a NIfTI slice; past the end and raw on a PDF fail once with the reason", async () => {
    await using store = await create({ items: [nifti, pdf] });
    const raws = new Map<string, RawFrame>();
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("Pre-label", { deps: { slice: singleFrame({ frame: 4, raw: true }) } }, ({ slice, task }) => {
      raws.set(task.dataTitle, slice);
      return null;
    });
    const report = await runner.execute({ output: "silent", numRetries: 3 });
    expect(Array.from(raws.get("volume.nii.gz")!.data)).toEqual(Array.from({ length: nx * ny }, (_, n) => 4 * nx * ny + n));
    const failures = report.stages[0]!.failures;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      dataTitle: "three.pdf",
      attempts: 1,
      error: {
        name: "MediaError",
        message: expect.stringMatching(/reads DICOM files and series and NIfTI volumes; .*"three\.pdf", a PDF\) has no raw values/) as unknown,
      },
    });

    const past = new Runner({ projectHash: store.projectHash, backend: store.backend });
    past.stage("Pre-label", { deps: { slice: singleFrame(5) } }, () => null);
    const pastReport = await past.execute({ output: "silent", numRetries: 3 });
    const messages = pastReport.stages[0]!.failures.map((f) => [f.dataTitle, f.attempts, f.error.message]);
    expect(messages).toEqual(
      expect.arrayContaining([
        ["volume.nii.gz", 1, expect.stringContaining("has 5 slices (frames 0–4); frame 5 does not exist")],
        ["three.pdf", 1, expect.stringContaining("has 3 pages (frames 0–2); frame 5 does not exist")],
      ]),
    );
  });
});
