// The dicom-series-memory case's child process: one Runner pass over the "Pre-label" stage of a
// local store holding one DICOM series, the handler iterating `videoFrames` over every slice and
// checking each one's size, then leaving the task where it is (so the next run finds it). argv:
// storePath projectHash slices. Prints one JSON line, in MiB (2^20 bytes):
// { startMiB (RSS once loaded, the backend open, before the pass), rssMiB: { [slice]: RSS when the
// handler holds that slice, for slices 0, 50, the middle and the last }, peakMiB (every 10 ms and
// at those points), heapMiB (JS heap at the same slices), slices, failed, ms (the loop's time) }.
import { localBackend, Runner, videoFrames } from "../../dist/index.js";
import { rssSampler } from "./rss-sampler.mjs";

const [storePath, projectHash, slicesArg] = process.argv.slice(2);
const total = Number(slicesArg);
const mib = (bytes) => bytes / 2 ** 20;
const rssNow = rssSampler();
const sample = rssNow.sample;

const backend = localBackend({ storePath });
const runner = new Runner({ projectHash, backend });
const rss = {};
const heap = {};
let slices = 0;
let ms = 0;
runner.stage("Pre-label", { deps: { videoFrames } }, async ({ videoFrames }) => {
  const marks = new Set([0, 50, Math.floor(total / 2), total - 1]);
  const started = performance.now();
  for await (const { frame, image } of videoFrames) {
    if (image.data.length !== image.width * image.height * 3) throw new Error(`slice ${frame} has ${image.data.length} bytes`);
    if (marks.has(frame)) {
      rss[frame] = mib(sample());
      heap[frame] = mib(process.memoryUsage().heapUsed);
    }
    slices++;
  }
  ms = performance.now() - started;
  return null;
});
await new Promise((resolve) => setTimeout(resolve, 100));
const start = sample();
rssNow.start();
const report = await runner.execute({ output: "silent" });
rssNow.stop();
await backend.close();
process.stdout.write(
  JSON.stringify({ startMiB: mib(start), rssMiB: rss, heapMiB: heap, peakMiB: mib(rssNow.peak), slices, failed: report.stages[0].failed, ms }) + "\n",
);
