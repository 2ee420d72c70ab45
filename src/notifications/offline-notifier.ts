import { setTimeout as sleep } from "node:timers/promises";
import { ConfigurationError } from "../domain/errors.js";
import { agentStageEnvelope, type AgentStageNotificationReason } from "./agent-stage-envelope.js";
import { deliverNotification, displayUrl, type DeliveryOutcome } from "./deliver-notification.js";
import { notificationDue, oldestWaitSeconds, type NotifyThresholds, type StageQueue } from "./notification-due.js";

/** A stage with notification settings and its queue now, as a store reports it. */
export interface NotifiedStageState extends StageQueue {
  readonly stageUuid: string;
  readonly stageTitle: string;
  readonly notify: NotifyThresholds & { readonly url: string; readonly secret?: string; readonly secretEnv?: string };
}

/** One event of a notifier session, in the order things happen. */
export type NotifierEvent =
  | {
      readonly kind: "delivered" | "delivery-failed";
      readonly cycle: number;
      readonly stageUuid: string;
      readonly stageTitle: string;
      /** Scheme, host and path: no user info or query. */
      readonly url: string;
      readonly uid: string;
      readonly reason: AgentStageNotificationReason;
      readonly pendingCount: number;
      readonly outcome: DeliveryOutcome;
    }
  | {
      readonly kind: "not-due";
      readonly cycle: number;
      readonly stageUuid: string;
      readonly stageTitle: string;
      readonly pendingCount: number;
      readonly oldestWaitSeconds: number | null;
      readonly batchSize: number;
      readonly maxWaitSeconds: number;
    };

/** Options of {@link runOfflineNotifier}. */
export interface OfflineNotifierOptions {
  readonly projectHash: string;
  /** Reads the project's notified stages and their queues; called once per cycle. */
  readonly readStages: () => readonly NotifiedStageState[] | Promise<readonly NotifiedStageState[]>;
  /** Where `secretEnv` names are looked up. */
  readonly env: NodeJS.ProcessEnv;
  /** Milliseconds from one cycle's start to the next's; absent: one cycle. */
  readonly everyMs?: number;
  /** Ends the session: no new cycle starts and a delivery in flight is abandoned. */
  readonly signal?: AbortSignal;
  readonly onEvent: (event: NotifierEvent) => void;
  /** Per delivery. @defaultValue deliveryTimeoutMs (30 s) */
  readonly timeoutMs?: number;
}

/** What a notifier session did. */
export interface NotifierSummary {
  readonly cycles: number;
  readonly delivered: number;
  readonly failed: number;
}

/**
 * Sends the notifications Encord would send for a project's notified AGENT stages: each cycle
 * looks at every such stage and posts a signed notification, with a fresh uid, to each whose
 * queue has reached its batch size or whose oldest task has waited past its maximum wait. One
 * cycle, or one every `everyMs` until `signal` aborts (Encord's cycle is about 5 minutes).
 */
export async function runOfflineNotifier(options: OfflineNotifierOptions): Promise<NotifierSummary> {
  const first = await options.readStages();
  if (first.length === 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Project ${options.projectHash} has no AGENT stage with notification settings, so there is ` +
        `nothing to notify. Give an AGENT stage of the project spec ` +
        `"notify: { url, secret, batchSize, maxWaitSeconds }" (or secretEnv instead of secret) ` +
        `and create the project from it.`,
    );
  }
  const secrets = resolveSecrets(first, options.env);
  let stages = first;
  const summary = { cycles: 0, delivered: 0, failed: 0 };
  for (;;) {
    const started = Date.now();
    summary.cycles++;
    for (const stage of stages) {
      if (options.signal?.aborted) break;
      const event = await notifyStage(stage, secrets.get(stage.stageUuid)!, summary.cycles, options);
      if (event.kind === "delivered") summary.delivered++;
      if (event.kind === "delivery-failed") summary.failed++;
      options.onEvent(event);
    }
    if (options.everyMs === undefined || options.signal?.aborted) return summary;
    const waited = await sleep(Math.max(0, started + options.everyMs - Date.now()), true, { signal: options.signal }).catch(() => false);
    if (!waited) return summary;
    stages = await options.readStages();
  }
}

async function notifyStage(stage: NotifiedStageState, secret: string, cycle: number, options: OfflineNotifierOptions): Promise<NotifierEvent> {
  const now = new Date();
  const reason = notificationDue(stage.notify, stage, now);
  const about = { cycle, stageUuid: stage.stageUuid, stageTitle: stage.stageTitle, pendingCount: stage.pendingCount };
  if (reason === undefined) {
    return {
      kind: "not-due",
      ...about,
      oldestWaitSeconds: oldestWaitSeconds(stage, now),
      batchSize: stage.notify.batchSize,
      maxWaitSeconds: stage.notify.maxWaitSeconds,
    };
  }
  const envelope = agentStageEnvelope({
    projectHash: options.projectHash,
    stageUuid: stage.stageUuid,
    pendingCount: stage.pendingCount,
    reason,
    createdAt: now,
  });
  const outcome = await deliverNotification(stage.notify.url, JSON.stringify(envelope), secret, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return { kind: outcome.ok ? "delivered" : "delivery-failed", ...about, url: displayUrl(stage.notify.url), uid: envelope.uid, reason, outcome };
}

/** Each stage's signing secret; every `secretEnv` that names an unset variable is one error. */
function resolveSecrets(stages: readonly NotifiedStageState[], env: NodeJS.ProcessEnv): Map<string, string> {
  const secrets = new Map<string, string>();
  const missing: string[] = [];
  for (const stage of stages) {
    const { secret, secretEnv } = stage.notify;
    const value = secret ?? (secretEnv === undefined ? undefined : env[secretEnv]);
    if (value === undefined || value === "")
      missing.push(`stage ${JSON.stringify(stage.stageTitle)} signs with the secret in ${secretEnv ?? "(no variable)"}, which is not set`);
    else secrets.set(stage.stageUuid, value);
  }
  if (missing.length > 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Cannot sign notifications: ${missing.join("; ")}. Set the variable to the signing secret your receiver checks.`,
    );
  }
  return secrets;
}
