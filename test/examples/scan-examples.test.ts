/**
 * The scans-and-documents examples of the README (a DICOM series, a NIfTI volume, a 3-page PDF),
 * run the way users run them: `task-agents run <file>` on a local store holding
 * examples/scans-project.yaml and the files of examples/scans. Expected boxes and priorities are
 * computed here from the patterns the files were written with (scripts/media/example-scans.ts).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LabelRow, localBackend, type LocalBackend } from "../../src/index.js";
import { ctSeries, ctValue, headValue, headVolume, hu, writeExampleScans } from "../../scripts/media/example-scans.js";
import { cli } from "../support/run-cli.js";
import { tempDir } from "../support/temp-dir.js";

const example = (name: string) => fileURLToPath(new URL(`../../examples/agents/${name}`, import.meta.url));
const scans = fileURLToPath(new URL("../../examples/scans", import.meta.url));
const scansSpec = fileURLToPath(new URL("../../examples/scans-project.yaml", import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

test("the committed files of examples/scans are what scripts/make-scan-examples.ts writes", () => {
  using dir = tempDir();
  writeExampleScans(dir.path);
  expect(filesUnder(scans)).toEqual(filesUnder(dir.path));
  for (const name of filesUnder(dir.path)) expect(readFileSync(join(scans, name)).equals(readFileSync(join(dir.path, name))), name).toBe(true);
});

describe("scans examples", () => {
  let dir: ReturnType<typeof tempDir>;
  let storePath: string;
  let store: LocalBackend;

  beforeEach(() => {
    dir = tempDir();
    storePath = join(dir.path, "store.db");
    store = localBackend({ storePath });
  });

  afterEach(async () => {
    await store.close();
    dir[Symbol.dispose]();
  });

  async function projectWith(items: readonly string[]): Promise<string> {
    const hash = store.createProject(scansSpec);
    await store.addData(hash, { paths: items, actor: "tester" });
    return hash;
  }

  async function run(file: string, projectHash: string): Promise<string> {
    const result = await cli(["run", example(file), "--project-hash", projectHash, "--store", storePath]);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    return result.stdout;
  }

  async function titlesIn(projectHash: string, stageTitle: string): Promise<string[]> {
    const project = await store.getProject(projectHash);
    const stage = project.stages.find((s) => s.title === stageTitle)!;
    return (await store.listStageTasks(projectHash, stage.uuid)).tasks.map((t) => t.dataTitle).sort();
  }

  async function only(projectHash: string): Promise<{ row: LabelRow; priority: number | null | undefined }> {
    const [task] = (await store.listProjectTasks(projectHash)).tasks;
    const [row] = await store.getLabelRows(projectHash, [task!.dataHash]);
    const [metadata] = await store.getLabelRowMetadata(projectHash, [task!.dataHash]);
    return { row: LabelRow.fromEncordDict(row!, { ontology: (await store.getProject(projectHash)).ontology }), priority: metadata!.priority };
  }

  test("box-lesions (videoFrames on a DICOM series) boxes the lesion on each slice it shows on and sets priority by its size", async () => {
    const hash = await projectWith([join(scans, "ct-series")]);
    await run("scans/box-lesions.ts", hash);
    expect(await titlesIn(hash, "Review")).toEqual(["ct-series"]);
    const { row, priority } = await only(hash);
    const [lesion] = row.getObjectInstances();
    // Where the sphere shows, from the pattern: pixels at lesion HU per slice.
    const { width, height, slices } = ctSeries;
    const expected = new Map<number, { minX: number; minY: number; maxX: number; maxY: number; pixels: number }>();
    for (let slice = 0; slice < slices; slice++) {
      let box: { minX: number; minY: number; maxX: number; maxY: number; pixels: number } = { minX: width, minY: height, maxX: -1, maxY: -1, pixels: 0 };
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          if (ctValue(x, y, slice) !== hu.lesion) continue;
          box = { minX: Math.min(box.minX, x), minY: Math.min(box.minY, y), maxX: Math.max(box.maxX, x), maxY: Math.max(box.maxY, y), pixels: box.pixels + 1 };
        }
      if (box.pixels > 0) expected.set(slice, box);
    }
    expect(lesion!.getAnnotationFrames()).toEqual([...expected.keys()]);
    expect([...expected.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const [slice, box] of expected) {
      expect(lesion!.getAnnotation(slice).coordinates).toMatchObject({
        topLeftX: box.minX / width,
        topLeftY: box.minY / height,
        width: (box.maxX - box.minX + 1) / width,
        height: (box.maxY - box.minY + 1) / height,
      });
    }
    const largest = Math.max(...[...expected.values()].map((b) => b.pixels)) / (width * height);
    expect(priority).toBeCloseTo(largest * 10, 6);
  });

  test("volume-intensity (videoSampler on a NIfTI volume) sets priority from the brightest sampled slice", async () => {
    const hash = await projectWith([join(scans, "head.nii.gz")]);
    const output = await run("scans/volume-intensity.ts", hash);
    expect(output).toMatch(/Triage\s+1\s+1\s+0\s/);
    expect(await titlesIn(hash, "Review")).toEqual(["head.nii.gz"]);
    // Mean of each even slice windowed cal_min…cal_max to 0–255, from the pattern.
    const [ni, nj, nk] = headVolume.dims;
    const { min, max } = headVolume.cal;
    let brightest = 0;
    for (let k = 0; k < nk; k += 2) {
      let sum = 0;
      for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) sum += Math.round(((headValue(i, j, k) - min) * 255) / (max - min));
      brightest = Math.max(brightest, sum / (ni * nj));
    }
    const { priority } = await only(hash);
    expect(priority).toBeCloseTo(brightest / 255, 6);
    expect(priority).toBeGreaterThan(0.1);
  });

  test("pdf-figures boxes the figure of every page (videoFrames), then names the first page's from its crop (objectCrops)", async () => {
    const hash = await projectWith([join(scans, "three-pages.pdf")]);
    await run("scans/pdf-figures.ts", hash);
    expect(await titlesIn(hash, "Review")).toEqual(["three-pages.pdf"]);
    const { row } = await only(hash);
    const figures = row.getObjectInstances();
    expect(figures.map((f) => f.getAnnotationFrames())).toEqual([[0], [1], [2]]);
    // Page 0's red rectangle: x 20–80 of 200 pt, y 20–60 of 100 pt from the bottom (40–80 from the top).
    const first = figures[0]!.getAnnotation(0).coordinates as { topLeftX: number; topLeftY: number; width: number; height: number };
    expect(first.topLeftX).toBeCloseTo(0.1, 2);
    expect(first.topLeftY).toBeCloseTo(0.4, 2);
    expect(first.width).toBeCloseTo(0.3, 2);
    expect(first.height).toBeCloseTo(0.4, 2);
    const colour = row.ontology.getChildByTitle("Colour", "attribute");
    expect((figures[0]!.getAnswer(colour) as { label: string } | undefined)?.label).toBe("red");
    // Only the first page's figures are cropped and described.
    expect(figures[1]!.getAnswer(colour)).toBeUndefined();
  });
});
