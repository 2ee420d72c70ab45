/**
 * The demo's pre-labelling logic, shared by the Runner (prelabel.ts) and the QueueRunner
 * (prelabel-queue.ts): it answers the "Size" classification, pre-labels a "Cat" box on images
 * worth annotating, sets a priority from client metadata and size, and routes on the answer.
 */
import { BoundingBoxCoordinates, defineDependency, labelRow, storageItem, type HandlerContext, type HandlerResult } from "task-agents";

/** Width and height of the image, from its storage item (read from the file when it was added). */
export const imageSize = defineDependency({
  name: "imageSize",
  deps: { storageItem },
  resolve: ({ storageItem }) => ({ width: storageItem.width ?? 0, height: storageItem.height ?? 0 }),
});

export const prelabelDeps = { labelRow, storageItem, imageSize };

const minimumSide = 32;

/** Stands in for a detector: a box over the middle of the image, in coordinates normalised to 0..1. */
function detectCat(): BoundingBoxCoordinates {
  return new BoundingBoxCoordinates({ topLeftX: 0.25, topLeftY: 0.25, width: 0.5, height: 0.5 });
}

/** Thumbnails too small to annotate go to "skip"; the rest get a box, a priority and go to "annotate". */
export function prelabel({ labelRow, storageItem, imageSize, logger }: HandlerContext<typeof prelabelDeps>): HandlerResult {
  const ontology = labelRow.ontology;
  const size = ontology.getChildByTitle("Size", "classification");
  const thumbnail = ontology.getChildByTitle("thumbnail", "option");
  const regular = ontology.getChildByTitle("regular", "option");

  // Answer "Size" on frame 0 (an image has one frame); a model's answer, so not manual.
  const sizeAnswer = size.createInstance();
  sizeAnswer.setForFrames({ frames: 0, manualAnnotation: false });
  sizeAnswer.setAnswer(Math.min(imageSize.width, imageSize.height) < minimumSide ? thumbnail : regular, { manualAnnotation: false });
  labelRow.addClassificationInstance(sizeAnswer);

  // Route on the answer.
  if (sizeAnswer.getAnswer() === thumbnail) {
    logger.info(`${imageSize.width}x${imageSize.height} is too small to annotate; skipping`);
    return { pathway: "skip", labelRow };
  }

  // Pre-label a box for the annotators to correct; model output, so not a manual annotation.
  const cat = ontology.getChildByTitle("Cat", "object").createInstance();
  cat.setForFrames(detectCat(), { frames: 0, confidence: 0.5, manualAnnotation: false });
  labelRow.addObjectInstance(cat);

  // Urgent items first; among the rest, larger images first.
  const urgent = storageItem.clientMetadata.urgent === true;
  const megapixels = (imageSize.width * imageSize.height) / 1e6;
  labelRow.setPriority(urgent ? 0.9 : Math.min(0.8, 0.2 + megapixels * 10));
  return { pathway: "annotate", labelRow };
}
