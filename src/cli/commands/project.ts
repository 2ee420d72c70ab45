import { renderTable, writeJsonLine } from "../output.js";
import type { CommandContext, RootCommand } from "../program.js";
import { renderWorkflow, workflowJson } from "../workflow-view.js";

/** `task-agents project create|list|show`. */
export function addProjectCommands(root: RootCommand, { io, withLocalBackend }: CommandContext): void {
  const project = root.command("project").description("create and inspect projects of the local store");

  project
    .command("create")
    .description("create a project from a spec file (JSON or YAML) and print its hash")
    .argument("<spec>", "project spec: title, optional ontology, workflow stages")
    .addHelpText("after", "\nExample:\n  HASH=$(task-agents project create examples/demo-project.yaml)")
    .action(async (specPath, _options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("project create", globals, (backend) => {
        const uuid = backend.createProject(specPath);
        if (globals.json) writeJsonLine(io.stdout, { uuid });
        else io.stdout.write(`${uuid}\n`);
      });
    });

  project
    .command("list")
    .description("list the projects of the store")
    .addHelpText("after", "\nExample:\n  task-agents project list --json")
    .action(async (_options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("project list", globals, (backend) => {
        const projects = backend.listProjects();
        if (globals.json) {
          for (const p of projects)
            writeJsonLine(io.stdout, { uuid: p.uuid, title: p.title, stageCount: p.stageCount, taskCount: p.taskCount, createdAt: p.createdAt.toISOString() });
          return;
        }
        if (projects.length === 0) {
          io.stderr.write(`No projects in the store ${backend.storePath} yet. Create one with \`task-agents project create <spec>\`.\n`);
          return;
        }
        io.stdout.write(
          renderTable(
            [
              { header: "PROJECT HASH", value: (p) => p.uuid },
              { header: "TITLE", value: (p) => p.title },
              { header: "STAGES", value: (p) => String(p.stageCount), align: "right" },
              { header: "TASKS", value: (p) => String(p.taskCount), align: "right" },
              { header: "CREATED", value: (p) => p.createdAt.toISOString().replace("T", " ").slice(0, 19) },
            ],
            projects,
          ),
        );
      });
    });

  project
    .command("show")
    .description("draw a project's workflow with the number of tasks in each stage")
    .argument("<hash>", "project hash")
    .addHelpText("after", "\nExample:\n  task-agents project show $HASH")
    .action(async (hash, _options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("project show", globals, async (backend) => {
        const found = await backend.getProject(hash);
        const counts = backend.countTasksByStage(hash);
        if (globals.json) writeJsonLine(io.stdout, workflowJson(found, counts));
        else io.stdout.write(renderWorkflow(found, counts));
      });
    });
}
