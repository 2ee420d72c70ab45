// Memory of a pass over a 500-slice DICOM series with `videoFrames`: the series (512×512 16-bit
// slices, 512 KiB of pixels each, 250 MiB in all) is added to a local store with `data add` of its
// folder, then a child process (bench/lib/series-memory-child.mjs) runs a Runner whose handler
// iterates every slice, sampling RSS at slices 0, 50, 250 and 499. "Flat" means the RSS grows by
// less than 32 MiB from slice 50 to the last (the first 50 slices warm up: code, the codec
// paths, the allocator's pools); keeping every slice would grow it by ~625 MiB (RGB plus raw).
// value = that growth in MiB (median of 3 child runs); baselineValue = the RSS at slice 50 and
// ratio = RSS at the last slice ÷ RSS at slice 50. MiB = 2^20 bytes.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tsImport } from "tsx/esm/api";
import { localBackend } from "../../dist/index.js";
import { demoSpec, median, repoPath, tempDir } from "../lib/common.mjs";

export const name = "dicom-series-memory";
export const unit = "MiB";
export const target = { kind: "max", value: 32, of: "value", text: "RSS grows < 32 MiB after the first 50 slices (flat)" };

function slicePixels(size, slice) {
  const pixels = new Int16Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels[y * size + x] = ((x * 7 + y * 3 + slice * 11) % 2000) - 1000 + 1024;
  return pixels;
}

export async function run({ smoke }) {
  const { dicomFile } = await tsImport("../../scripts/media/medical-files.ts", import.meta.url);
  const [count, size] = smoke ? [60, 64] : [500, 512];
  const dir = tempDir("series");
  const folder = join(dir, "series");
  mkdirSync(folder);
  for (let slice = 0; slice < count; slice++) {
    const bytes = dicomFile({
      width: size,
      height: size,
      pixels: slicePixels(size, slice),
      signed: true,
      rescale: { slope: 1, intercept: -1024 },
      instanceNumber: slice + 1,
      position: [0, 0, slice],
      seriesUid: "1.2.826.0.1.3680043.2.1125.8.500",
    });
    writeFileSync(join(folder, `slice-${String(slice).padStart(3, "0")}.dcm`), bytes);
  }
  const storePath = join(dir, "store.db");
  const store = localBackend({ storePath });
  const projectHash = store.createProject(demoSpec);
  await store.addData(projectHash, { paths: [folder], actor: "bench" });
  await store.close();

  const runs = [];
  for (let i = 0; i < (smoke ? 1 : 3); i++) {
    const result = spawnSync(process.execPath, [repoPath("bench/lib/series-memory-child.mjs"), storePath, projectHash, String(count)], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`series child exited ${result.status}:\n${result.stderr}`);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1));
    if (report.failed > 0 || report.slices !== count) throw new Error(`the pass read ${report.slices} of ${count} slices, ${report.failed} task(s) failed`);
    runs.push(report);
  }
  const mid = Math.floor(count / 2);
  const at = (slice) => median(runs.map((r) => r.rssMiB[slice]));
  const growth = median(runs.map((r) => r.rssMiB[count - 1] - r.rssMiB[50]));
  const perRun = (f) => runs.map(f).join(", ");
  return {
    value: growth,
    baseline: "RSS at slice 50",
    baselineValue: at(50),
    ratio: at(count - 1) / at(50),
    details: {
      series: `${count} slices of ${size}×${size}, 16-bit, one dicomSeries item of a local store`,
      "RSS at start / slice 0 / 50 / middle / end (MiB)":
        `${median(runs.map((r) => r.startMiB)).toFixed(0)} / ${at(0).toFixed(0)} / ` +
        `${at(50).toFixed(0)} / ${at(mid).toFixed(0)} / ${at(count - 1).toFixed(0)}`,
      "JS heap at slice 50 / end (MiB)": `${median(runs.map((r) => r.heapMiB[50])).toFixed(0)} / ${median(runs.map((r) => r.heapMiB[count - 1])).toFixed(0)}`,
      "peak RSS per run (MiB)": perRun((r) => r.peakMiB.toFixed(0)),
      "growth after slice 50 per run (MiB)": perRun((r) => (r.rssMiB[count - 1] - r.rssMiB[50]).toFixed(1)),
      "slices/s through the Runner (videoFrames, RGB)": `${median(runs.map((r) => (count * 1000) / r.ms)).toFixed(0)}`,
    },
  };
}
