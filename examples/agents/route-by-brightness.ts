/**
 * Example for `singleFrame`: on the demo project's "Pre-label" stage it decodes each image to RGB
 * pixels and routes on mean brightness: bright images to "annotate", dark ones to "skip". The
 * same code reads frame 0 of a video or image N of an image group (`singleFrame({ frame: N })`).
 *
 *   task-agents run examples/agents/route-by-brightness.ts --project-hash <demo project uuid>
 */
import { Runner, singleFrame, type HandlerContext } from "task-agents";
import { meanBrightness } from "./media/blobs.js";

const runner = new Runner();
const deps = { image: singleFrame };

export function routeByBrightness({ image, logger }: HandlerContext<typeof deps>) {
  const brightness = meanBrightness(image);
  logger.info(`${image.width}x${image.height}, mean brightness ${brightness.toFixed(1)}`);
  return brightness >= 126 ? "annotate" : "skip";
}

runner.stage("Pre-label", { deps }, routeByBrightness);

export default runner;
await runner.run();
