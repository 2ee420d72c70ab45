import type { AgentStageNotificationReason } from "./agent-stage-envelope.js";

/** When a stage is notified: Encord's "advanced" agent stage settings. */
export interface NotifyThresholds {
  /** Notify once this many tasks are queued (≥ 1). */
  readonly batchSize: number;
  /** Notify once a task has waited longer than this many seconds (≥ 0). */
  readonly maxWaitSeconds: number;
}

/** A stage's queue at one moment. */
export interface StageQueue {
  readonly pendingCount: number;
  /** When the longest-waiting task entered the stage; null when none waits. */
  readonly oldestArrivalAt: Date | null;
}

/** Seconds the oldest task has waited at `now`; null when none waits. */
export function oldestWaitSeconds(queue: StageQueue, now: Date): number | null {
  return queue.oldestArrivalAt === null ? null : Math.max(0, (now.getTime() - queue.oldestArrivalAt.getTime()) / 1000);
}

/**
 * Why the stage is due a notification now, or undefined when it is not: a full batch wins over
 * a long wait, as a receiver learns more from it. An empty stage is never due.
 */
export function notificationDue(thresholds: NotifyThresholds, queue: StageQueue, now: Date): AgentStageNotificationReason | undefined {
  if (queue.pendingCount === 0) return undefined;
  if (queue.pendingCount >= thresholds.batchSize) return "batch_size_reached";
  const waited = oldestWaitSeconds(queue, now);
  if (waited !== null && waited > thresholds.maxWaitSeconds) return "max_wait_elapsed";
  return undefined;
}
