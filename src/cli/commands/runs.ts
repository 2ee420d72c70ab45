import { Option } from "@commander-js/extra-typings";
import type { RunDetail, RunFailureRow } from "../../backends/local/run-queries.js";
import { renderTable, writeJsonLine } from "../output.js";
import { positiveIntegerUpTo } from "../run-command.js";
import type { CommandContext, RootCommand } from "../program.js";

const runsHelp = `
Every Runner execution (task-agents run, runner.run(), execute()) and every stage pass of
serve or runStage() on the local store is recorded (queue workers not yet): its options, its
report as it goes (seen, moved, failed per stage) and the failures it listed (the first 1,000
per stage, with error and stack). A run whose process was killed keeps what it wrote last and
shows no end.

Examples:
  task-agents runs list --limit 5
  task-agents runs show 12 --json`;

const tally = (run: RunDetail, key: "seen" | "failed") => run.stages.reduce((sum, s) => sum + s[key], 0);
const moved = (run: RunDetail) => run.stages.reduce((sum, s) => sum + Object.values(s.moved).reduce((a, b) => a + b, 0), 0);
const time = (iso: string | null) => (iso === null ? "-" : iso.replace("T", " ").slice(0, 19));

function runJson(run: RunDetail) {
  return {
    id: run.id,
    project: { uuid: run.projectUuid, title: run.projectTitle },
    kind: run.kind,
    startedAt: run.startedAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    outcome: run.outcome,
    error: run.error,
    pid: run.pid,
    host: run.host,
    options: run.options,
    report: run.report,
  };
}

function failureJson(f: RunFailureRow) {
  return {
    stage: { uuid: f.stageUuid, title: f.stageTitle },
    taskUuid: f.taskUuid,
    dataTitle: f.dataTitle,
    attempts: f.attempts,
    error: { name: f.errorName, message: f.errorMessage, stack: f.errorStack },
    routedTo: f.routedTo,
    recordedAt: f.recordedAt,
  };
}

/** `task-agents runs list|show`: the runs recorded in the local store. */
export function addRunsCommands(root: RootCommand, { io, withLocalBackend }: CommandContext): void {
  const runs = root.command("runs").description("list and show the runs recorded in the local store").addHelpText("after", runsHelp);

  runs
    .command("list")
    .description("list recorded runs, newest first")
    .addOption(new Option("--project-hash <uuid>", "only runs of this project"))
    .addOption(new Option("--limit <n>", "at most this many runs (default 50)").argParser(positiveIntegerUpTo("--limit", 100_000, "runs")))
    .action(async (flags, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("runs list", globals, (backend) => {
        const list = backend.listRuns({ limit: flags.limit ?? 50, ...(flags.projectHash === undefined ? {} : { projectUuid: flags.projectHash }) });
        if (globals.json) {
          for (const run of list) writeJsonLine(io.stdout, runJson(run));
          return;
        }
        if (list.length === 0) {
          io.stderr.write(
            `No runs recorded in ${backend.storePath}` +
              `${flags.projectHash === undefined ? "" : ` for project ${flags.projectHash}`}` +
              ` yet; \`task-agents run <agent-file>\` records one.\n`,
          );
          return;
        }
        io.stdout.write(
          renderTable(
            [
              { header: "ID", value: (r) => String(r.id), align: "right" },
              { header: "PROJECT", value: (r) => r.projectTitle },
              { header: "KIND", value: (r) => r.kind },
              { header: "STARTED", value: (r) => time(r.startedAt) },
              { header: "ENDED", value: (r) => time(r.finishedAt) },
              { header: "OUTCOME", value: (r) => r.outcome ?? "running or killed" },
              { header: "SEEN", value: (r) => String(tally(r, "seen")), align: "right" },
              { header: "MOVED", value: (r) => String(moved(r)), align: "right" },
              { header: "FAILED", value: (r) => String(tally(r, "failed")), align: "right" },
            ],
            list,
          ),
        );
      });
    });

  runs
    .command("show")
    .description("show one recorded run: options, report per stage, failures")
    .argument("<id>", "the run's id (from runs list)", positiveIntegerUpTo("<id>", Number.MAX_SAFE_INTEGER, "run ids"))
    .action(async (id, _flags, command) => {
      const globals = command.optsWithGlobals();
      await withLocalBackend("runs show", globals, (backend) => {
        const { run, failures } = backend.getRun(id);
        if (globals.json) {
          writeJsonLine(io.stdout, { ...runJson(run), failures: failures.map(failureJson) });
          return;
        }
        const ended =
          run.finishedAt === null
            ? `no end recorded (last update ${time(run.updatedAt)}; running, or its process ${run.pid} on ${run.host} was killed)`
            : `ended ${time(run.finishedAt)}: ${run.outcome ?? "-"}`;
        const lines = [
          `Run ${run.id}: ${run.kind} of ${run.projectTitle} (${run.projectUuid})`,
          `started ${time(run.startedAt)}, ${ended}`,
          ...(run.error === null ? [] : [`error: ${run.error}`]),
          `options: ${JSON.stringify(run.options)}`,
          "",
        ];
        io.stdout.write(lines.join("\n") + "\n");
        io.stdout.write(
          renderTable(
            [
              { header: "STAGE", value: (s) => s.title },
              { header: "SEEN", value: (s) => String(s.seen), align: "right" },
              { header: "OK", value: (s) => String(s.succeeded), align: "right" },
              { header: "FAILED", value: (s) => String(s.failed), align: "right" },
              { header: "LEFT", value: (s) => String(s.left), align: "right" },
              {
                header: "MOVED",
                value: (s) =>
                  Object.entries(s.moved)
                    .map(([name, n]) => `${name}: ${n}`)
                    .join(", ") || "-",
              },
            ],
            run.stages,
          ),
        );
        if (failures.length > 0) {
          io.stdout.write(`\nFailures (${failures.length}):\n`);
          for (const f of failures)
            io.stdout.write(
              `  ${f.taskUuid}  ${f.stageTitle ?? f.stageUuid}  ${JSON.stringify(f.dataTitle)}  ` +
                `after ${f.attempts} attempt${f.attempts === 1 ? "" : "s"}: ${f.errorName}: ${f.errorMessage}` +
                `${f.routedTo === null ? "" : ` → moved along ${JSON.stringify(f.routedTo)}`}\n`,
            );
        }
      });
    });
}
