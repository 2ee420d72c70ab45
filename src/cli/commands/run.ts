import { executeWithFlags, runExitHelp, runnerCommand } from "../run-command.js";
import { loadRunnerFile } from "../load-agent-file.js";
import type { CommandContext, GlobalOptions, RootCommand } from "../program.js";

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
        `\nRuns on Encord when ENCORD_SSH_KEY, ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN is ` +
          `set\n(ENCORD_DOMAIN optional) and neither --store nor --backend local is given; the ` +
          `run's\nfirst line says which backend and project.\n\n${runExitHelp}\n\nExample:\n` +
          `  task-agents run examples/agents/prelabel.ts --project-hash $HASH --concurrency 8`,
      )
      .action(async (file, flags, command) => {
        // The root parses its own options (--store, --backend, --json) wherever they stand.
        const globals = command.parent?.opts() as GlobalOptions | undefined;
        const runner = await loadRunnerFile(file, { json: flags.json ?? globals?.json === true });
        try {
          const code = await executeWithFlags(
            runner,
            { ...flags, store: flags.store ?? globals?.store, backend: flags.backend ?? globals?.backend, json: flags.json ?? globals?.json },
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
