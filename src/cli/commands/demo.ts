import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Option } from "@commander-js/extra-typings";
import { localBackend } from "../../backends/local/local-backend.js";
import { maxConcurrency } from "../../runner/options.js";
import { executeWithFlags, positiveInteger } from "../run-command.js";
import { loadRunnerFile } from "../load-agent-file.js";
import { localOnlyError, type CommandContext, type RootCommand } from "../program.js";
import { summariseLabels } from "../label-summary.js";
import { renderWorkflow } from "../workflow-view.js";

// Both src/cli/commands and dist/cli/commands sit three levels below the package root.
const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** `task-agents demo`: the example project, end to end, in a throw-away store. */
export function addDemoCommand(root: RootCommand, { io, setExitCode }: CommandContext): void {
  root
    .command("demo")
    .description("create the example project in a temporary store, add its images, run the example agent, and show the result")
    .addOption(new Option("--keep", "keep the temporary store and print where it is"))
    .addOption(new Option("--concurrency <n>", "handlers in flight at once").argParser(positiveInteger("--concurrency", maxConcurrency)).default(4))
    .addHelpText("after", "\nExample:\n  npx task-agents demo --keep")
    .action(async (options, command) => {
      const globals = command.optsWithGlobals();
      if (globals.backend === "encord") throw localOnlyError("demo");
      const dir = mkdtempSync(join(tmpdir(), "task-agents-demo-"));
      const storePath = join(dir, "store.db");
      try {
        const say = (text: string) => io.stderr.write(text);
        let hash: string;
        {
          await using backend = localBackend({ storePath });
          hash = backend.createProject(join(examples, "demo-project.yaml"));
          const added = await backend.addData(hash, { manifest: join(examples, "demo-manifest.jsonl"), actor: "demo" });
          say(`Created project ${hash} in ${storePath} and added ${added.added} images.\n\nBefore:\n`);
          say(renderWorkflow(await backend.getProject(hash), backend.countTasksByStage(hash)));
        }

        say(`\nRunning examples/agents/prelabel.ts on stage "Pre-label":\n`);
        const runner = await loadRunnerFile(join(examples, "agents", "prelabel.ts"));
        const code = await executeWithFlags(
          runner,
          { projectHash: hash, store: storePath, concurrency: options.concurrency, json: globals.json },
          { streams: io, installSignalHandlers: io.installSignalHandlers === true, env: io.env },
        );
        await using after = localBackend({ storePath });
        say(`\nAfter:\n`);
        const project = await after.getProject(hash);
        say(renderWorkflow(project, after.countTasksByStage(hash)));
        say(`\nLabels saved by the agent:\n${summariseLabels(project.ontology, after.exportLabelRows(hash))}`);
        if (options.keep)
          say(
            `\nThe store is kept at ${storePath}. Look around:\n  task-agents --store ${storePath}` +
              ` tasks list ${hash}\n  task-agents --store ${storePath} tasks history ${hash}\n`,
          );
        setExitCode(code);
      } finally {
        if (!options.keep) rmSync(dir, { recursive: true, force: true });
      }
    });
}
