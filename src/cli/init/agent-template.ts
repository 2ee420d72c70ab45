import type { StageSpec } from "../../backends/local/project-spec.js";

/**
 * The example agent of a new project: one handler for `stage` that returns the stage's first
 * pathway. Titles and names go in as JSON strings, which are valid TypeScript string literals
 * whatever characters they hold.
 */
export function agentSource(stage: StageSpec, specFileName: string): string {
  const title = JSON.stringify(stage.title);
  const pathways = stage.pathways.map((p) => JSON.stringify(p.name));
  const others = pathways.slice(1);
  return `// The agent of the AGENT stage ${title} of ${specFileName}. \`npm start\` runs it on the local store.
import { Runner, storageItem } from "task-agents";

const runner = new Runner();   // project from --project-hash (npm start passes it)

runner.stage(${title}, { deps: { storageItem } }, ({ task, storageItem, logger }) => {
  logger.info({ itemType: storageItem.itemType, width: storageItem.width, height: storageItem.height }, \`looking at \${task.dataTitle}\`);
  // Return a pathway of the stage to move the task on${others.length === 0 ? "" : ` (the others: ${others.join(", ")})`},
  // null to leave it where it is, or { pathway, labelRow } with the labelRow dependency to save labels.
  return ${pathways[0]};
});

export default runner;
await runner.run();   // as a script it parses its flags; under \`task-agents run\` this line does nothing
`;
}
