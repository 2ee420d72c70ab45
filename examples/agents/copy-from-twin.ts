/**
 * Example for `twinLabelRow`: the "Copy" stage of examples/twin-project.yaml holds the demo's
 * images a second time. For each task it reads the label row of the same image in the demo project
 * (the twin, fetched in bulk per batch), copies its "Size" answer into this project's own ontology
 * and routes: "copied", or "not labelled yet" when the demo's agent has not answered yet.
 *
 *   SOURCE_PROJECT_HASH=<demo project uuid> task-agents run examples/agents/copy-from-twin.ts --project-hash <twin uuid>
 */
import { AttributeOption, Runner, labelRow, twinLabelRow, type HandlerContext } from "task-agents";

const source = process.env.SOURCE_PROJECT_HASH;
if (!source) throw new Error("Set SOURCE_PROJECT_HASH to the project to copy from (the demo project's hash).");

const runner = new Runner();
const deps = { labelRow, twin: twinLabelRow({ projectHash: source }) };

export function copyFromTwin({ labelRow, twin }: HandlerContext<typeof deps>) {
  // The twin's answer, found by title in the twin's own ontology.
  const sourceSize = twin?.labelRow.ontology.getChildByTitle("Size", "attribute");
  const given =
    sourceSize &&
    twin?.labelRow
      .getClassificationInstances()
      .find((c) => c.ontologyItem.attributes.includes(sourceSize))
      ?.getAnswer();
  if (!(given instanceof AttributeOption)) return "not labelled yet";

  // The same answer in this project's ontology, whose hashes differ.
  const ontology = labelRow.ontology;
  const size = ontology.getChildByTitle("Size", "classification").createInstance();
  size.setForFrames({ frames: 0, manualAnnotation: false });
  size.setAnswer(ontology.getChildByTitle(given.label, "option"), { manualAnnotation: false });
  labelRow.addClassificationInstance(size);
  return { pathway: "copied", labelRow };
}

runner.stage("Copy", { deps }, copyFromTwin);

export default runner;
await runner.run();
