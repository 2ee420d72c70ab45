import type { Hono } from "hono";
import type { Logger } from "pino";
import type { Db } from "../backends/local/database.js";
import type { LocalBackend } from "../backends/local/local-backend.js";

/**
 * What every route module of the dashboard gets. Pages read through `db` (one connection of the
 * server's own, so a long page query never waits behind an action); actions go through
 * `backend`, which applies the same rules as the CLI (`tasks proceed`, runs).
 */
export interface UiContext {
  /** The store file the dashboard shows. */
  readonly storePath: string;
  /** Read-only queries of the pages. Never write through it. */
  readonly db: Db;
  /** The store as a backend: project reads with the workflow, proceeding tasks, agent runs. */
  readonly backend: LocalBackend;
  /** `--read-only`: no page may show or accept an action. */
  readonly readOnly: boolean;
  /** `--agent FILE`: the agent file for "run the agent on this task" and dry runs, when given. */
  readonly agentFile: string | undefined;
  readonly logger: Logger;
}

/** Adds a group of routes (pages, actions, streams) to the dashboard; listed in routes.ts. */
export type RouteModule = (app: Hono, context: UiContext) => void;
