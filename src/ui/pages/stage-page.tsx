import { readProject } from "../../backends/local/projects.js";
import { ConfigurationError, NotFoundError } from "../../domain/errors.js";
import type { TaskStatus } from "../../domain/task.js";
import { latestStageFailures } from "../queries/run-queries.js";
import { stageCounts } from "../queries/stage-counts.js";
import { stagePageSize, stageSorts, stageTaskPage, taskStatuses, type StageSort } from "../queries/stage-tasks.js";
import type { RouteModule } from "../context.js";
import { Layout, sendPage } from "../layout.js";
import { urls } from "../urls.js";
import { count, shortTime } from "./format.js";

/** A query parameter that must be one of `accepted` (or absent). */
function oneOf<T extends string>(name: string, value: string | undefined, accepted: readonly T[]): T | undefined {
  if (value === undefined || value === "") return undefined;
  const upper = accepted.find((a) => a.toLowerCase() === value.toLowerCase());
  if (upper === undefined)
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `"${name}" must be one of ${accepted.join(", ")}; got ${JSON.stringify(value)}.`);
  return upper;
}

/**
 * Page 3: a stage's tasks, 100 a page (keyset), filtered by status and title, sorted by age or
 * priority; for an AGENT stage, the latest failures its handler recorded.
 */
export const stageRoutes: RouteModule = (app, context) => {
  app.get("/projects/:hash/stages/:stage", (c) => {
    const project = readProject(context.db, c.req.param("hash"));
    const ref = c.req.param("stage").toLowerCase();
    const stage = project.stages.find((s) => s.uuid === ref);
    if (stage === undefined) {
      throw new NotFoundError(
        "TA_UNKNOWN_STAGE",
        `Project ${JSON.stringify(project.title)} has no stage ${JSON.stringify(c.req.param("stage"))}; ` +
          `its stages are ${project.stages.map((s) => `${JSON.stringify(s.title)} (${s.uuid})`).join(", ")}.`,
      );
    }
    const status = oneOf<TaskStatus>("status", c.req.query("status"), taskStatuses);
    const sort: StageSort = oneOf("sort", c.req.query("sort"), stageSorts) ?? "age";
    const title = c.req.query("title")?.trim() || undefined;
    const after = c.req.query("after") || undefined;
    const page = stageTaskPage(context.db, {
      projectUuid: project.uuid,
      stageUuid: stage.uuid,
      sort,
      ...(status === undefined ? {} : { status }),
      ...(title === undefined ? {} : { title }),
      ...(after === undefined ? {} : { after }),
    });
    const total = stageCounts(context.db, [stage.uuid]).get(stage.uuid) ?? 0;
    const failures = stage.type === "AGENT" ? latestStageFailures(context.db, stage.uuid, 20) : [];
    const filters = { status, title, sort: sort === "age" ? undefined : sort };
    return sendPage(
      c,
      <Layout
        title={stage.title}
        crumbs={[{ label: "Projects", href: urls.projects() }, { label: project.title, href: urls.project(project.uuid) }, { label: stage.title }]}
      >
        <p class="muted">
          <span class={`badge ${stage.type}`}>{stage.type}</span> <span class="hash">{stage.uuid}</span> · {count(total)} task{total === 1 ? "" : "s"} in this
          stage
        </p>
        {stage.type === "AGENT" && (
          <section id="failures">
            <h2>Latest failures</h2>
            {failures.length === 0 ? (
              <p class="muted">No failure recorded in this stage.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Task</th>
                    <th>Error</th>
                    <th>Run</th>
                  </tr>
                </thead>
                <tbody>
                  {failures.map((f) => (
                    <tr>
                      <td>{shortTime(f.recordedAt)}</td>
                      <td>
                        <a href={urls.task(project.uuid, f.taskUuid)}>{f.dataTitle}</a>
                      </td>
                      <td class="error">
                        {`${f.errorName}: ${f.errorMessage}`}
                        {f.routedTo === null ? "" : ` → moved along ${f.routedTo}`}
                      </td>
                      <td>
                        <a href={urls.run(f.runId)}>#{f.runId}</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}
        <h2>Tasks</h2>
        <form class="filters" method="get" action={urls.stage(project.uuid, stage.uuid)}>
          <label>
            Status
            <select name="status">
              <option value="">any</option>
              {taskStatuses.map((s) => (
                <option value={s} selected={s === status}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Title contains
            <input type="search" name="title" value={title ?? ""} />
          </label>
          <label>
            Sorted by
            <select name="sort">
              <option value="age" selected={sort === "age"}>
                age (oldest first)
              </option>
              <option value="priority" selected={sort === "priority"}>
                priority (highest first)
              </option>
            </select>
          </label>
          <button type="submit">Show</button>
        </form>
        {page.tasks.length === 0 ? (
          <p class="muted">{after === undefined ? "No task in this stage matches." : "No more tasks."}</p>
        ) : (
          <table id="tasks">
            <thead>
              <tr>
                <th>Data title</th>
                <th>Status</th>
                <th class="num">Priority</th>
                <th>Assignee</th>
                <th>Created</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {page.tasks.map((t) => (
                <tr data-task={t.uuid}>
                  <td>
                    <a href={urls.task(project.uuid, t.uuid)}>{t.dataTitle}</a>
                  </td>
                  <td>{t.status}</td>
                  <td class="num">{t.priority.toFixed(2)}</td>
                  <td>{t.assignee ?? "—"}</td>
                  <td>{shortTime(t.createdAt)}</td>
                  <td>{shortTime(t.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="pager">
          {after !== undefined && (
            <a class="button" href={urls.stage(project.uuid, stage.uuid, filters)}>
              First page
            </a>
          )}
          {page.next !== undefined && (
            <a class="button" rel="next" href={urls.stage(project.uuid, stage.uuid, { ...filters, after: page.next })}>
              Next {stagePageSize}
            </a>
          )}
        </p>
      </Layout>,
    );
  });
};
