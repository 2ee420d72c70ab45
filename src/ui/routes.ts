import type { RouteModule } from "./context.js";
import { assetRoutes } from "./asset-routes.js";
import { projectsRoutes } from "./pages/projects-page.js";
import { projectRoutes } from "./pages/project-page.js";
import { stageRoutes } from "./pages/stage-page.js";
import { runsRoutes } from "./pages/runs-page.js";
import { agentActionRoutes } from "./actions/agent-actions.js";
import { taskActionRoutes } from "./actions/task-actions.js";
import { mediaRoutes } from "./media/media-routes.js";
import { taskPageRoutes } from "./task-page/task-page.js";

/**
 * Every route module of the dashboard, registered in this order by createUiApp. Add a module
 * here (one line) to add its pages or actions.
 */
export const routeModules: readonly RouteModule[] = [
  assetRoutes,
  projectsRoutes,
  projectRoutes,
  stageRoutes,
  runsRoutes,
  taskPageRoutes,
  mediaRoutes,
  taskActionRoutes,
  agentActionRoutes,
];
