import { Command, Option } from "@commander-js/extra-typings";
import type { Backend } from "../backends/backend.js";
import { hasEncordCredentials } from "../backends/encord/settings.js";
import { localBackend, type LocalBackend } from "../backends/local/local-backend.js";
import { resolveStorePath } from "../backends/local/store-path.js";
import { selectBackend } from "../backends/select-backend.js";
import { ConfigurationError, NotFoundError, isTaskAgentsError } from "../domain/errors.js";
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
import { addInitCommand } from "./commands/init.js";
import { addNotifyCommand } from "./commands/notify.js";
import { addServeCommand } from "./commands/serve.js";
import { addCodegenCommand } from "./commands/codegen.js";
import { addUiCommand } from "./commands/ui.js";
import { addRunsCommands } from "./commands/runs.js";

/** Options every command accepts. */
export interface GlobalOptions {
  store?: string;
  json?: true;
  backend?: "local" | "encord";
}

/** Where the Encord backend is explained, for `--help`. */
const backendHelp = `
Backends:
  print agent-nodes, tasks list, run and codegen work on Encord when Encord credentials are in
  the environment and --store is not given (or with --backend encord); every other
  command works on the local store only (Encord projects are managed in the Encord app).
    ENCORD_SSH_KEY             content of an Ed25519 private key (OpenSSH format)
    ENCORD_SSH_KEY_FILE        path of that key file (ENCORD_SSH_KEY wins when both are set)
    ENCORD_SSH_KEY_PASSPHRASE  passphrase of a protected key
    ENCORD_BEARER_TOKEN        a bearer token, used when no SSH key is set
    ENCORD_DOMAIN              API domain (default https://api.encord.com)
  The key's public half must be registered in your Encord account.

Example:
  ENCORD_SSH_KEY_FILE=~/.ssh/id_ed25519 task-agents print agent-nodes $PROJECT_HASH`;

function createRootCommand(io: CliIo, jsonErrors: boolean) {
  return (
    new Command("task-agents")
      .description("Run task agents on workflow projects, on the embedded local store or on Encord.")
      .version(packageInfo.version, "-V, --version", "print the task-agents version")
      .addOption(
        new Option(
          "--store <path>",
          "store file of the local backend (env: TASK_AGENTS_STORE; default ./.task-agents/store.db); given, it also means: use the local store, not Encord",
        ),
      )
      .addOption(
        new Option(
          "--backend <kind>",
          "where projects live, for print agent-nodes, tasks list and run (default: " +
            "encord when Encord credentials are set and --store is not given, else local)",
        ).choices(["local", "encord"] as const),
      )
      .option("--json", "machine-readable output: one JSON object per line")
      .addHelpText("after", backendHelp)
      // With --json, stderr holds only the JSON error object.
      .showHelpAfterError(jsonErrors ? false : "(run with --help for usage)")
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
        outputError: (text, write) =>
          write(jsonErrors ? JSON.stringify({ error: { code: "TA_USAGE", message: text.replace(/^error: /, "").trim() } }) + "\n" : text),
      })
      .exitOverride()
  );
}

/** The root command; command groups hang their subcommands on it. */
export type RootCommand = ReturnType<typeof createRootCommand>;

/** What every command action gets: the streams, global options and ways to open a backend. */
export interface CommandContext {
  readonly io: CliIo;
  /** Sets the exit code the command ends with (when it is not 0 or a thrown error's 1). */
  readonly setExitCode: (code: number) => void;
  /**
   * Opens the backend the global options and the environment choose (`selectBackend`: Encord
   * when its credentials are set, unless --store or --backend local says otherwise), runs `use`,
   * and closes the backend.
   */
  readonly withBackend: <T>(globals: GlobalOptions, use: (backend: Backend) => Promise<T> | T) => Promise<T>;
  /**
   * For commands that work on the local store only (`command`, e.g. "project create"): opens the
   * store named by the global options, runs `use`, and closes the store. --backend encord is
   * refused with an explanation.
   */
  readonly withLocalBackend: <T>(command: string, globals: GlobalOptions, use: (backend: LocalBackend) => Promise<T> | T) => Promise<T>;
  /** Prints a warning on stderr (a JSON line with --json). */
  readonly warn: (globals: GlobalOptions, message: string) => void;
}

const encordVariables = "ENCORD_SSH_KEY, ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN";

/** The refusal of --backend encord by a local-only command. */
export function localOnlyError(command: string): ConfigurationError {
  return new ConfigurationError(
    "TA_INVALID_ARGUMENT",
    `\`task-agents ${command}\` works on the local store only; Encord projects are managed in ` +
      `the Encord app. Drop --backend encord (print agent-nodes, tasks list and run work on Encord).`,
  );
}

/**
 * Builds the whole `task-agents` command tree, writing to `io`. Subcommands inherit output and
 * exit handling from the root, since commander copies them when a command is added.
 */
export function buildProgram(io: CliIo, options: { jsonErrors?: boolean; onExitCode?: (code: number) => void } = {}): RootCommand {
  const root = createRootCommand(io, options.jsonErrors === true);
  const warn = (globals: GlobalOptions, message: string): void => {
    io.stderr.write(globals.json ? `${JSON.stringify({ warning: { message } })}\n` : `warning: ${message}\n`);
  };
  const context: CommandContext = {
    io,
    setExitCode: (code) => options.onExitCode?.(code),
    warn,
    withBackend: async (globals, use) => {
      const backend = selectBackend(
        { storePath: globals.store, ...(globals.backend === undefined ? {} : { kind: globals.backend }), warn: (message) => warn(globals, message) },
        io.env,
      );
      try {
        return await use(backend);
      } finally {
        await backend.close();
      }
    },
    withLocalBackend: async (command, globals, use) => {
      if (globals.backend === "encord") throw localOnlyError(command);
      const backend = localBackend({ storePath: resolveStorePath(globals.store, io.env) });
      try {
        return await use(backend);
      } catch (error) {
        // Someone with Encord credentials set may think an Encord project hash works here.
        if (
          isTaskAgentsError(error) &&
          (error.code === "TA_UNKNOWN_PROJECT" || error.code === "TA_NO_STORE") &&
          globals.store === undefined &&
          hasEncordCredentials(io.env)
        ) {
          throw new NotFoundError(
            error.code,
            `${error.message} (${encordVariables} is set, but \`task-agents ${command}\` ` +
              `works on the local store only; Encord projects are managed in the Encord app.)`,
            { cause: error },
          );
        }
        throw error;
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
  addInitCommand(root, context);
  addNotifyCommand(root, context);
  addServeCommand(root, context);
  addCodegenCommand(root, context);
  addUiCommand(root, context);
  addRunsCommands(root, context);
  return root;
}
