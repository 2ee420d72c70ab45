import { ConfigurationError } from "../../domain/errors.js";
import type { Project, Stage } from "../../domain/workflow.js";
import { LabelRow } from "../../labels/label-row.js";
import type { Runner } from "../../runner/runner.js";
import type { StageReport } from "../../runner/run-report.js";
import type { RouteModule, UiContext } from "../context.js";
import { listLabels } from "../label-overlay/label-list.js";
import { LabelOverlay, bitmaskImages } from "../label-overlay/label-overlay.js";
import { LabelTable } from "../label-overlay/label-table.js";
import { overlayShapes } from "../label-overlay/overlay-shapes.js";
import { Layout, sendPage } from "../layout.js";
import { frameCacheOf } from "../media/frame-cache.js";
import { findMediaItem, hasFrames } from "../media/media-item.js";
import { requireTask, type TaskRecord } from "../task-page/task-queries.js";
import { urls } from "../urls.js";
import { singleTaskBackend, type RecordedCommit } from "./single-task-backend.js";

const runners = new WeakMap<UiContext, Promise<Runner>>();

/**
 * The `--agent` file's Runner, loaded once per dashboard. It is loaded with the CLI's loader
 * (imported on first use, as `runner.run()` does) for the same checks and messages as
 * `task-agents run`; a failed load is not kept, so a fixed file is picked up on the next try.
 */
function agentRunner(context: UiContext, agentFile: string): Promise<Runner> {
  let loading = runners.get(context);
  if (loading === undefined) {
    loading = import("../../cli/load-agent-file.js").then(({ loadRunnerFile }) => loadRunnerFile(agentFile));
    runners.set(context, loading);
    loading.catch(() => runners.delete(context));
  }
  return loading;
}

/** One agent action at a time: each points the one Runner at its own single-task view of the store. */
const queues = new WeakMap<UiContext, Promise<unknown>>();
function oneAtATime<T>(context: UiContext, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(context) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(
    context,
    next.catch(() => undefined),
  );
  return next;
}

interface AgentOutcome {
  readonly report: StageReport | undefined;
  readonly commits: readonly RecordedCommit[];
}

async function runOnTask(context: UiContext, agentFile: string, project: Project, stage: Stage, task: TaskRecord, dryRun: boolean): Promise<AgentOutcome> {
  const runner = await agentRunner(context, agentFile);
  if (runner.hasOwnBackend) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `The Runner of ${JSON.stringify(agentFile)} brings its own backend; the dashboard runs agents on ` +
        `the store it shows. Create the Runner without \`backend\` (as for \`task-agents run --store\`).`,
    );
  }
  return oneAtATime(context, async () => {
    const backend = singleTaskBackend(context.backend, task.dataHash, { dryRun });
    runner.useBackend(backend);
    if (!(await runner.hasHandler(stage.uuid, project.uuid))) {
      const handled = await runner.handledStages(project.uuid);
      throw new ConfigurationError(
        "TA_NO_HANDLERS",
        `${JSON.stringify(agentFile)} has no handler for stage ` +
          `${JSON.stringify(stage.title)}; it handles ` +
          `${handled.length === 0 ? "no stage of this project" : handled.map((s) => JSON.stringify(s.title)).join(", ")}.`,
      );
    }
    // A task that failed in an earlier action is tried again: a person asked for it.
    const report = await runner.runStage(stage.uuid, { projectHash: project.uuid, output: "silent", logger: context.logger, retryFailedAfter: 0 });
    return { report: report.stages.find((s) => s.uuid === stage.uuid), commits: backend.commits };
  });
}

