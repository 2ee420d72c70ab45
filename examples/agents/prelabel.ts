/**
 * The demo's agent: for each task in "Pre-label" it sets a priority from the item's client
 * metadata and size, and routes it on image size: thumbnails too small to annotate are skipped
 * to "Complete", the rest go to "Annotate".
 *
 * Run it on its own:   npx tsx examples/agents/prelabel.ts --project-hash <uuid> --store demo.db
 * or through the CLI:  task-agents run examples/agents/prelabel.ts --project-hash <uuid>
 */
import { defineDependency, labelRow, Runner, storageItem } from "task-agents";

const runner = new Runner();

/** Width and height of the image, from its storage item (read from the file when it was added). */
const imageSize = defineDependency({
  deps: { storageItem },
  resolve: ({ storageItem }) => ({ width: storageItem.width ?? 0, height: storageItem.height ?? 0 }),
});

const minimumSide = 32;

runner.stage("Pre-label", { deps: { labelRow, storageItem, imageSize } }, ({ labelRow, storageItem, imageSize, logger }) => {
  if (Math.min(imageSize.width, imageSize.height) < minimumSide) {
    logger.info(`${imageSize.width}x${imageSize.height} is too small to annotate; skipping`);
    return "skip";
  }
  // Urgent items first; among the rest, larger images first.
  const urgent = storageItem.clientMetadata.urgent === true;
  const megapixels = (imageSize.width * imageSize.height) / 1e6;
  labelRow.setPriority(urgent ? 0.9 : Math.min(0.8, 0.2 + megapixels * 10));
  return { pathway: "annotate", labelRow };
});

export default runner;

// As a script this parses its own flags; under `task-agents run` this line does nothing.
await runner.run();
