/**
 * Example for `videoFrames` and `objectCrops` on a PDF: on the "Triage" stage of
 * examples/scans-project.yaml, it renders every page (frame N = page N, at 150 dpi by default),
 * boxes each coloured figure as a "Figure" on its page, and sends documents with figures to
 * "describe"; on "Describe" it crops each figure of the first page out of the rendered page, as a
 * vision model would be given it, and answers the figure's "Colour".
 *
 *   task-agents data add <uuid> examples/scans/three-pages.pdf
 *   task-agents run examples/agents/scans/pdf-figures.ts --project-hash <uuid>
 */
import { BoundingBoxCoordinates, Runner, labelRow, objectCrops, videoFrames, type HandlerContext } from "task-agents";
import { colourOf, findBlobs, type BlobColour } from "../media/blobs.js";

const runner = new Runner();
const findDeps = { labelRow, videoFrames };
const describeDeps = { labelRow, crops: objectCrops };

export async function findFigures({ labelRow, videoFrames, logger }: HandlerContext<typeof findDeps>) {
  const figure = labelRow.ontology.getChildByTitle("Figure", "object");
  let found = 0;
  for await (const { frame, image } of videoFrames) {
    for (const blob of findBlobs(image)) {
      const instance = figure.createInstance();
      const box = new BoundingBoxCoordinates({
        topLeftX: blob.minX / image.width,
        topLeftY: blob.minY / image.height,
        width: (blob.maxX - blob.minX + 1) / image.width,
        height: (blob.maxY - blob.minY + 1) / image.height,
      });
      instance.setForFrames(box, { frames: frame, manualAnnotation: false, confidence: 0.9 });
      labelRow.addObjectInstance(instance);
      found++;
    }
  }
  logger.info(`${found} figure(s) on ${labelRow.numberOfFrames ?? 1} page(s)`);
  return { pathway: found > 0 ? "describe" : "nothing found", labelRow };
}

export async function describeFigures({ labelRow, crops, logger }: HandlerContext<typeof describeDeps>) {
  const ontology = labelRow.ontology;
  const colour = ontology.getChildByTitle("Colour", "attribute");
  for (const { instance, image } of crops) {
    // Stands in for a vision model given `await image.toAnthropicContent()`: the crop's most common colour.
    const counts = new Map<BlobColour, number>();
    for (let i = 0; i < image.data.length; i += 3) {
      const named = colourOf(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!);
      if (named) counts.set(named, (counts.get(named) ?? 0) + 1);
    }
    const answer = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "other";
    instance.setAnswer(ontology.getChildByTitle(answer, "option"), { attribute: colour, manualAnnotation: false });
  }
  logger.info(`${crops.length} figure(s) on the first page described`);
  return { pathway: "review", labelRow };
}

runner.stage("Triage", { deps: findDeps }, findFigures);
runner.stage("Describe", { deps: describeDeps }, describeFigures);

export default runner;
await runner.run();
