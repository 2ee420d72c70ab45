import type { Hono } from "hono";
import type { Logger } from "pino";
import { createNotificationApp } from "../notifications/notification-app.js";
import type { AgentStage, Project } from "../domain/workflow.js";
import type { RunStageOptions } from "../runner/options.js";
import type { RunReport } from "../runner/run-report.js";
import type { Runner } from "../runner/runner.js";
import { StageHealthBook } from "./stage-health.js";
import type { TaskMetrics } from "./task-metrics.js";

/** Options of {@link createServeApp}. */
export interface ServeAppOptions {
  readonly secret: string;
  readonly path: string;
  readonly project: Project;
  readonly stages: readonly AgentStage[];
  readonly runStageOptions: RunStageOptions;
  readonly logger: Logger;
  readonly metrics: TaskMetrics;
  /** False once shutting down: notifications get 503 and `/healthz` says so. */
  readonly accepting: () => boolean;
  /** Called with the report of each pass a notification started, once it ended. */
  readonly onPass?: (report: RunReport) => void;
}

/**
 * The app `task-agents serve` runs: the notification receiver at `path`, `GET /healthz` (200 while
 * accepting, 503 while shutting down; per stage the last pass, whether one runs and whether a
 * follow-up waits) and `GET /metrics` (Prometheus text format).
 */
export function createServeApp(runner: Runner, options: ServeAppOptions): Hono {
  const health = new StageHealthBook();
  const app = createNotificationApp(runner, {
    secret: options.secret,
    path: options.path,
    runStageOptions: options.runStageOptions,
    logger: options.logger,
    accepting: options.accepting,
    onNotification: (event) => options.metrics.recordNotification(event.status === 503 ? "unavailable" : event.outcome),
    onPass: (event) => {
      health.record(event.stageUuid, event);
      const stage = event.report?.stages[0];
      if (stage !== undefined) options.metrics.recordStage(stage, event.report!.end);
      if (event.report !== undefined) options.onPass?.(event.report);
    },
  });
  app.get("/healthz", (c) => {
    const accepting = options.accepting();
    const body = {
      status: accepting ? "ok" : "stopping",
      project: { hash: options.project.uuid, title: options.project.title },
      stages: health.health(options.stages, runner.stagePasses),
    };
    return c.json(body, accepting ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const { body, contentType } = await options.metrics.exposition();
    return c.body(body, 200, { "Content-Type": contentType });
  });
  return app;
}
