/**
 * Example for `videoFrames`: on the "Detect" stage of examples/media-project.yaml, it goes through
 * every frame of each item (an image has one, the clip 48), finds the coloured blobs, and writes one
 * "Blob" box per colour (around its largest blob) on every frame where that colour shows. Items with blobs go on to
 * "describe", the rest to "nothing found".
 *
 *   task-agents projects create --spec examples/media-project.yaml     # prints the project hash
 *   task-agents data add --project-hash <uuid> examples/media
 *   task-agents run examples/agents/media/find-blobs.ts --project-hash <uuid>
 */
import { BoundingBoxCoordinates, Runner, labelRow, videoFrames, type HandlerContext, type ObjectInstance } from "task-agents";
import { findBlobs } from "./blobs.js";

const runner = new Runner();
const deps = { labelRow, videoFrames };

export async function findBlobsHandler({ labelRow, videoFrames, logger }: HandlerContext<typeof deps>) {
  const blob = labelRow.ontology.getChildByTitle("Blob", "object");
  const byColour = new Map<string, ObjectInstance>();
  for await (const { frame, image } of videoFrames) {
    const largestByColour = new Map<string, ReturnType<typeof findBlobs>[number]>();
    for (const found of findBlobs(image)) {
      if ((largestByColour.get(found.colour)?.pixels ?? 0) < found.pixels) largestByColour.set(found.colour, found);
    }
    for (const found of largestByColour.values()) {
      let instance = byColour.get(found.colour);
      if (!instance) {
        instance = blob.createInstance();
        byColour.set(found.colour, instance);
      }
      const box = new BoundingBoxCoordinates({
        topLeftX: found.minX / image.width,
        topLeftY: found.minY / image.height,
        width: (found.maxX - found.minX + 1) / image.width,
        height: (found.maxY - found.minY + 1) / image.height,
      });
      instance.setForFrames(box, { frames: frame, manualAnnotation: false, confidence: 0.9 });
    }
  }
  for (const instance of byColour.values()) labelRow.addObjectInstance(instance);
  logger.info(`${byColour.size} blob colour(s) over ${labelRow.numberOfFrames ?? 1} frame(s)`);
  return { pathway: byColour.size > 0 ? "describe" : "nothing found", labelRow };
}

runner.stage("Detect", { deps }, findBlobsHandler);

export default runner;
await runner.run();
