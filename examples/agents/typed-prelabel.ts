/**
 * The demo's agent with a typed project: the stage, its pathways and the ontology come from
 * demo-project.ts, which `task-agents codegen examples/demo-project.yaml --out
 * examples/agents/demo-project.ts` wrote. A typo in "Pre-label", "annotate" or "thumbnail" is a
 * compile error, and a run against a project whose workflow or ontology changed stops before
 * touching a task.
 *
 *   task-agents run examples/agents/typed-prelabel.ts --project-hash <uuid>
 */
import { BoundingBoxCoordinates, labelRow, Runner } from "task-agents";
import demo from "./demo-project.js";

const runner = new Runner({ project: demo });
const { Cat } = demo.ontology.objects;
const { Size } = demo.ontology.classifications;

runner.stage("Pre-label", { deps: { labelRow }, onFailure: "skip" }, ({ labelRow }) => {
  const ontology = labelRow.ontology;
  const thumbnail = ontology.getChild(Size.options.thumbnail);

  const size = ontology.getChild(Size).createInstance();
  size.setForFrames({ frames: 0, manualAnnotation: false });
  size.setAnswer((labelRow.width ?? 0) < 32 ? thumbnail : ontology.getChild(Size.options.regular), { manualAnnotation: false });
  labelRow.addClassificationInstance(size);
  if (size.getAnswer() === thumbnail) return { pathway: "skip", labelRow };

  const cat = ontology.getChild(Cat).createInstance();
  cat.setForFrames(new BoundingBoxCoordinates({ topLeftX: 0.25, topLeftY: 0.25, width: 0.5, height: 0.5 }), {
    frames: 0,
    confidence: 0.5,
    manualAnnotation: false,
  });
  labelRow.addObjectInstance(cat);
  return { pathway: "annotate", labelRow };
});

export default runner;
await runner.run();