/** What a dry run decided: pathway and destination, priority, and the labels it would save, drawn. */
async function dryRunPage({
  context,
  project,
  stage,
  task,
  outcome,
  agentFile,
}: {
  context: UiContext;
  project: Project;
  stage: Stage;
  task: TaskRecord;
  outcome: AgentOutcome;
  agentFile: string;
}) {
  const batch = outcome.commits.at(-1)?.batch;
  const move = batch?.moves?.find((m) => m.taskUuid === task.uuid);
  const pathway = move === undefined ? undefined : stage.pathways.find((p) => p.uuid === move.pathwayUuid);
  const destination = pathway === undefined ? undefined : project.stages.find((s) => s.uuid === pathway.destinationUuid);
  const save = batch?.labelSaves?.find((s) => s.dataHash === task.dataHash);
  const priority = batch?.priorities?.find((p) => p.dataHash === task.dataHash)?.priority;
  const failure = outcome.report?.failures.find((f) => f.taskUuid === task.uuid);
  const labelRow = save === undefined ? undefined : LabelRow.fromEncordDict(save.labelRow, { ontology: project.ontology });
  const item = await findMediaItem(context.backend, project.uuid, task.dataHash);
  let drawing = null;
  if (labelRow !== undefined && item !== undefined && hasFrames(item)) {
    const image = await frameCacheOf(context)
      .get(item, 0)
      .catch(() => undefined);
    if (image !== undefined) {
      const size = { width: image.width, height: image.height };
      const shapes = overlayShapes(labelRow, 0, size);
      drawing = (
        <div class="overlay-frame">
          <LabelOverlay size={size} mediaUrl={urls.frame(project.uuid, item.dataHash, 0)} shapes={shapes} bitmasks={await bitmaskImages(shapes)} />
        </div>
      );
    }
  }
  return (
    <Layout
      title={`Dry run: ${task.dataTitle}`}
      crumbs={[
        { label: "Projects", href: urls.projects() },
        { label: project.title, href: urls.project(project.uuid) },
        { label: stage.title, href: urls.stage(project.uuid, stage.uuid) },
        { label: task.dataTitle, href: urls.task(project.uuid, task.uuid) },
        { label: "dry run" },
      ]}
    >
      <p class="notice" id="dry-run">
        The handler of {JSON.stringify(stage.title)} in <code>{agentFile}</code> ran on this task; nothing was saved or moved.
      </p>
      {failure !== undefined ? (
        <div class="failure">
          <p class="error">
            It failed after {failure.attempts} attempt{failure.attempts === 1 ? "" : "s"}: {failure.error.name}: {failure.error.message}
          </p>
          {failure.error.stack === undefined ? null : <pre class="stack">{failure.error.stack}</pre>}
        </div>
      ) : (
        <p id="dry-run-pathway">
          {pathway === undefined
            ? "It would leave the task in the stage."
            : `It would move the task along ${JSON.stringify(pathway.name)} to ${destination?.title ?? "?"}.`}
          {priority === undefined ? "" : ` Priority ${priority.toFixed(2)}.`}
        </p>
      )}
      <h2>Labels it would save</h2>
      {labelRow === undefined ? (
        <p class="muted">It would save no labels.</p>
      ) : (
        <>
          {drawing}
          <LabelTable labels={listLabels(labelRow, 0)} />
        </>
      )}
      <p>
        <a class="button" href={urls.task(project.uuid, task.uuid)}>
          Back to the task
        </a>
      </p>
    </Layout>
  );
}

/**
 * With `--agent FILE` (and not `--read-only`): `POST /projects/:hash/tasks/:task/agent` with
 * `stage` and `mode` runs the file's handler of the task's AGENT stage on that one task. `run`
 * commits as a run does (labels, priority, the move; the run is recorded) and redirects to the
 * task; `dry-run` shows what the handler decided and commits nothing.
 */
export const agentActionRoutes: RouteModule = (app, context) => {
  const agentFile = context.agentFile;
  if (context.readOnly || agentFile === undefined) return;
  app.post("/projects/:hash/tasks/:task/agent", async (c) => {
    const form = await c.req.parseBody();
    const mode = form["mode"];
    if (mode !== "run" && mode !== "dry-run") {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `Agent action ${JSON.stringify(mode ?? "")} is not accepted; accepted: "run" (commit) and "dry-run" (commit nothing).`,
      );
    }
    const project = await context.backend.getProject(c.req.param("hash"));
    const task = requireTask(context.db, project.uuid, project.title, c.req.param("task"));
    const stage = project.stages.find((s) => s.uuid === task.stageUuid)!;
    if (typeof form["stage"] !== "string" || form["stage"].toLowerCase() !== stage.uuid) {
      throw new ConfigurationError(
        "TA_TASK_NOT_IN_STAGE",
        `Task ${task.uuid} is now in stage ${JSON.stringify(stage.title)}, not in the stage the page showed; nothing was run. Reload the task page.`,
      );
    }
    if (stage.type !== "AGENT") {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `Task ${task.uuid} is in ${stage.type} stage ${JSON.stringify(stage.title)}; agents run on tasks in AGENT stages.`,
      );
    }
    const outcome = await runOnTask(context, agentFile, project, stage, task, mode === "dry-run");
    if (mode === "dry-run") return sendPage(c, await dryRunPage({ context, project, stage, task, outcome, agentFile }));
    const moved = Object.values(outcome.report?.moved ?? {}).some((n) => n > 0);
    return c.redirect(urls.task(project.uuid, task.uuid, moved ? { moved: task.uuid } : undefined), 303);
  });
};
