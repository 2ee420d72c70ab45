import { executeWithFlags, runnerCommand } from "../../runner/run-command.js";
import { loadRunnerFile } from "../load-agent-file.js";
import type { CommandContext, RootCommand } from "../program.js";

/** `task-agents run <agent-file> [runner flags]`. */
export function addRunCommand(root: RootCommand, { io, setExitCode }: CommandContext): void {
  root.addCommand(
    runnerCommand("run")
      // addCommand() does not pass on output and exit handling as command() does.
      .copyInheritedSettings(root)
      .description("run the Runner exported by an agent file (.ts or .js; default export or `runner`) on its project's tasks")
      .argument("<agent-file>", "TypeScript or JavaScript file exporting a Runner")
      .addHelpText(
        "after",
        "\nExit codes: 0 ok, 1 configuration error, 2 some tasks failed.\n\nExample:\n  task-agents run examples/agents/prelabel.ts --project-hash $HASH --concurrency 8",
      )
      .action(async (file, flags, command) => {
        const globals = command.parent?.opts() as { store?: string; json?: true } | undefined;
        const runner = await loadRunnerFile(file);
        try {
          const code = await executeWithFlags(
            runner,
            { ...flags, store: flags.store ?? globals?.store, json: flags.json ?? globals?.json },
            { streams: io, installSignalHandlers: io.installSignalHandlers === true, env: io.env },
          );
          setExitCode(code);
        } finally {
          // Closes the store the run opened (a backend given in the file's code stays open).
          await runner.close();
        }
      }),
  );
}
