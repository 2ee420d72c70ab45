import { streamSSE } from "hono/streaming";
import { readProject } from "../../backends/local/projects.js";
import { StoreChanges } from "../../backends/local/store-changes.js";
import type { RouteModule } from "../context.js";
import { Layout, sendPage } from "../layout.js";
import { stageCounts } from "../queries/stage-counts.js";
import { urls } from "../urls.js";
import { WorkflowSvg } from "../workflow-graph/workflow-svg.js";
import { count } from "./format.js";

/**
 * Page 2: a project's workflow drawn as a graph with live task counts (server-sent events from
 * /projects/:hash/counts, sent again whenever the store changes), and its stage table.
 */
export const projectRoutes: RouteModule = (app, context) => {
  app.get("/projects/:hash", (c) => {
    const project = readProject(context.db, c.req.param("hash"));
    const counts = stageCounts(
      context.db,
      project.stages.map((s) => s.uuid),
    );
    const byUuid = new Map(project.stages.map((s) => [s.uuid, s]));
    return sendPage(
      c,
      <Layout title={project.title} crumbs={[{ label: "Projects", href: urls.projects() }, { label: project.title }]} scripts={["live-counts.js"]}>
        <p class="muted">
          <span class="hash">{project.uuid}</span>
          {project.description === "" ? "" : ` · ${project.description}`} · <a href={urls.runs({ project: project.uuid })}>runs</a>
        </p>
        <div data-live-counts={urls.projectCounts(project.uuid)}>
          <WorkflowSvg project={project} counts={counts} />
        </div>
        <h2>Stages</h2>
        <table id="stages">
          <thead>
            <tr>
              <th>Stage</th>
              <th>Type</th>
              <th class="num">Tasks</th>
              <th>Pathways</th>
            </tr>
          </thead>
          <tbody>
            {project.stages.map((stage) => (
              <tr data-stage={stage.uuid}>
                <td>
                  <a href={urls.stage(project.uuid, stage.uuid)}>{stage.title}</a>
                </td>
                <td>
                  <span class={`badge ${stage.type}`}>{stage.type}</span>
                </td>
                <td class="num" data-stage-count={stage.uuid}>
                  {count(counts.get(stage.uuid) ?? 0)}
                </td>
                <td>{stage.pathways.map((p) => `${p.name} → ${byUuid.get(p.destinationUuid)?.title ?? p.destinationUuid}`).join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  app.get("/projects/:hash/counts", (c) => {
    const project = readProject(context.db, c.req.param("hash"));
    const stages = project.stages.map((s) => s.uuid);
    return streamSSE(c, async (stream) => {
      const closed = new AbortController();
      stream.onAbort(() => closed.abort());
      const changes = new StoreChanges(context.db);
      let last = "";
      while (!closed.signal.aborted) {
        const counts = JSON.stringify(Object.fromEntries(stageCounts(context.db, stages)));
        // A change elsewhere in the store (labels, another project) sends nothing new.
        if (counts !== last) {
          await stream.writeSSE({ event: "counts", data: counts });
          last = counts;
        }
        if (!(await changes.wait(closed.signal))) break;
      }
    });
  });
};
