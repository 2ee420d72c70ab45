/**
 * Example for `videoFrames` on a DICOM series: on the "Triage" stage of
 * examples/scans-project.yaml, it goes through the series slice by slice (each slice windowed to
 * 8 bits with the file's own window), boxes the bright region of each slice as a "Lesion" on that
 * frame, and gives series with a larger lesion a higher priority. Series with a lesion go on to
 * "review", the rest to "nothing found".
 *
 *   task-agents project create examples/scans-project.yaml      # prints the project hash
 *   task-agents data add <uuid> examples/scans/ct-series        # one DICOM series item, 8 slices
 *   task-agents run examples/agents/scans/box-lesions.ts --project-hash <uuid>
 */
import { BoundingBoxCoordinates, Runner, labelRow, videoFrames, type HandlerContext } from "task-agents";
import { brightBox } from "./regions.js";

const runner = new Runner();
const deps = { labelRow, videoFrames };

/** Soft tissue shows at about 100 of 255 in a soft-tissue window; what is much brighter stands out. */
const brighterThan = 180;

export async function boxLesions({ labelRow, videoFrames, logger }: HandlerContext<typeof deps>) {
  const lesion = labelRow.ontology.getChildByTitle("Lesion", "object").createInstance();
  let largest = 0;
  let slices = 0;
  for await (const { frame, image } of videoFrames) {
    slices++;
    const box = brightBox(image, brighterThan);
    if (!box) continue;
    largest = Math.max(largest, box.pixels / (image.width * image.height));
    const coordinates = new BoundingBoxCoordinates({
      topLeftX: box.minX / image.width,
      topLeftY: box.minY / image.height,
      width: (box.maxX - box.minX + 1) / image.width,
      height: (box.maxY - box.minY + 1) / image.height,
    });
    lesion.setForFrames(coordinates, { frames: frame, manualAnnotation: false, confidence: 0.8 });
  }
  const onSlices = lesion.getAnnotationFrames().length;
  logger.info(`lesion on ${onSlices} of ${slices} slice(s), at most ${(largest * 100).toFixed(1)}% of a slice`);
  if (onSlices === 0) return "nothing found";
  labelRow.addObjectInstance(lesion);
  // Larger lesions first: a tenth of a slice is the most urgent.
  return { pathway: "review", labelRow, labelRowPriority: Math.min(1, largest * 10) };
}

runner.stage("Triage", { deps }, boxLesions);

export default runner;
await runner.run();
