import { Option } from "@commander-js/extra-typings";
import type { Backend, TaskPage } from "../../backends/backend.js";
import { LocalBackend } from "../../backends/local/local-backend.js";
import type { WorkflowTask } from "../../domain/task.js";
import { NotFoundError } from "../../domain/errors.js";
import { requireStage } from "../../domain/workflow-lookup.js";
import { isAgentStage, type Stage } from "../../domain/workflow.js";
import type { TaskMoveRecord } from "../../backends/local/task-queries.js";
import { defaultActor } from "../cli-io.js";
import { streamJsonLines, streamTable, writeJsonLine } from "../output.js";
import { cellWidth } from "../table-cell.js";
import type { CommandContext, RootCommand } from "../program.js";

async function* pages(fetchPage: (pageToken: string | undefined) => Promise<TaskPage>): AsyncGenerator<readonly WorkflowTask[]> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield page.tasks;
    token = page.nextPageToken ?? undefined;
  } while (token !== undefined);
}

/** The tasks of several stages, stage after stage, each paged. */
async function* stagesPages(backend: Backend, projectHash: string, stages: readonly Stage[]): AsyncGenerator<readonly WorkflowTask[]> {
  for (const stage of stages) yield* pages((pageToken) => backend.listStageTasks(projectHash, stage.uuid, { pageToken }));
}

function quotedList(stages: readonly Stage[]): string {
  return stages.map((s) => JSON.stringify(s.title)).join(", ");
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
export function addTasksCommands(root: RootCommand, { io, withBackend, withLocalBackend }: CommandContext): void {
  const tasks = root.command("tasks").description("list tasks and move them through the workflow");

  tasks
    .command("list")
    .description("list the tasks of a project, or of one stage (streamed page by page; on Encord: the AGENT stages' tasks)")
    .argument("<hash>", "project hash")
    .addOption(new Option("--stage <stage>", "only this stage (title or UUID)"))
    .addHelpText(
      "after",
      "\nOn Encord (ENCORD_SSH_KEY, ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN set, no --store)\n" +
        "it lists the tasks of the AGENT stages, or of --stage; Encord task listings carry no\n" +
        'priority (shown as "-").\n\nExample:\n  task-agents tasks list $HASH --stage "Pre-label"',
    )
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      await withBackend(globals, async (backend) => {
        const project = await backend.getProject(hash);
        const stage = options.stage === undefined ? undefined : requireStage(project, options.stage);
        const titleById = new Map(project.stages.map((s) => [s.uuid, s.title]));
        // The local store lists a whole project at once; Encord lists stage by stage, and only
        // AGENT stages concern agents.
        const listed = stage ? [stage] : backend instanceof LocalBackend ? undefined : project.stages.filter(isAgentStage);
        const taskPages =
          listed === undefined && backend instanceof LocalBackend
            ? pages((pageToken) => backend.listProjectTasks(project.uuid, { pageToken }))
            : stagesPages(backend, project.uuid, listed ?? []);
        if (globals.json) {
          await streamJsonLines(io.stdout, taskPages, (task) => taskJson(task, titleById.get(task.stageUuid)));
          return;
        }
        const count = await streamTable<WorkflowTask>(
          io.stdout,
          [
            { header: "TASK UUID", value: (t) => t.uuid, width: 36 },
            { header: "STAGE", value: (t) => titleById.get(t.stageUuid) ?? t.stageUuid, width: Math.max(...project.stages.map((s) => cellWidth(s.title))) },
            { header: "STATUS", value: (t) => t.status, width: 9 },
            { header: "PRIORITY", value: (t) => (t.priority === null ? "-" : t.priority.toFixed(2)), width: 8, align: "right" },
            { header: "DATA TITLE", value: (t) => t.dataTitle },
          ],
          taskPages,
        );
        const where = stage
          ? ` in stage ${JSON.stringify(stage.title)}`
          : listed === undefined
            ? ""
            : listed.length === 0
              ? `: project ${JSON.stringify(project.title)} has no AGENT stage; pass --stage to list another stage`
              : ` in the AGENT stage${listed.length === 1 ? "" : "s"} ${quotedList(listed)}`;
        io.stderr.write(`${count} task${count === 1 ? "" : "s"}${where}.\n`);
      });
    });

  tasks
    .command("proceed")
    .description("move one task or all tasks of a stage along a pathway (act as the human in ANNOTATION and REVIEW stages; local store only)")
    .argument("<hash>", "project hash")
    .requiredOption("--stage <stage>", "stage the tasks are in (title or UUID)")
    .requiredOption("--pathway <pathway>", "ANNOTATION: submit; REVIEW: approve or reject; AGENT: a pathway name or UUID")
    .addOption(new Option("--task <uuid>", "move this task").conflicts("all"))
    .addOption(new Option("--all", "move every task in the stage"))
    .addOption(new Option("--actor <name>", "who acted, for the task history"))
    .addHelpText(
      "after",
      "\nAll or nothing: with --all every task in the stage moves, in one transaction.\n\n" +
        "Examples:\n  task-agents tasks proceed $HASH --stage Annotate --pathway submit " +
        "--all\n  task-agents tasks proceed $HASH --stage Review --pathway reject --task 5d1f…",
    )
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("tasks proceed", globals, (backend) => {
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
            `Moved ${result.moved} task${result.moved === 1 ? "" : "s"} from ${JSON.stringify(result.fromStage)}` +
              ` to ${JSON.stringify(result.toStage)} along ${JSON.stringify(result.pathway)}.\n`,
          );
        }
      });
    });

  tasks
    .command("history")
    .description(
      "show the recorded moves of a project's tasks, oldest first, with the error that sent a failed task along its onFailure pathway (local store only)",
    )
    .argument("<hash>", "project hash")
    .addOption(new Option("--task <uuid>", "only this task"))
    .addHelpText("after", "\nExample:\n  task-agents tasks history $HASH --task 5d1f…")
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("tasks history", globals, async (backend) => {
        const project = await backend.getProject(hash);
        const stageWidth = Math.max(...project.stages.map((s) => cellWidth(s.title)));
        const pathwayWidth = Math.max(7, ...project.stages.flatMap((s) => s.pathways.map((p) => cellWidth(p.name))));
        const moves = withFirstPage(backend.history(hash, options.task));
        // Every task has at least the move that created it: no moves means no such task.
        if (options.task !== undefined && moves.isEmpty) {
          throw new NotFoundError(
            "TA_UNKNOWN_TASK",
            `Project ${JSON.stringify(project.title)} has no task ${JSON.stringify(options.task)}; a ` +
              `task is given by its UUID. Run \`task-agents tasks list ${project.uuid}\` to see its tasks.`,
          );
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
            { header: "ACTOR", value: (m) => m.actor, width: 12 },
            // Set only on moves along a stage's onFailure pathway: why the task left.
            { header: "ERROR", value: (m) => (m.error ?? "").replace(/\s+/g, " ") },
          ],
          moves,
        );
      });
    });
}
