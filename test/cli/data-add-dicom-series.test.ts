/**
 * `data add` of a folder of DICOM slices: one `dicomSeries` item whose children are the slices in
 * frame order (InstanceNumber, then position along the slice normal, then file name), read back
 * through LocalBackend.getChildItems and a Runner's singleFrame/videoFrames; a series that cannot
 * be one volume stops the whole command and adds nothing.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { Runner, localBackend, singleFrame, videoFrames, type RawFrame } from "../../src/index.js";
import { dicomFile, rampSlice } from "../../scripts/media/medical-files.js";
import { cli, cliOk, createDemoProject, expectUserError, freshStore, listTasks, paths, stageCounts } from "./cli-helpers.js";

const [width, height] = [6, 4];
const seriesUid = "1.2.826.0.1.3680043.2.1125.8.42";
// Sagittal slices: rows along +y, columns along −z, so the slice normal is −x and the slice
// furthest along it is the one with the smallest x.
const sagittal = [0, 1, 0, 0, 0, -1];

/** A slice whose pixels are rampSlice(…, pattern): the pattern says which file a frame came from. */
function writeSlice(
  folder: string,
  name: string,
  pattern: number,
  header: { instanceNumber?: number; x?: number; size?: [number, number]; series?: string },
): void {
  const [w, h] = header.size ?? [width, height];
  writeFileSync(
    join(folder, name),
    dicomFile({
      width: w,
      height: h,
      pixels: rampSlice(w, h, pattern),
      signed: true,
      seriesUid: header.series ?? seriesUid,
      sopUid: `1.2.826.0.1.3680043.2.1125.9.${pattern}`,
      ...(header.instanceNumber !== undefined ? { instanceNumber: header.instanceNumber } : {}),
      ...(header.x !== undefined ? { position: [header.x, 0, 0] as const, orientation: sagittal } : {}),
    }),
  );
}

/** The pattern number a raw slice was written with (its first value is pattern × 1000 − 1024). */
const patternOf = (frame: RawFrame) => (Number(frame.data[0]) + 1024) / 1000;

