import { NotFoundError } from "../../domain/errors.js";
import { findRun, listRuns, runFailures, type RunDetail } from "../queries/run-queries.js";
import type { RouteModule } from "../context.js";
import { Layout, sendPage } from "../layout.js";
import { urls } from "../urls.js";
import { count, duration, shortTime } from "./format.js";
import { RunOutcome } from "./run-outcome.js";

const runsPerPage = 50;
const sum = (run: RunDetail, key: "seen" | "failed" | "succeeded") => run.stages.reduce((total, s) => total + s[key], 0);
const movedTotal = (run: RunDetail) => run.stages.reduce((total, s) => total + Object.values(s.moved).reduce((a, b) => a + b, 0), 0);

/** A positive whole number from the URL, or a 404 (a run id that cannot exist names no page). */
function runId(text: string): number {
  if (!/^\d{1,15}$/.test(text))
    throw new NotFoundError("TA_UNKNOWN_RUN", `${JSON.stringify(text)} is not a run id; run ids are whole numbers, listed on the Runs page.`);
  return Number(text);
}

/** Page 5: the runs recorded in the store, and each run with its report per stage and failures. */
export const runsRoutes: RouteModule = (app, context) => {
  app.get("/runs", (c) => {
    const project = c.req.query("project") || undefined;
    const beforeText = c.req.query("before");
    const before = beforeText === undefined || beforeText === "" ? undefined : runId(beforeText);
    const runs = listRuns(context.db, {
      limit: runsPerPage,
      ...(project === undefined ? {} : { projectUuid: project }),
      ...(before === undefined ? {} : { before }),
    });
    const last = runs.at(-1);
    return sendPage(
      c,
      <Layout title="Runs" crumbs={[{ label: "Projects", href: urls.projects() }, { label: "Runs" }]}>
        {runs.length === 0 ? (
          <p class="muted">
            No runs recorded{before === undefined ? "" : " before these"}. Every `task-agents run` and serve pass on this store records one (queue workers do
            not yet).
          </p>
        ) : (
          <table id="runs">
            <thead>
              <tr>
                <th class="num">Run</th>
                <th>Project</th>
                <th>Kind</th>
                <th>Started</th>
                <th>Ended</th>
                <th>How it ended</th>
                <th class="num">Seen</th>
                <th class="num">Moved</th>
                <th class="num">Failed</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr data-run={String(run.id)}>
                  <td class="num">
                    <a href={urls.run(run.id)}>#{run.id}</a>
                  </td>
                  <td>
                    <a href={urls.project(run.projectUuid)}>{run.projectTitle}</a>
                  </td>
                  <td>{run.kind}</td>
                  <td>{shortTime(run.startedAt)}</td>
                  <td>{shortTime(run.finishedAt)}</td>
                  <td>
                    <RunOutcome run={run} />
                  </td>
                  <td class="num">{count(sum(run, "seen"))}</td>
                  <td class="num">{count(movedTotal(run))}</td>
                  <td class="num">{count(sum(run, "failed"))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {runs.length === runsPerPage && last !== undefined && (
          <p class="pager">
            <a class="button" rel="next" href={urls.runs({ project, before: last.id })}>
              Older runs
            </a>
          </p>
        )}
      </Layout>,
    );
  });

  app.get("/runs/:id", (c) => {
    const id = runId(c.req.param("id"));
    const run = findRun(context.db, id);
    if (run === undefined) throw new NotFoundError("TA_UNKNOWN_RUN", `There is no run ${id} in this store; the Runs page lists the recorded runs.`);
    const failures = runFailures(context.db, id);
    const unlisted = sum(run, "failed") - failures.length;
    return sendPage(
      c,
      <Layout title={`Run #${run.id}`} crumbs={[{ label: "Runs", href: urls.runs() }, { label: `#${run.id}` }]}>
        <table class="facts">
          <tbody>
            <tr>
              <th>Project</th>
              <td>
                <a href={urls.project(run.projectUuid)}>{run.projectTitle}</a>
              </td>
            </tr>
            <tr>
              <th>Kind</th>
              <td>{run.kind}</td>
            </tr>
            <tr>
              <th>Started</th>
              <td>{shortTime(run.startedAt)}</td>
            </tr>
            <tr>
              <th>Ended</th>
              <td>
                {run.finishedAt === null
                  ? `no end recorded: running, or process ${run.pid} on ${run.host} ended without finishing (last update ${shortTime(run.updatedAt)})`
                  : `${shortTime(run.finishedAt)} after ${duration(run.report.durationMs)}, ${run.report.passes} pass${run.report.passes === 1 ? "" : "es"}`}
              </td>
            </tr>
            <tr>
              <th>How it ended</th>
              <td>
                <RunOutcome run={run} />
                {run.error === null ? "" : <span class="error"> {run.error}</span>}
              </td>
            </tr>
            <tr>
              <th>Options</th>
              <td>
                <code>{JSON.stringify(run.options)}</code>
              </td>
            </tr>
          </tbody>
        </table>
        <h2>Stages</h2>
        <table id="run-stages">
          <thead>
            <tr>
              <th>Stage</th>
              <th class="num">Seen</th>
              <th class="num">Succeeded</th>
              <th class="num">Failed</th>
              <th class="num">Left</th>
              <th>Moved</th>
            </tr>
          </thead>
          <tbody>
            {run.stages.map((s) => (
              <tr>
                <td>
                  <a href={urls.stage(run.projectUuid, s.uuid)}>{s.title}</a>
                </td>
                <td class="num">{count(s.seen)}</td>
                <td class="num">{count(s.succeeded)}</td>
                <td class="num">{count(s.failed)}</td>
                <td class="num">{count(s.left)}</td>
                <td>
                  {Object.entries(s.moved)
                    .map(([name, n]) => `${name}: ${n}`)
                    .join(", ") || "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Failures</h2>
        {failures.length === 0 ? (
          <p class="muted">No task failed in this run.</p>
        ) : (
          <table id="run-failures">
            <thead>
              <tr>
                <th>Task</th>
                <th>Stage</th>
                <th class="num">Attempts</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((f) => (
                <tr data-task={f.taskUuid}>
                  <td>
                    <a href={urls.task(run.projectUuid, f.taskUuid)}>{f.dataTitle}</a>
                  </td>
                  <td>{f.stageTitle ?? f.stageUuid}</td>
                  <td class="num">{f.attempts}</td>
                  <td>
                    <span class="error">{`${f.errorName}: ${f.errorMessage}`}</span>
                    {f.routedTo === null ? "" : <span class="muted"> → moved along {f.routedTo}</span>}
                    {f.errorStack !== null && (
                      <details>
                        <summary>stack</summary>
                        <pre class="stack">{f.errorStack}</pre>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {unlisted > 0 && <p class="muted">{count(unlisted)} more failures were counted but not listed (a run lists the first 1,000 per stage).</p>}
      </Layout>,
    );
  });
};
