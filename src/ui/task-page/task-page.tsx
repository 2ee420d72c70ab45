import type { TaskMoveRecord } from "../../backends/local/task-queries.js";
import type { RouteModule, UiContext } from "../context.js";
import { humanActionsOf } from "../actions/human-actions.js";
import { LabelOverlay } from "../label-overlay/label-overlay.js";
import { LabelTable } from "../label-overlay/label-table.js";
import { Layout, sendPage } from "../layout.js";
import { parseFrame } from "../media/frame-number.js";
import { shortTime } from "../pages/format.js";
import { urls } from "../urls.js";
import { taskDataTitle } from "./task-queries.js";
import { loadTaskView, type TaskView } from "./task-view.js";

/** The drawn object classes of the frame, one toggle each, in the ontology's colours. */
function ClassToggles({ view }: { view: TaskView }) {
  const classes = new Map<string, { title: string; color: string; count: number }>();
  for (const shape of view.shapes) {
    const entry = classes.get(shape.featureHash) ?? { title: shape.title, color: shape.color, count: 0 };
    entry.count++;
    classes.set(shape.featureHash, entry);
  }
  if (classes.size === 0) return <p class="muted">No objects on this frame.</p>;
  return (
    <fieldset class="class-toggles">
      <legend>Show</legend>
      {[...classes].map(([feature, entry]) => (
        <label>
          <input type="checkbox" checked data-toggle-feature={feature} />{" "}
          <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true">
            <rect width="10" height="10" fill={entry.color} />
          </svg>{" "}
          {entry.title} ({entry.count})
        </label>
      ))}
    </fieldset>
  );
}

function FrameNavigation({ view }: { view: TaskView }) {
  const { frame, frameCount, project, task } = view;
  if (frameCount !== null && frameCount <= 1) return null;
  const last = frameCount === null ? undefined : frameCount - 1;
  const link = (to: number) => urls.task(project.uuid, task.uuid, { frame: to });
  return (
    <form class="frames" method="get" action={urls.task(project.uuid, task.uuid)}>
      {frame > 0 ? (
        <a class="button" href={link(frame - 1)} data-key="p" rel="prev">
          ← frame {frame - 1} (p)
        </a>
      ) : null}
      <label>
        Frame <input type="number" name="frame" min="0" max={last === undefined ? undefined : String(last)} value={String(frame)} />{" "}
        {last === undefined ? "" : `of 0–${last}`}
      </label>
      {last === undefined || frame < last ? (
        <a class="button" href={link(frame + 1)} data-key="n" rel="next">
          frame {frame + 1} → (n)
        </a>
      ) : null}
    </form>
  );
}

/** The `--agent` actions on a task in an AGENT stage. */
const agentModes = [
  { mode: "run", label: "Run the agent on this task" },
  { mode: "dry-run", label: "Dry run (commit nothing)" },
] as const;

function Actions({ view, context }: { view: TaskView; context: UiContext }) {
  const { project, task, stage, previous, next } = view;
  const actions = context.readOnly ? [] : humanActionsOf(stage);
  return (
    <div class="task-actions">
      {previous === undefined ? null : (
        <a class="button" href={urls.task(project.uuid, previous)} data-key="k">
          ← previous task (k)
        </a>
      )}
      {next === undefined ? null : (
        <a class="button" href={urls.task(project.uuid, next)} data-key="j">
          next task (j) →
        </a>
      )}
      {actions.map((action) => (
        <form method="post" action={urls.taskProceed(project.uuid, task.uuid)} class="inline">
          <input type="hidden" name="stage" value={stage.uuid} />
          <input type="hidden" name="pathway" value={action.pathway} />
          <button type="submit" class={`action ${action.pathway}`} data-key={action.key}>
            {action.label} ({action.key})
          </button>
        </form>
      ))}
      {context.readOnly || context.agentFile === undefined || stage.type !== "AGENT"
        ? null
        : agentModes.map((action) => (
            <form method="post" action={urls.taskAgent(project.uuid, task.uuid)} class="inline">
              <input type="hidden" name="stage" value={stage.uuid} />
              <input type="hidden" name="mode" value={action.mode} />
              <button type="submit" class={`action agent ${action.mode}`}>
                {action.label}
              </button>
            </form>
          ))}
    </div>
  );
}

