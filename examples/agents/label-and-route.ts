/**
 * The README's labelling agent: answers the "Size" classification, pre-labels a "Cat" box and
 * routes on the answer. Runs on the example project:
 *
 *   task-agents run examples/agents/label-and-route.ts --project-hash <uuid>
 */
import { BoundingBoxCoordinates, labelRow, Runner } from "task-agents";

const runner = new Runner();

runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
  const ontology = labelRow.ontology;

  // A classification answered by "a model": on frame 0, not a manual annotation.
  const size = ontology.getChildByTitle("Size", "classification").createInstance();
  size.setForFrames({ frames: 0, manualAnnotation: false });
  size.setAnswer(ontology.getChildByTitle(labelRow.width! < 32 ? "thumbnail" : "regular", "option"));
  labelRow.addClassificationInstance(size);

  // A box, coordinates normalised to 0..1.
  const cat = ontology.getChildByTitle("Cat", "object").createInstance();
  cat.setForFrames(new BoundingBoxCoordinates({ topLeftX: 0.25, topLeftY: 0.25, width: 0.5, height: 0.5 }), {
    frames: 0,
    confidence: 0.8,
    manualAnnotation: false,
  });
  labelRow.addObjectInstance(cat);

  // Route on the answer; the row is saved (then the task moved) with the batch.
  const answer = size.getAnswer(); // the AttributeOption chosen
  return { pathway: answer === ontology.getChildByTitle("thumbnail", "option") ? "skip" : "annotate", labelRow };
});

export default runner;
await runner.run();
