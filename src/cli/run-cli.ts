import { CommanderError } from "@commander-js/extra-typings";
import { isTaskAgentsError } from "../domain/errors.js";
import { processIo, type CliIo } from "./cli-io.js";
import { exitCodes } from "./exit-codes.js";
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
    reportError(io, error, json);
    return exitCodes.usageError;
  }
}

function reportError(io: CliIo, error: unknown, json: boolean): void {
  const known = isTaskAgentsError(error);
  const sqlite = !known && error instanceof Error && (error as { code?: unknown }).code?.toString().startsWith("SQLITE_") === true;
  const code = known ? error.code : sqlite ? "TA_STORE_ERROR" : "TA_INTERNAL";
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    io.stderr.write(JSON.stringify({ error: { code, message } }) + "\n");
  } else if (known) {
    io.stderr.write(`error: ${message}\n`);
  } else if (sqlite && (error as { code?: string }).code === "SQLITE_BUSY") {
    io.stderr.write("error: the store is busy: another task-agents process held its write lock for more than 5 s. Try again when it has finished.\n");
  } else if (sqlite) {
    io.stderr.write(`error: the store failed: ${message}\n`);
  } else {
    // Not a user error: show the stack so it can be reported.
    io.stderr.write(`error: unexpected failure: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
  }
}
