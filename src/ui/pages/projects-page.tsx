import type { StageType } from "../../domain/workflow.js";
import type { RouteModule } from "../context.js";
import { Layout, sendPage } from "../layout.js";
import { projectOverviews } from "../queries/project-overview.js";
import { urls } from "../urls.js";
import { count, shortTime } from "./format.js";
import { RunOutcome } from "./run-outcome.js";

const stageTypes: readonly StageType[] = ["START", "AGENT", "ANNOTATION", "REVIEW", "DONE"];

/** Page 1: every project of the store with its task counts per stage type and its last run. */
export const projectsRoutes: RouteModule = (app, context) => {
  app.get("/", (c) => c.redirect(urls.projects(), 302));
  app.get("/projects", (c) => {
    const projects = projectOverviews(context.db);
    return sendPage(
      c,
      <Layout title="Projects">
        <p class="muted">
          Store <code>{context.storePath}</code>
        </p>
        {projects.length === 0 ? (
          <p>
            This store has no projects yet. Make one with <code>task-agents project create &lt;spec&gt;</code>.
          </p>
        ) : (
          <table id="projects">
            <thead>
              <tr>
                <th>Project</th>
                <th>Hash</th>
                <th class="num">Tasks</th>
                {stageTypes.map((type) => (
                  <th class="num">{type}</th>
                ))}
                <th>Last run</th>
              </tr>
            </thead>
            <tbody>
              {projects.map((p) => (
                <tr data-project={p.uuid}>
                  <td>
                    <a href={urls.project(p.uuid)}>{p.title}</a>
                  </td>
                  <td class="hash">{p.uuid}</td>
                  <td class="num">{count(p.taskCount)}</td>
                  {stageTypes.map((type) => (
                    <td class="num">{count(p.tasksByStageType.get(type) ?? 0)}</td>
                  ))}
                  <td>
                    {p.lastRun === undefined ? (
                      <span class="muted">none recorded</span>
                    ) : (
                      <a href={urls.run(p.lastRun.id)}>
                        {shortTime(p.lastRun.startedAt)} <RunOutcome run={p.lastRun} />
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });
};
