/**
 * Example for `videoSampler`: on the "Detect" stage of examples/media-project.yaml, it looks at
 * every 4th frame (a rate of 0.25; an image has just frame 0) and answers the "Lighting"
 * classification from their mean brightness. Sampling skips unwanted frames in the decoder, so a
 * long video costs a fraction of a full pass.
 *
 *   task-agents run examples/agents/media/sample-lighting.ts --project-hash <uuid>
 */
import { Runner, labelRow, videoSampler, type HandlerContext } from "task-agents";
import { meanBrightness } from "./blobs.js";

const runner = new Runner();
const deps = { labelRow, videoSampler };

export async function sampleLighting({ labelRow, videoSampler, logger }: HandlerContext<typeof deps>) {
  const levels: number[] = [];
  for await (const { image } of videoSampler(0.25)) levels.push(meanBrightness(image));
  const mean = levels.reduce((a, b) => a + b, 0) / levels.length;

  const ontology = labelRow.ontology;
  const lighting = ontology.getChildByTitle("Lighting", "classification");
  const answer = lighting.createInstance();
  const lastFrame = (labelRow.numberOfFrames ?? 1) - 1;
  answer.setForFrames({ frames: { start: 0, end: lastFrame }, manualAnnotation: false });
  answer.setAnswer(ontology.getChildByTitle(mean >= 100 ? "bright" : "dark", "option"), { manualAnnotation: false });
  labelRow.addClassificationInstance(answer);
  logger.info(`mean brightness ${mean.toFixed(1)} over ${levels.length} sampled frame(s)`);
  return { pathway: "describe", labelRow };
}

runner.stage("Detect", { deps }, sampleLighting);

export default runner;
await runner.run();
