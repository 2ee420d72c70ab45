import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { pino, type Logger } from "pino";
import type { RunStageOptions } from "../runner/options.js";
import type { RunReport } from "../runner/run-report.js";
import type { Runner } from "../runner/runner.js";
import { isNotificationRefusedError, type NotificationRefusal } from "./notification-errors.js";
import { parseEncordNotification, type EncordStageNotification } from "./parse-notification.js";
import { checkNotificationHeaders, notificationSecret, verifyEncordNotification } from "./verify-notification.js";

/** How the receiver answered one request. */
export type NotificationOutcome = "accepted" | "no-handler" | "other-project" | "ignored" | "unauthorized" | "unsupported-version" | "malformed" | "too-large";

/** One request, as {@link NotificationAppOptions.onNotification} sees it. */
export interface NotificationEvent {
  readonly outcome: NotificationOutcome;
  readonly status: number;
  /** The rule a refused request broke. */
  readonly refusal?: NotificationRefusal;
  readonly notification?: EncordStageNotification;
}

/** One pass a notification started, as {@link NotificationAppOptions.onPass} sees it. */
export interface NotificationPassEvent {
  readonly stageUuid: string;
  readonly report?: RunReport;
  readonly error?: unknown;
  readonly durationMs: number;
}

/** Options of {@link createNotificationApp}. */
export interface NotificationAppOptions {
  /** The signing secret. @defaultValue `process.env.ENCORD_WEBHOOK_SECRET` (one must be set) */
  readonly secret?: string;
  /** Where notifications are posted. @defaultValue "/" */
  readonly path?: string;
  /** Seconds a timestamp may be off, either way. @defaultValue 300 */
  readonly toleranceSeconds?: number;
  /** Larger bodies are refused with 413 unread. @defaultValue 1 MiB */
  readonly maxBodyBytes?: number;
  /** Options of each `runner.runStage()` pass a notification starts. */
  readonly runStageOptions?: RunStageOptions;
  /** Receives one line per request (refusals at debug, with the reason only). @defaultValue silent */
  readonly logger?: Logger;
  /** Called for every request, after it is answered (metrics). */
  readonly onNotification?: (event: NotificationEvent) => void;
  /** Called when a pass a notification started has ended (metrics). */
  readonly onPass?: (event: NotificationPassEvent) => void;
  /** Whether new passes may start; false while shutting down (requests get 503). @defaultValue always */
  readonly accepting?: () => boolean;
}

/** The largest notification accepted: Encord's are a few hundred bytes. */
export const defaultMaxBodyBytes = 1024 * 1024;

const unauthorized = new Set<NotificationRefusal>([
  "missing-headers",
  "bad-timestamp",
  "stale-timestamp",
  "future-timestamp",
  "bad-signature",
  "newer-signature",
]);

/**
 * A Hono app that receives Encord's task-ready notifications for the runner's stages: it
 * verifies each request (401 when it may not be genuine, 413 past `maxBodyBytes`), acknowledges
 * other events (200), refuses envelope versions it cannot read (501), answers a genuine
 * notification with 202 at once and then runs `runner.runStage()` for the notified stage (single
 * flight: a burst costs one running and one pending pass). A stage without a handler, or of
 * another project than the runner's, is acknowledged (200) and logged. The app is a Fetch
 * handler (`app.fetch`), so it mounts in Node, serverless functions and other frameworks.
 * Throws a configuration error when no secret is configured.
 * @example
 * import { serve } from "@hono/node-server";
 * serve({ fetch: createNotificationApp(runner).fetch, port: 8080 });
 */
