import type { Db } from "./database.js";
import { published, visibleCount } from "./intake-visibility.js";
import type { ProjectSpec } from "./project-spec.js";
import type { StageNotifySpec } from "./stage-notify-spec.js";
import { statement } from "./statements.js";

/** An AGENT stage with notification settings, and the work waiting in it now. */
export interface NotifyingStage {
  readonly stageUuid: string;
  readonly stageTitle: string;
  readonly notify: StageNotifySpec;
  /** Tasks in the stage. */
  readonly pendingCount: number;
  /** When the task that has waited longest entered the stage; null when none waits. */
  readonly oldestArrivalAt: Date | null;
}

/** Stores the `notify` settings of a spec's stages; runs inside the project's insert transaction. */
export function insertStageNotifications(db: Db, spec: ProjectSpec): void {
  const insert = statement(db, "INSERT INTO stage_notifications (stage_uuid, url, secret, secret_env, batch_size, max_wait_seconds) VALUES (?, ?, ?, ?, ?, ?)");
  for (const stage of spec.stages) {
    const n = stage.notify;
    if (n) insert.run(stage.uuid, n.url, n.secret ?? null, n.secretEnv ?? null, n.batchSize, n.maxWaitSeconds);
  }
}

interface NotifyingStageRow {
  stage_uuid: string;
  title: string;
  url: string;
  secret: string | null;
  secret_env: string | null;
  batch_size: number;
  max_wait_seconds: number;
  pending: number;
  oldest: string | null;
}

/**
 * The notified stages of a project, in workflow order, with their queues. A task entered its
 * stage at its latest recorded move (every arrival is one: data add, a person's or an agent's
 * move); `updated_at` would not do, since setting a priority changes it without a move.
 */
export function selectNotifyingStages(db: Db, projectUuid: string): NotifyingStage[] {
  const rows = statement(
    db,
    `SELECT s.uuid AS stage_uuid, s.title, n.url, n.secret, n.secret_env, n.batch_size, n.max_wait_seconds,
       ${visibleCount("SELECT COUNT(*) FROM tasks t WHERE t.stage_uuid = s.uuid", "t")}` +
      ` AS pending,
       (SELECT MIN(COALESCE((SELECT m.moved_at FROM task_moves m WHERE m.task_uuid = t.uuid ORDER BY m.id DESC LIMIT 1), t.created_at))
          FROM tasks t WHERE t.stage_uuid = s.uuid AND ${published("t")}) AS oldest
     FROM stage_notifications n JOIN stages s ON s.uuid = n.stage_uuid
     WHERE s.project_uuid = ? ORDER BY s.position`,
  ).all(projectUuid) as NotifyingStageRow[];
  return rows.map((r) => ({
    stageUuid: r.stage_uuid,
    stageTitle: r.title,
    notify: {
      url: r.url,
      ...(r.secret === null ? {} : { secret: r.secret }),
      ...(r.secret_env === null ? {} : { secretEnv: r.secret_env }),
      batchSize: r.batch_size,
      maxWaitSeconds: r.max_wait_seconds,
    },
    pendingCount: r.pending,
    oldestArrivalAt: r.oldest === null ? null : new Date(r.oldest),
  }));
}
