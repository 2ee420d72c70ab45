import { Option } from "@commander-js/extra-typings";
import type { TaskPage } from "../../backends/backend.js";
import type { WorkflowTask } from "../../domain/task.js";
import { NotFoundError } from "../../domain/errors.js";
import { requireStage } from "../../domain/workflow-lookup.js";
import type { TaskMoveRecord } from "../../backends/local/task-queries.js";
import { defaultActor } from "../cli-io.js";
import { streamJsonLines, streamTable, writeJsonLine } from "../output.js";
import type { CommandContext, RootCommand } from "../program.js";

async function* pages(fetchPage: (pageToken: string | undefined) => Promise<TaskPage>): AsyncGenerator<readonly WorkflowTask[]> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield page.tasks;
    token = page.nextPageToken ?? undefined;
  } while (token !== undefined);
}

/** Reads the first page up front, so an empty result is known before any output is written. */
function withFirstPage<Page>(pages: Iterator<Page>): Iterable<Page> & { readonly isEmpty: boolean } {
  const first = pages.next();
  return {
    isEmpty: first.done === true,
    *[Symbol.iterator]() {
      if (first.done === true) return;
      yield first.value;
      for (let next = pages.next(); next.done !== true; next = pages.next()) yield next.value;
    },
  };
}

function taskJson(task: WorkflowTask, stageTitle: string | undefined): unknown {
  return {
    uuid: task.uuid,
    stageUuid: task.stageUuid,
    stage: stageTitle,
    status: task.status,
    priority: task.priority,
    dataHash: task.dataHash,
    dataTitle: task.dataTitle,
    labelBranchName: task.labelBranchName,
    assignee: task.assignee,
    lastActionedBy: task.lastActionedBy,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
}

/** `task-agents tasks list|proceed|history`. */
export function addTasksCommands(root: RootCommand, { io, withLocalBackend }: CommandContext): void {
  const tasks = root.command("tasks").description("list tasks and move them through the workflow");

  tasks
    .command("list")
    .description("list the tasks of a project, or of one stage (streamed page by page)")
    .argument("<hash>", "project hash")
    .addOption(new Option("--stage <stage>", "only this stage (title or UUID)"))
    .addHelpText("after", '\nExample:\n  task-agents tasks list $HASH --stage "Pre-label"')
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend(globals, async (backend) => {
        const project = await backend.getProject(hash);
        const stage = options.stage === undefined ? undefined : requireStage(project, options.stage);
        const titleById = new Map(project.stages.map((s) => [s.uuid, s.title]));
        const taskPages = pages((pageToken) =>
          stage ? backend.listStageTasks(project.uuid, stage.uuid, { pageToken }) : backend.listProjectTasks(project.uuid, { pageToken }),
        );
        if (globals.json) {
          await streamJsonLines(io.stdout, taskPages, (task) => taskJson(task, titleById.get(task.stageUuid)));
          return;
        }
        const count = await streamTable<WorkflowTask>(
          io.stdout,
          [
            { header: "TASK UUID", value: (t) => t.uuid, width: 36 },
            { header: "STAGE", value: (t) => titleById.get(t.stageUuid) ?? t.stageUuid, width: Math.max(...project.stages.map((s) => s.title.length)) },
            { header: "STATUS", value: (t) => t.status, width: 9 },
            { header: "PRIORITY", value: (t) => (t.priority === null ? "" : t.priority.toFixed(2)), width: 8, align: "right" },
            { header: "DATA TITLE", value: (t) => t.dataTitle },
          ],
          taskPages,
        );
        io.stderr.write(`${count} task${count === 1 ? "" : "s"}${stage ? ` in stage ${JSON.stringify(stage.title)}` : ""}.\n`);
      });
    });

  tasks
    .command("proceed")
    .description("move one task or all tasks of a stage along a pathway (act as the human in ANNOTATION and REVIEW stages)")
    .argument("<hash>", "project hash")
    .requiredOption("--stage <stage>", "stage the tasks are in (title or UUID)")
    .requiredOption("--pathway <pathway>", "ANNOTATION: submit; REVIEW: approve or reject; AGENT: a pathway name or UUID")
    .addOption(new Option("--task <uuid>", "move this task").conflicts("all"))
    .addOption(new Option("--all", "move every task in the stage"))
    .addOption(new Option("--actor <name>", "who acted, for the task history"))
    .addHelpText(
      "after",
      '\nAll or nothing: with --all every task in the stage moves, in one transaction.\n\nExamples:\n  task-agents tasks proceed $HASH --stage Annotate --pathway submit --all\n  task-agents tasks proceed $HASH --stage Review --pathway reject --task 5d1f…',
    )
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend(globals, (backend) => {
        const result = backend.proceed(hash, {
          stage: options.stage,
          pathway: options.pathway,
          taskUuid: options.task,
          all: options.all,
          actor: options.actor ?? defaultActor(io.env),
        });
        if (globals.json) writeJsonLine(io.stdout, result);
        else {
          io.stdout.write(
            `Moved ${result.moved} task${result.moved === 1 ? "" : "s"} from ${JSON.stringify(result.fromStage)} to ${JSON.stringify(result.toStage)} along ${JSON.stringify(result.pathway)}.\n`,
          );
        }
      });
    });

  tasks
    .command("history")
    .description("show the recorded moves of a project's tasks, oldest first")
    .argument("<hash>", "project hash")
    .addOption(new Option("--task <uuid>", "only this task"))
    .addHelpText("after", "\nExample:\n  task-agents tasks history $HASH --task 5d1f…")
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend(globals, async (backend) => {
        const project = await backend.getProject(hash);
        const stageWidth = Math.max(...project.stages.map((s) => s.title.length));
        const pathwayWidth = Math.max(7, ...project.stages.flatMap((s) => s.pathways.map((p) => p.name.length)));
        const moves = withFirstPage(backend.history(hash, options.task));
        // Every task has at least the move that created it: no moves means no such task.
        if (options.task !== undefined && moves.isEmpty) {
          throw new NotFoundError("TA_UNKNOWN_TASK", `Project ${JSON.stringify(project.title)} has no task ${JSON.stringify(options.task)}; a task is given by its UUID. Run \`task-agents tasks list ${project.uuid}\` to see its tasks.`);
        }
        if (globals.json) {
          await streamJsonLines(io.stdout, moves, (m) => ({ ...m, movedAt: m.movedAt.toISOString() }));
          return;
        }
        await streamTable<TaskMoveRecord>(
          io.stdout,
          [
            { header: "MOVED AT", value: (m) => m.movedAt.toISOString().replace("T", " ").slice(0, 19), width: 19 },
            { header: "TASK UUID", value: (m) => m.taskUuid, width: 36 },
            { header: "FROM", value: (m) => m.fromStage ?? "", width: stageWidth },
            { header: "PATHWAY", value: (m) => m.pathway ?? "", width: pathwayWidth },
            { header: "TO", value: (m) => m.toStage, width: stageWidth },
            { header: "ACTOR", value: (m) => m.actor },
          ],
          moves,
        );
      });
    });
}
