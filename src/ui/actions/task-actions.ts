import { ConfigurationError } from "../../domain/errors.js";
import type { RouteModule } from "../context.js";
import { requireTask, stageNeighbours } from "../task-page/task-queries.js";
import { urls } from "../urls.js";
import { humanActionsOf } from "./human-actions.js";

/** Who the task history names for a move made from the dashboard. */
export const dashboardActor = "dashboard";

/**
 * Acting as a person: `POST /projects/:hash/tasks/:task/proceed` with form fields `stage` (the
 * stage the page showed the task in) and `pathway` moves the task as `tasks proceed` does, and
 * answers with a redirect to the next task of that stage (or back to the task when it was the
 * last), which names the move. A task no longer in that stage is not moved (the store refuses,
 * and the 400 page says where it is). With `--read-only` no action is registered: a POST is 404.
 */
export const taskActionRoutes: RouteModule = (app, context) => {
  if (context.readOnly) return;
  app.post("/projects/:hash/tasks/:task/proceed", async (c) => {
    const form = await c.req.parseBody();
    const stageUuid = typeof form["stage"] === "string" ? form["stage"] : "";
    const pathway = typeof form["pathway"] === "string" ? form["pathway"] : "";
    const project = await context.backend.getProject(c.req.param("hash"));
    const task = requireTask(context.db, project.uuid, project.title, c.req.param("task"));
    const stage = project.stages.find((s) => s.uuid === stageUuid.toLowerCase());
    if (stage === undefined) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `The action names stage ${JSON.stringify(stageUuid)}, which project ` +
          `${JSON.stringify(project.title)} does not have; reload the task page and act from there.`,
      );
    }
    const offered = humanActionsOf(stage);
    if (!offered.some((action) => action.pathway === pathway)) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        offered.length === 0
          ? `Tasks in ${stage.type} stage ${JSON.stringify(stage.title)} are not moved by people; ` +
              `the dashboard acts in ANNOTATION (submit) and REVIEW (approve, reject) stages.`
          : `Pathway ${JSON.stringify(pathway)} is not a person's action in stage ${JSON.stringify(stage.title)}` +
              `; accepted: ${offered.map((a) => JSON.stringify(a.pathway)).join(", ")}.`,
      );
    }
    context.backend.proceed(project.uuid, { stage: stage.uuid, pathway, taskUuid: task.uuid, actor: dashboardActor });
    context.logger.info({ task: task.uuid, stage: stage.title, pathway }, `moved ${JSON.stringify(task.dataTitle)} along ${JSON.stringify(pathway)}`);
    const { next } = stageNeighbours(context.db, stage.uuid, task.id);
    return c.redirect(urls.task(project.uuid, next ?? task.uuid, { moved: task.uuid }), 303);
  });
};
