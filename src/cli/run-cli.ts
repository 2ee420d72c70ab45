import { CommanderError } from "@commander-js/extra-typings";
import { processIo, type CliIo } from "./cli-io.js";
import { formatCommandError } from "../shared/error-message.js";
import { exitCodes } from "../shared/exit-codes.js";
import { buildProgram } from "./program.js";

/**
 * Runs the `task-agents` command with `argv` (without the node and script paths) and resolves
 * to the exit code. Never calls process.exit, so tests can run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const json = argv.includes("--json");
  let commandExitCode: number = exitCodes.ok;
  const program = buildProgram(io, { jsonErrors: json, onExitCode: (code) => (commandExitCode = code) });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return commandExitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message; help and --version end here too, with 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usageError;
    }
    io.stderr.write(formatCommandError(error, json));
    return exitCodes.usageError;
  }
}
