import type { ClaimTasksOptions, TaskPage } from "../backend.js";
import { ConfigurationError } from "../../domain/errors.js";
import { isGone, thisProcess } from "./claimer-process.js";
import type { Db } from "./database.js";
import { published } from "./intake-visibility.js";
import { statement } from "./statements.js";
import { decodePageToken, encodePageToken, taskColumns, taskJoins, toWorkflowTask, type TaskRecord } from "./task-records.js";

const maxClaim = 10_000;

function checkClaim(options: ClaimTasksOptions): number {
  const { limit, leaseMs, owner } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxClaim) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `Claim limit ${JSON.stringify(limit)} is not accepted; use an integer from 1 to ${maxClaim}.`);
  }
  if (typeof leaseMs !== "number" || !Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Claim lease ${JSON.stringify(leaseMs)} ms is not accepted; a lease is a number of milliseconds above 0.`,
    );
  }
  if (typeof owner !== "string" || owner.trim() === "") {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `Claim owner ${JSON.stringify(owner)} is not accepted; give a non-empty id of the claimer's own.`);
  }
  if (options.after === undefined) return 0;
  const afterId = decodePageToken(options.after);
  if (afterId === undefined) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Claim position ${JSON.stringify(options.after)} was not issued by this store; pass the nextPageToken of the previous claim.`,
    );
  }
  return afterId;
}

/**
 * Claims up to `limit` tasks of the stage, in id order after `after`, that no live claim holds:
 * one IMMEDIATE transaction reads and records them, so two processes never claim the same task.
 * Claims that lapsed (expired, or taken by a process of this machine that is gone) are dropped
 * first. `nextPageToken` is null when nothing past the last claimed task was free.
 */
export function claimTasks(db: Db, stageUuid: string, options: ClaimTasksOptions): TaskPage {
  const afterId = checkClaim(options);
  const me = thisProcess();
  const select = statement(
    db,
    `SELECT ${taskColumns} FROM tasks t ${taskJoins}
     WHERE t.stage_uuid = ? AND t.id > ? AND ${published("t")} AND NOT EXISTS (SELECT ` +
      `1 FROM task_claims c WHERE c.task_uuid = t.uuid AND c.stage_uuid = t.stage_uuid)
     ORDER BY t.id LIMIT ?`,
  );
  const record = statement(
    db,
    `INSERT INTO task_claims (task_uuid, stage_uuid, owner, host, pid, expires_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (task_uuid) DO UPDATE SET stage_uuid = excluded.stage_uuid, owner = ` +
      `excluded.owner, host = excluded.host, pid = excluded.pid, expires_at = excluded.expires_at`,
  );
  return db
    .transaction((): TaskPage => {
      const now = Date.now();
      dropLapsedClaims(db, now, me.host, me.pid);
      // One row more than asked tells whether free tasks remain past this claim.
      const records = select.all(stageUuid, afterId, options.limit + 1) as TaskRecord[];
      const claimed = records.slice(0, options.limit);
      const expiresAt = Math.ceil(now + options.leaseMs);
      for (const r of claimed) record.run(r.uuid, stageUuid, options.owner, me.host, me.pid, expiresAt);
      return {
        tasks: claimed.map(toWorkflowTask),
        nextPageToken: records.length > options.limit ? encodePageToken(claimed.at(-1)!.id) : null,
      };
    })
    .immediate();
}

/** Drops expired claims and those of processes of this machine that are gone (killed, crashed). */
function dropLapsedClaims(db: Db, now: number, host: string, pid: number): void {
  statement(db, "DELETE FROM task_claims WHERE expires_at <= ?").run(now);
  const others = statement(db, "SELECT DISTINCT pid FROM task_claims WHERE host = ? AND pid <> ?", { pluck: true }).all(host, pid) as number[];
  const dropOf = statement(db, "DELETE FROM task_claims WHERE host = ? AND pid = ?");
  for (const other of others) if (isGone(other)) dropOf.run(host, other);
}

/** Extends the claims `owner` holds to `leaseMs` from now; returns how many. */
export function renewClaims(db: Db, owner: string, leaseMs: number): number {
  return statement(db, "UPDATE task_claims SET expires_at = ? WHERE owner = ?").run(Math.ceil(Date.now() + leaseMs), owner).changes;
}

/** Ends the claims `owner` holds, on `taskUuids` or all of them; returns how many. Part of the caller's transaction. */
export function releaseClaims(db: Db, owner: string, taskUuids?: readonly string[]): number {
  if (taskUuids === undefined) return statement(db, "DELETE FROM task_claims WHERE owner = ?").run(owner).changes;
  if (taskUuids.length === 0) return 0;
  const lowered = JSON.stringify(taskUuids.map((u) => u.toLowerCase()));
  return statement(db, "DELETE FROM task_claims WHERE owner = ? AND task_uuid IN (SELECT value FROM json_each(?))").run(owner, lowered).changes;
}

/** Ends any claim on a task that has just left its stage: whoever held it, it no longer counts. */
export function dropClaimOfMovedTask(db: Db, taskUuid: string): void {
  statement(db, "DELETE FROM task_claims WHERE task_uuid = ?").run(taskUuid);
}
