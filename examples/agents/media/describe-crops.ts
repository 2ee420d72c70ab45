/**
 * Example for `objectCrops` and the image encodings: on the "Describe" stage of
 * examples/media-project.yaml (run find-blobs.ts first), it takes the pixels of every box on
 * frame 0, builds the image part a vision model takes (Anthropic's Messages API here; OpenAI's
 * `toOpenAIContent()` works the same way), and answers each box's "Colour" attribute.
 *
 * The model call is stood in for by a local look at the crop, so the example runs offline; the
 * commented request shows where a real call goes.
 *
 *   task-agents run examples/agents/media/describe-crops.ts --project-hash <uuid>
 */
import { Runner, labelRow, objectCrops, type AnthropicImageContent, type HandlerContext, type RgbImage } from "task-agents";
import { colourOf, type BlobColour } from "./blobs.js";

const runner = new Runner();
const deps = { labelRow, crops: objectCrops };

/**
 * Stands in for a vision model. A real one would be:
 *   await anthropic.messages.create({ model, max_tokens: 5, messages: [{ role: "user", content: [
 *     content, { type: "text", text: "One word: the colour of the shape (red, green, blue or other)." }] }] })
 */
function askModel(content: AnthropicImageContent, crop: RgbImage): BlobColour {
  if (content.source.data.length === 0) throw new Error("empty image");
  const counts = new Map<BlobColour, number>();
  for (let i = 0; i < crop.data.length; i += 3) {
    const colour = colourOf(crop.data[i]!, crop.data[i + 1]!, crop.data[i + 2]!);
    if (colour) counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "other";
}

export async function describeCrops({ labelRow, crops, logger }: HandlerContext<typeof deps>) {
  const colour = labelRow.ontology.getChildByTitle("Colour", "attribute");
  for (const { instance, image, box } of crops) {
    const content = await image.toAnthropicContent({ format: "png" });
    const answer = askModel(content, image);
    instance.setAnswer(labelRow.ontology.getChildByTitle(answer, "option"), { attribute: colour, manualAnnotation: false });
    logger.info(`${box.width}x${box.height} box at (${box.x}, ${box.y}) is ${answer}`);
  }
  return { pathway: "review", labelRow };
}

runner.stage("Describe", { deps }, describeCrops);

export default runner;
await runner.run();