function History({ view }: { view: TaskView }) {
  return (
    <table id="history">
      <thead>
        <tr>
          <th>Moved at</th>
          <th>From</th>
          <th>Pathway</th>
          <th>To</th>
          <th>Actor</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {view.history.map((move) => (
          <tr>
            <td>{shortTime(move.movedAt.toISOString())}</td>
            <td>{move.fromStage ?? "—"}</td>
            <td>{move.pathway ?? "—"}</td>
            <td>{move.toStage}</td>
            <td>{move.actor}</td>
            <td class="error">{move.error ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Failures({ view }: { view: TaskView }) {
  if (view.failures.length === 0) return <p class="muted">No failures recorded for this task.</p>;
  return (
    <div id="failures">
      {view.failures.map((failure) => (
        <div class="failure">
          <p>
            <a href={urls.run(failure.runId)}>Run {failure.runId}</a>, {failure.stageTitle ?? failure.stageUuid}, {shortTime(failure.recordedAt)},{" "}
            {failure.attempts} attempt{failure.attempts === 1 ? "" : "s"}
            {failure.routedTo === null ? "" : `, routed to ${failure.routedTo}`}
          </p>
          <p class="error">
            {failure.errorName}: {failure.errorMessage}
          </p>
          {failure.errorStack === null ? null : <pre class="stack">{failure.errorStack}</pre>}
        </div>
      ))}
    </div>
  );
}

/** The task a person just acted on and its last move (after an action redirects to the next task). */
interface MovedTask {
  readonly title: string;
  readonly move: TaskMoveRecord;
}

function MovedNotice({ moved }: { moved: MovedTask | undefined }) {
  if (moved === undefined) return null;
  const { move } = moved;
  return (
    <p class="notice" id="moved">
      Moved {JSON.stringify(moved.title)} from {move.fromStage ?? "—"} along {JSON.stringify(move.pathway ?? "")} to {move.toStage}.
    </p>
  );
}

function TaskPage({ view, context, moved }: { view: TaskView; context: UiContext; moved: MovedTask | undefined }) {
  const { project, task, stage, picture, item } = view;
  return (
    <Layout
      title={task.dataTitle}
      crumbs={[
        { label: "Projects", href: urls.projects() },
        { label: project.title, href: urls.project(project.uuid) },
        { label: stage.title, href: urls.stage(project.uuid, stage.uuid) },
        { label: task.dataTitle },
      ]}
      scripts={["task-page.js"]}
    >
      <MovedNotice moved={moved} />
      <p class="task-facts" data-task={task.uuid} data-stage={stage.uuid}>
        In <span class={`badge ${stage.type}`}>{stage.type}</span> stage <strong id="task-stage">{stage.title}</strong>, status {task.status}, priority{" "}
        {task.priority.toFixed(2)}. Task <code>{task.uuid}</code>, data <code>{task.dataHash}</code>
        {item === undefined ? "" : `, ${item.storageItem.itemType}`}.
      </p>
      <Actions view={view} context={context} />
      {picture === undefined ? (
        <p class="muted">
          {view.dataType === "audio" || view.dataType === "plain_text"
            ? "Audio and text items have no picture; their labels, with their ranges, are listed below."
            : "This item has no picture the dashboard can show; its labels are listed below."}
        </p>
      ) : (
        <section class="media">
          <FrameNavigation view={view} />
          {picture.ok ? null : <p class="error">The frame could not be shown: {picture.reason} The labels are drawn on a blank frame.</p>}
          <ClassToggles view={view} />
          <div class="overlay-frame">
            <LabelOverlay
              size={picture.size}
              {...(picture.ok && item !== undefined ? { mediaUrl: urls.frame(project.uuid, item.dataHash, view.frame) } : {})}
              shapes={view.shapes}
              bitmasks={view.bitmasks}
            />
          </div>
        </section>
      )}
      <h2>Labels</h2>
      <LabelTable labels={view.labels} />
      <h2>History</h2>
      <History view={view} />
      <h2>Failures</h2>
      <Failures view={view} />
    </Layout>
  );
}

/** Page 4: a task with its media, every label drawn over it, its history and failures. */
export const taskPageRoutes: RouteModule = (app, context) => {
  app.get("/projects/:hash/tasks/:task", async (c) => {
    const view = await loadTaskView(context, c.req.param("hash"), c.req.param("task"), parseFrame(c.req.query("frame")));
    // After an action the page names the task that moved: looked up in the store, never echoed from the URL.
    const movedUuid = c.req.query("moved");
    let moved: MovedTask | undefined;
    if (movedUuid !== undefined) {
      const title = taskDataTitle(context.db, view.project.uuid, movedUuid);
      const move = title === undefined ? undefined : [...context.backend.history(view.project.uuid, movedUuid)].flat().at(-1);
      if (title !== undefined && move !== undefined) moved = { title, move };
    }
    return sendPage(c, <TaskPage view={view} context={context} moved={moved} />);
  });
};
