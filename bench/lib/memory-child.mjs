// The memory case's child process: one Runner pass over the "Pre-label" stage of a local store
// with a no-op handler returning a pathway, sampling this process's RSS. argv: storePath
// projectHash checkpoint. Prints one JSON line, in MB (10^6 bytes): { beforeMb (RSS once loaded,
// the backend open and the handler registered, before the pass), atCheckpointMb (RSS when the
// handler sees task number `checkpoint`), afterMb (RSS when the pass ended), peakMb (the larger
// of the highest sample, every 10 ms and at those points, and the kernel's maxRSS), the JS heap at
// the same points and after a full GC at the end (run it with --expose-gc), seen, failed }.
import { localBackend, Runner } from "../../dist/index.js";
import { rssSampler } from "./rss-sampler.mjs";

const [storePath, projectHash, checkpointArg] = process.argv.slice(2);
const checkpoint = Number(checkpointArg);
const mb = (bytes) => bytes / 1e6;
const rssNow = rssSampler();
const sample = rssNow.sample;

const backend = localBackend({ storePath });
const runner = new Runner({ projectHash, backend });
let seen = 0;
let atCheckpoint;
let heapAtCheckpoint;
runner.stage("Pre-label", () => {
  if (++seen === checkpoint) {
    atCheckpoint = sample();
    heapAtCheckpoint = process.memoryUsage().heapUsed;
  }
  return "annotate";
});
await new Promise((resolve) => setTimeout(resolve, 100));
const before = sample();
const heapBefore = process.memoryUsage().heapUsed;
rssNow.start();
const report = await runner.execute({ output: "silent" });
const after = sample();
const heapAfter = process.memoryUsage().heapUsed;
rssNow.stop();
const peakRss = Math.max(rssNow.peak, process.resourceUsage().maxRSS * 1024);
// With --expose-gc: what the heap holds once garbage is gone (the report is still referenced).
globalThis.gc?.();
const heapAfterGc = process.memoryUsage().heapUsed;
await backend.close();
const stage = report.stages[0];
process.stdout.write(
  JSON.stringify({
    beforeMb: mb(before),
    atCheckpointMb: atCheckpoint === undefined ? null : mb(atCheckpoint),
    afterMb: mb(after),
    peakMb: mb(peakRss),
    heapBeforeMb: mb(heapBefore),
    heapAtCheckpointMb: heapAtCheckpoint === undefined ? null : mb(heapAtCheckpoint),
    heapAfterMb: mb(heapAfter),
    heapAfterGcMb: mb(heapAfterGc),
    seen: stage.seen,
    failed: stage.failed,
  }) + "\n",
);