describe("data add <folder of DICOM slices>", () => {
  test("makes one series item; its children are the slices in frame order; singleFrame(N) is slice N", async () => {
    using dirs = freshStore();
    const folder = join(dirs.dir, "chest-ct");
    mkdirSync(folder);
    // File-name order is none of the frame orders: InstanceNumber decides first; the two slices
    // numbered 3 go by position along the normal (−x), so x = 5 before x = −5; the slice without
    // an InstanceNumber comes last.
    writeSlice(folder, "a.dcm", 3, { instanceNumber: 3, x: -5 });
    writeSlice(folder, "b.dcm", 0, { instanceNumber: 1, x: 0 });
    writeSlice(folder, "c.dcm", 4, { x: 9 });
    writeSlice(folder, "d.dcm", 2, { instanceNumber: 3, x: 5 });
    writeSlice(folder, "e.dcm", 1, { instanceNumber: 2, x: 1 });
    // Another series' lone file stays a DICOM file; a PNG next to them is added as usual.
    writeSlice(folder, "scout.dcm", 7, { instanceNumber: 1, series: "1.2.826.0.1.3680043.2.1125.8.99" });
    copyFileSync(join(paths.demoData, "red-square.png"), join(folder, "red-square.png"));

    const hash = await createDemoProject(dirs.store);
    const added = await cliOk(dirs.store, ["data", "add", hash, folder, "--actor", "tester"]);
    expect(added).toMatch(/\b3\b/);
    const tasks = await listTasks(dirs.store, hash);
    expect(tasks.map((t) => t.dataTitle).sort()).toEqual(["chest-ct", "red-square.png", "scout.dcm"]);

    await using backend = localBackend({ storePath: dirs.store });
    const metadata = await backend.getLabelRowMetadata(
      hash,
      tasks.map((t) => t.dataHash),
    );
    const byTitle = new Map(metadata.map((m) => [m.data_title, m]));
    const [series, scout] = await backend.getStorageItems([byTitle.get("chest-ct")!.backing_item_uuid!, byTitle.get("scout.dcm")!.backing_item_uuid!]);
    expect(series).toMatchObject({ itemType: "dicomSeries", mimeType: "application/dicom", width, height, frameCount: 5 });
    expect(scout).toMatchObject({ itemType: "dicomFile", width, height, frameCount: 1 });
    expect(byTitle.get("chest-ct")!.data_type).toMatch(/dicom/i);

    const children = await backend.getChildItems(series!);
    expect(children.map((c) => c.name)).toEqual(["b.dcm", "e.dcm", "d.dcm", "a.dcm", "c.dcm"]);
    expect(children.every((c) => c.itemType === "dicomFile" && c.width === width && c.height === height)).toBe(true);
    expect(await backend.getChildItems(scout!)).toEqual([]);

    const frames = new Map<number, number>();
    let counted = -1;
    for (let n = 0; n < 5; n++) {
      const runner = new Runner({ projectHash: hash, backend });
      runner.stage("Pre-label", { deps: { slice: singleFrame({ frame: n, raw: true }) } }, ({ slice, task }) => {
        if (task.dataTitle === "chest-ct") frames.set(n, patternOf(slice));
        return null;
      });
      // Other items fail at frames they do not have; only the series is looked at.
      await runner.execute({ output: "silent", numRetries: 0 });
    }
    expect([...frames.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p)).toEqual([0, 1, 2, 3, 4]);

    const counter = new Runner({ projectHash: hash, backend });
    counter.stage("Pre-label", { deps: { frames: videoFrames } }, async ({ frames: all, task }) => {
      if (task.dataTitle !== "chest-ct") return null;
      counted = 0;
      for await (const { image } of all) if (image.width === width && image.height === height) counted++;
      return null;
    });
    await counter.execute({ output: "silent", numRetries: 0 });
    expect(counted).toBe(5);
  });

  test("each folder's slices make their own series; a later bad file stops the command after a series was read, adding nothing", async () => {
    using dirs = freshStore();
    const root = join(dirs.dir, "study");
    for (const name of ["axial", "coronal"]) {
      mkdirSync(join(root, name), { recursive: true });
      // The same SeriesInstanceUID in two folders still makes two items: series are per folder.
      writeSlice(join(root, name), "1.dcm", 1, { instanceNumber: 1 });
      writeSlice(join(root, name), "2.dcm", 2, { instanceNumber: 2 });
    }
    const hash = await createDemoProject(dirs.store);
    await cliOk(dirs.store, ["data", "add", hash, root]);
    const tasks = await listTasks(dirs.store, hash);
    expect(tasks.map((t) => t.dataTitle).sort()).toEqual(["axial", "coronal"]);
    await using backend = localBackend({ storePath: dirs.store });
    const metadata = await backend.getLabelRowMetadata(
      hash,
      tasks.map((t) => t.dataHash),
    );
    const items = await backend.getStorageItems(metadata.map((m) => m.backing_item_uuid!));
    for (const item of items) expect((await backend.getChildItems(item)).map((c) => c.name)).toEqual(["1.dcm", "2.dcm"]);
    await expect(backend.getChildItems({ ...items[0]!, uuid: "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b" })).rejects.toThrow(
      /8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b is not in this store/,
    );

    const second = join(dirs.dir, "second");
    mkdirSync(join(second, "a-series"), { recursive: true });
    mkdirSync(join(second, "z-other"));
    writeSlice(join(second, "a-series"), "1.dcm", 1, { instanceNumber: 1, series: "1.2.3.4" });
    writeSlice(join(second, "a-series"), "2.dcm", 2, { instanceNumber: 2, series: "1.2.3.4" });
    writeFileSync(join(second, "z-other", "notes.xyz"), "not media");
    const result = await cli(["--store", dirs.store, "data", "add", hash, second]);
    expectUserError(result, /notes\.xyz/, /Accepted:/);
    expect((await listTasks(dirs.store, hash)).map((t) => t.dataTitle).sort()).toEqual(["axial", "coronal"]);
    const slices = new Database(dirs.store, { readonly: true });
    try {
      expect(slices.prepare("SELECT COUNT(*) FROM storage_items WHERE parent_uuid IS NOT NULL").pluck().get()).toBe(4);
    } finally {
      slices.close();
    }
  });

  test("slices of one series in two sizes: the command fails naming both files, and nothing is added", async () => {
    using dirs = freshStore();
    const folder = join(dirs.dir, "mixed");
    mkdirSync(folder);
    writeSlice(folder, "one.dcm", 0, { instanceNumber: 1 });
    writeSlice(folder, "two.dcm", 1, { instanceNumber: 2, size: [8, 4] });
    copyFileSync(join(paths.demoData, "red-square.png"), join(folder, "red-square.png"));
    const hash = await createDemoProject(dirs.store);
    const before = await stageCounts(dirs.store, hash);
    const result = await cli(["--store", dirs.store, "data", "add", hash, folder]);
    expectUserError(result, /mixes slice sizes/, /"one\.dcm" is 6×4/, /"two\.dcm" is 8×4/, /share one size/);
    expect(await stageCounts(dirs.store, hash)).toEqual(before);
    expect(await listTasks(dirs.store, hash)).toEqual([]);
  });
});
