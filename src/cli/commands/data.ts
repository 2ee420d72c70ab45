import { Option } from "@commander-js/extra-typings";
import { defaultActor } from "../cli-io.js";
import { writeJsonLine } from "../output.js";
import type { CommandContext, RootCommand } from "../program.js";

/** `task-agents data add`. */
export function addDataCommands(root: RootCommand, { io, withLocalBackend }: CommandContext): void {
  const data = root.command("data").description("add data items to projects of the local store");

  data
    .command("add")
    .description("add files, folders or a JSONL manifest to a project; each item gets a task")
    .argument("<hash>", "project hash")
    .argument("[paths...]", "files and folders (folders are walked recursively; a folder's .dcm files of one series make one DICOM series item)")
    .addOption(new Option("--manifest <file>", 'JSON Lines, one item per line: {"title", "path" | "url", "clientMetadata"?}'))
    .addOption(new Option("--actor <name>", "who added the data, for the task history"))
    .addHelpText(
      "after",
      "\nAll or nothing: if any item cannot be added, none is.\n\nExamples:\n  task-agents " +
        "data add $HASH images/ clip.mp4\n  task-agents data add $HASH --manifest items.jsonl",
    )
    .action(async (hash, paths, options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("data add", globals, async (backend) => {
        const result = await backend.addData(hash, { paths, manifest: options.manifest, actor: options.actor ?? defaultActor(io.env) });
        if (globals.json) writeJsonLine(io.stdout, { added: result.added, stage: result.stageTitle });
        else
          io.stdout.write(
            `Added ${result.added} item${result.added === 1 ? "; its task is" : "s; their tasks are"} in stage ${JSON.stringify(result.stageTitle)}.\n`,
          );
      });
    });
}
