/**
 * Example for `videoSampler` on a NIfTI volume: on the "Triage" stage of
 * examples/scans-project.yaml, it reads every other slice of the volume (slices along its third
 * axis, windowed with the file's cal_min … cal_max), takes each one's mean intensity, and sets the
 * task's priority from the brightest, so volumes with the most bright tissue are reviewed first.
 * Unsampled slices are never decoded.
 *
 *   task-agents data add <uuid> examples/scans/head.nii.gz
 *   task-agents run examples/agents/scans/volume-intensity.ts --project-hash <uuid>
 */
import { Runner, videoSampler, type HandlerContext } from "task-agents";
import { meanIntensity } from "./regions.js";

const runner = new Runner();
const deps = { videoSampler };

export async function volumeIntensity({ videoSampler, logger }: HandlerContext<typeof deps>) {
  let brightest = { frame: -1, mean: -1 };
  for await (const { frame, image } of videoSampler(0.5)) {
    const mean = meanIntensity(image);
    if (mean > brightest.mean) brightest = { frame, mean };
  }
  logger.info(`brightest sampled slice ${brightest.frame}, mean intensity ${brightest.mean.toFixed(1)}`);
  return { pathway: "review", labelRowPriority: brightest.mean / 255 };
}

// A priority without the labelRow dependency is declared at registration.
runner.stage("Triage", { deps, willSetPriority: true }, volumeIntensity);

export default runner;
await runner.run();
