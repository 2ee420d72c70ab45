import { rename, rm, open, stat } from "node:fs/promises";
import { dirname, basename, join, resolve } from "node:path";
import { Option } from "@commander-js/extra-typings";
import { DataInputError } from "../../domain/errors.js";
import { writeChunk } from "../cli-io.js";
import { writeJsonLine } from "../output.js";
import type { CommandContext, RootCommand } from "../program.js";

/** Writes rows as a JSON array, one row per line, and returns how many there were. */
async function writeJsonArray(rows: AsyncIterable<string> | Iterable<string>, write: (chunk: string) => Promise<void>): Promise<number> {
  let count = 0;
  let buffer = "[";
  for await (const row of rows) {
    buffer += (count === 0 ? "\n" : ",\n") + row;
    count++;
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = "";
    }
  }
  await write(buffer + (count === 0 ? "]\n" : "\n]\n"));
  return count;
}

/** `task-agents labels export`. */
export function addLabelsCommands(root: RootCommand, { io, withLocalBackend }: CommandContext): void {
  const labels = root.command("labels").description("export label rows");

  labels
    .command("export")
    .description("write every label row of a project as a JSON array in Encord's label-row format")
    .argument("<hash>", "project hash")
    .addOption(new Option("--out <file>", "write to this file instead of standard output (replaced only when the export completes; - is standard output)"))
    .addHelpText("after", "\nExample:\n  task-agents labels export $HASH --out labels.json")
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("labels export", globals, async (backend) => {
        const rows = backend.exportLabelRows(hash);
        // "-" is standard output, as for most command-line tools, not a file named "-".
        if (options.out === undefined || options.out === "-") {
          await writeJsonArray(rows, (chunk) => writeChunk(io.stdout, chunk));
          return;
        }
        const count = await exportToFile(resolve(options.out), rows);
        if (globals.json) writeJsonLine(io.stdout, { exported: count, file: resolve(options.out) });
        else io.stdout.write(`Exported ${count} label row${count === 1 ? "" : "s"} to ${options.out}.\n`);
      });
    });
}

// Written to a temporary file beside the target and renamed, so a failed export never leaves a
// half-written file in place of a good one.
async function exportToFile(target: string, rows: AsyncIterable<string> | Iterable<string>): Promise<number> {
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
  // Checked up front: renaming over a folder would fail only after the whole export was written.
  if ((await stat(target).catch(() => undefined))?.isDirectory() === true) {
    throw new DataInputError(
      "TA_INVALID_ARGUMENT",
      `Cannot write ${JSON.stringify(target)}: it is a folder; give a file path such as ${JSON.stringify(join(target, "labels.json"))}.`,
      target,
    );
  }
  let handle;
  try {
    handle = await open(temporary, "w");
  } catch (error) {
    throw new DataInputError(
      "TA_FILE_NOT_FOUND",
      `Cannot write ${JSON.stringify(target)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; check that its folder exists and is writable.`,
      target,
      { cause: error },
    );
  }
  try {
    const file = handle;
    const count = await writeJsonArray(rows, async (chunk) => {
      await file.write(chunk);
    });
    await handle.close();
    handle = undefined;
    await rename(temporary, target);
    return count;
  } catch (error) {
    await handle?.close();
    await rm(temporary, { force: true });
    throw error;
  }
}
