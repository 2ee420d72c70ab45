/**
 * The demo's pre-labelling logic, shared by the Runner (prelabel.ts) and the QueueRunner
 * (prelabel-queue.ts): priority from client metadata and size, routing on image size.
 */
import { defineDependency, labelRow, storageItem, type HandlerContext, type HandlerResult } from "task-agents";

/** Width and height of the image, from its storage item (read from the file when it was added). */
export const imageSize = defineDependency({
  name: "imageSize",
  deps: { storageItem },
  resolve: ({ storageItem }) => ({ width: storageItem.width ?? 0, height: storageItem.height ?? 0 }),
});

export const prelabelDeps = { labelRow, storageItem, imageSize };

const minimumSide = 32;

/** Thumbnails too small to annotate go to "skip"; the rest get a priority and go to "annotate". */
export function prelabel({ labelRow, storageItem, imageSize, logger }: HandlerContext<typeof prelabelDeps>): HandlerResult {
  if (Math.min(imageSize.width, imageSize.height) < minimumSide) {
    logger.info(`${imageSize.width}x${imageSize.height} is too small to annotate; skipping`);
    return "skip";
  }
  // Urgent items first; among the rest, larger images first.
  const urgent = storageItem.clientMetadata.urgent === true;
  const megapixels = (imageSize.width * imageSize.height) / 1e6;
  labelRow.setPriority(urgent ? 0.9 : Math.min(0.8, 0.2 + megapixels * 10));
  return { pathway: "annotate", labelRow };
}