export function createNotificationApp(runner: Runner, options: NotificationAppOptions = {}): Hono {
  const secret = notificationSecret(options.secret);
  const logger = options.logger ?? pino({ level: "silent" });
  const app = new Hono();
  // Notifications that joined a pass already running resolve to that pass's report: tell it once.
  const seenPasses = new WeakSet<object>();
  const answer = (c: Context, event: NotificationEvent, body: Record<string, unknown>) => {
    options.onNotification?.(event);
    return c.json(body, event.status as 200);
  };
  const refuse = (c: Context, error: unknown) => {
    if (!isNotificationRefusedError(error)) throw error;
    const status = unauthorized.has(error.reason) ? 401 : error.reason === "other-event" ? 200 : error.reason === "unsupported-version" ? 501 : 400;
    const outcome: NotificationOutcome = status === 401 ? "unauthorized" : status === 200 ? "ignored" : status === 501 ? "unsupported-version" : "malformed";
    logger.debug({ reason: error.reason, status }, `notification refused: ${error.message}`);
    // A request that may not be genuine learns nothing about why it was refused.
    return answer(
      c,
      { outcome, status, refusal: error.reason },
      status === 401 ? { status: "refused" } : { status: status === 200 ? "ignored" : "refused", reason: error.reason, message: error.message },
    );
  };

  app.post(
    options.path ?? "/",
    async (c, next) => {
      try {
        checkNotificationHeaders(c.req.raw.headers, options);
      } catch (error) {
        return refuse(c, error);
      }
      await next();
    },
    bodyLimit({
      maxSize: options.maxBodyBytes ?? defaultMaxBodyBytes,
      onError: (c) => {
        logger.debug({ status: 413 }, "notification refused: body too large");
        return answer(
          c,
          { outcome: "too-large", status: 413 },
          { status: "refused", reason: "too-large", message: `A notification body is at most ${options.maxBodyBytes ?? defaultMaxBodyBytes} bytes.` },
        );
      },
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      let notification: EncordStageNotification;
      try {
        verifyEncordNotification(body, c.req.raw.headers, { ...options, secret });
        notification = parseEncordNotification(body);
      } catch (error) {
        return refuse(c, error);
      }
      if (options.accepting?.() === false) {
        options.onNotification?.({ outcome: "ignored", status: 503, notification });
        return c.json({ status: "unavailable", message: "The receiver is shutting down; Encord notifies again while work remains." }, 503);
      }
      const expected = runner.projectHash?.toLowerCase();
      if (expected !== undefined && expected !== notification.projectHash) {
        logger.warn(
          { uid: notification.uid, project: notification.projectHash },
          `notification for project ${notification.projectHash} acknowledged and ignored: this receiver runs project ${expected}`,
        );
        return answer(c, { outcome: "other-project", status: 200, notification }, { status: "ignored", reason: "other-project" });
      }
      let handled: boolean;
      try {
        handled = await runner.hasHandler(notification.stageUuid, notification.projectHash);
      } catch (error) {
        logger.error(
          { err: error, uid: notification.uid },
          `notification for stage ${notification.stageUuid}: the project could not be read: ${errorMessage(error)}`,
        );
        return c.json({ status: "error", message: "The project could not be read; see the receiver's log." }, 500);
      }
      if (!handled) {
        logger.info(
          { uid: notification.uid, stage: notification.stageUuid },
          `notification for stage ${notification.stageUuid} acknowledged: no handler is registered for it`,
        );
        return answer(c, { outcome: "no-handler", status: 200, notification }, { status: "ignored", reason: "no-handler" });
      }
      logger.info(
        { uid: notification.uid, stage: notification.stageUuid, reason: notification.reason, pending: notification.pendingCount },
        `notification accepted for stage ${notification.stageUuid}`,
      );
      startPass(runner, notification, options, logger, seenPasses);
      return answer(c, { outcome: "accepted", status: 202, notification }, { status: "accepted", stage: notification.stageUuid });
    },
  );
  return app;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs the pass after the answer is sent; its outcome goes to the log and `onPass`. */
function startPass(runner: Runner, notification: EncordStageNotification, options: NotificationAppOptions, logger: Logger, seen: WeakSet<object>): void {
  const started = performance.now();
  const firstTime = (outcome: unknown) => {
    if (typeof outcome !== "object" || outcome === null) return true;
    if (seen.has(outcome)) return false;
    seen.add(outcome);
    return true;
  };
  runner.runStage(notification.stageUuid, { ...options.runStageOptions, projectHash: notification.projectHash }).then(
    (report) => {
      if (!firstTime(report)) return;
      const stage = report.stages[0];
      logger.info(
        { stage: notification.stageUuid, seen: stage?.seen, moved: stage?.moved, failed: stage?.failed, end: report.end },
        `pass over ${JSON.stringify(stage?.title ?? notification.stageUuid)}: ${stage?.seen ?? 0} tasks, ${stage?.failed ?? 0} failed, ended ${report.end}`,
      );
      options.onPass?.({ stageUuid: notification.stageUuid, report, durationMs: performance.now() - started });
    },
    (error: unknown) => {
      if (!firstTime(error)) return;
      logger.error({ err: error, stage: notification.stageUuid }, `pass over stage ${notification.stageUuid} failed: ${errorMessage(error)}`);
      options.onPass?.({ stageUuid: notification.stageUuid, error, durationMs: performance.now() - started });
    },
  );
}
