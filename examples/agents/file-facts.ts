/**
 * Example for `asset`: on the demo project's "Pre-label" stage it reads each task's file from
 * local disk (on Encord, a download that is removed after the task), records its SHA-256 and
 * format, and gives larger files a higher priority. Any library that wants a path (a model
 * runtime, ffmpeg, an OCR tool) can take `asset` as it is.
 *
 *   task-agents run examples/agents/file-facts.ts --project-hash <demo project uuid>
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { Runner, asset, labelRow, type HandlerContext } from "task-agents";

const runner = new Runner();
const deps = { asset, labelRow };

export async function fileFacts({ asset, labelRow, logger }: HandlerContext<typeof deps>) {
  const bytes = await readFile(asset);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  logger.info(`${extname(asset)} file, ${bytes.length} bytes, sha256 ${sha256.slice(0, 16)}…`);
  return { pathway: "annotate", labelRow, labelRowPriority: Math.min(1, bytes.length / 20_000) };
}

runner.stage("Pre-label", { deps }, fileFacts);

export default runner;
await runner.run();
