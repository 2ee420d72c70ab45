/**
 * The demo's agent: for each task in "Pre-label" it sets a priority from the item's client
 * metadata and size, and routes it on image size: thumbnails too small to annotate are skipped
 * to "Complete", the rest go to "Annotate".
 *
 * Run it on its own:   npx tsx examples/agents/prelabel.ts --project-hash <uuid> --store demo.db
 * or through the CLI:  task-agents run examples/agents/prelabel.ts --project-hash <uuid>
 */
import { Runner } from "task-agents";
import { prelabel, prelabelDeps } from "./prelabel-handler.js";

const runner = new Runner();

runner.stage("Pre-label", { deps: prelabelDeps }, prelabel);

export default runner;

// As a script this parses its own flags; under `task-agents run` this line does nothing.
await runner.run();
