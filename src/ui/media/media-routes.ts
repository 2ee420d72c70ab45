import { NotFoundError, isTaskAgentsError } from "../../domain/errors.js";
import type { RouteModule } from "../context.js";
import { frameCacheOf } from "./frame-cache.js";
import { parseFrame } from "./frame-number.js";
import { findMediaItem, hasFrames } from "./media-item.js";

/** Media errors that mean "this frame does not exist" rather than a failure of the dashboard. */
const missingFrameCodes = new Set(["TA_UNSUPPORTED_FRAME", "TA_UNSUPPORTED_MEDIA", "TA_FILE_NOT_FOUND", "TA_DOWNLOAD_FAILED", "TA_MEDIA_DECODE"]);

/**
 * Frames of the store's data items as images: `/projects/:hash/data/:dataHash/frames/:frame`.
 * The file is the one the store recorded for the data hash; the request names no path. Frames
 * are decoded on demand and kept in the dashboard's frame cache.
 */
export const mediaRoutes: RouteModule = (app, context) => {
  app.get("/projects/:hash/data/:dataHash/frames/:frame", async (c) => {
    const projectHash = c.req.param("hash");
    const dataHash = c.req.param("dataHash");
    const frame = parseFrame(c.req.param("frame"));
    const project = await context.backend.getProject(projectHash);
    const item = await findMediaItem(context.backend, project.uuid, dataHash);
    if (item === undefined) {
      throw new NotFoundError("TA_UNKNOWN_TASK", `Project ${JSON.stringify(project.title)} has no data item ${JSON.stringify(dataHash)}.`);
    }
    if (!hasFrames(item)) return c.text(`${JSON.stringify(item.dataTitle)} is ${item.storageItem.itemType}: it has no frames to show.`, 404);
    try {
      const image = await frameCacheOf(context).get(item, frame);
      return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
        "Content-Type": image.contentType,
        // A data hash's file never changes: the browser may keep the frame.
        "Cache-Control": "private, max-age=86400, immutable",
      });
    } catch (error) {
      if (isTaskAgentsError(error) && missingFrameCodes.has(error.code)) return c.text(error.message, 404);
      throw error;
    }
  });
};
