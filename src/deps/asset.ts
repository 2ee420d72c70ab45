import { makeDependency } from "./define-dependency.js";
import { mediaAccess } from "./media-access.js";

/**
 * The path of the task's media file on local disk, valid while the task runs. On the local store
 * it is the file that was added (never removed); on Encord the signed URL is downloaded, streamed
 * to a private temp folder with a suffix from the MIME type, and removed after the task, also
 * when the handler throws. Image groups and data groups have no single file: their error says to
 * use `singleFrame({ frame: N })`.
 * @example
 * runner.stage("Pre-label", { deps: { asset } }, async ({ asset }) => { const bytes = await readFile(asset); … });
 */
export const asset = makeDependency<string>({
  deps: { media: mediaAccess },
  prefetch: [],
  label: "asset",
  resolve: ({ valueOf }) => valueOf(mediaAccess).file(),
});
