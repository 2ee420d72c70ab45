/**
 * singleFrame and videoFrames on NIfTI, DICOM and PDF items through a Runner on the local store:
 * the dispatch by item type, the raw option, and a frame past the end failing without retries.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { Runner, singleFrame, videoFrames, type RawFrame, type RgbImage } from "../../src/index.js";
import { localFixture } from "../support/backend-fixtures.js";
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

// The fake Encord server does not serve NIfTI, DICOM or PDF items yet: local store only.
describe.each([localFixture])("on $name", ({ create }) => {
  test("singleFrame(N) is slice N, page N, the file's frame; raw gives stored values; videoFrames counts slices and pages", async () => {
    await using store = await create({ items: [nifti, pdf, dicom] });
    const seen = new Map<string, { second?: RgbImage; raw?: RawFrame; frames: number }>();
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("Pre-label", { deps: { frames: videoFrames } }, async ({ frames, task }) => {
      let count = 0;
      for await (const { image } of frames) if (image.width > 0) count++;
      seen.set(task.dataTitle, { frames: count });
      return null;
    });
    await runner.execute({ output: "silent" });
    expect(Object.fromEntries([...seen].map(([k, v]) => [k, v.frames]))).toEqual({ "volume.nii.gz": 5, "three.pdf": 3, "slice.dcm": 1 });

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
    expect(failures[0]).toMatchObject({ dataTitle: "three.pdf", attempts: 1, error: { name: "MediaError", message: expect.stringMatching(/reads DICOM files and series and NIfTI volumes; .*"three\.pdf", a PDF\) has no raw values/) as unknown } });

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
