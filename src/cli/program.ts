import { Command, Option } from "@commander-js/extra-typings";
import { localBackend, type LocalBackend } from "../backends/local/local-backend.js";
import { resolveStorePath } from "../backends/local/store-path.js";
import { packageInfo } from "../shared/package-info.js";
import type { CliIo } from "./cli-io.js";
import { addDataCommands } from "./commands/data.js";
import { addLabelsCommands } from "./commands/labels.js";
import { addPrintCommands } from "./commands/print.js";
import { addProjectCommands } from "./commands/project.js";
import { addTasksCommands } from "./commands/tasks.js";
import { addRunCommand } from "./commands/run.js";
import { addDemoCommand } from "./commands/demo.js";
import { addQueueCommands } from "./commands/queue.js";

/** Options every command accepts. */
export interface GlobalOptions {
  store?: string;
  json?: true;
}

function createRootCommand(io: CliIo, jsonErrors: boolean) {
  return new Command("task-agents")
    .description("Run task agents on workflow projects, on the embedded local store or on Encord.")
    .version(packageInfo.version, "-V, --version", "print the task-agents version")
    .addOption(new Option("--store <path>", "store file of the local backend (env: TASK_AGENTS_STORE; default ./.task-agents/store.db)"))
    .option("--json", "machine-readable output: one JSON object per line")
    // With --json, stderr holds only the JSON error object.
    .showHelpAfterError(jsonErrors ? false : "(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) =>
        write(jsonErrors ? JSON.stringify({ error: { code: "TA_USAGE", message: text.replace(/^error: /, "").trim() } }) + "\n" : text),
    })
    .exitOverride();
}

/** The root command; command groups hang their subcommands on it. */
export type RootCommand = ReturnType<typeof createRootCommand>;

/** What every command action gets: the streams, global options and a way to open the store. */
export interface CommandContext {
  readonly io: CliIo;
  /** Opens the local store named by the global options, runs `use`, and closes the store. */
  /** Sets the exit code the command ends with (when it is not 0 or a thrown error's 1). */
  readonly setExitCode: (code: number) => void;
  readonly withLocalBackend: <T>(globals: GlobalOptions, use: (backend: LocalBackend) => Promise<T> | T) => Promise<T>;
}

/**
 * Builds the whole `task-agents` command tree, writing to `io`. Subcommands inherit output and
 * exit handling from the root, since commander copies them when a command is added.
 */
export function buildProgram(io: CliIo, options: { jsonErrors?: boolean; onExitCode?: (code: number) => void } = {}): RootCommand {
  const root = createRootCommand(io, options.jsonErrors === true);
  const context: CommandContext = {
    io,
    setExitCode: (code) => options.onExitCode?.(code),
    withLocalBackend: async (globals, use) => {
      const backend = localBackend({ storePath: resolveStorePath(globals.store, io.env) });
      try {
        return await use(backend);
      } finally {
        await backend.close();
      }
    },
  };
  addProjectCommands(root, context);
  addDataCommands(root, context);
  addTasksCommands(root, context);
  addLabelsCommands(root, context);
  addPrintCommands(root, context);
  addRunCommand(root, context);
  addDemoCommand(root, context);
  addQueueCommands(root, context);
  return root;
}
