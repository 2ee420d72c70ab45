import type { ClaimRelease, CommitResult, LabelSave, PriorityUpdate, RefusedMove, TaskMove } from "../backends/backend.js";
import type { AgentTask } from "../domain/task.js";
import type { HandlingEnvironment } from "./handle-tasks.js";
import { failureNote } from "./run-report.js";
import type { TaskOutcome } from "./run-task.js";
import type { BoundStage } from "./stage-registry.js";

/** What a commit did, per task. */
export interface CommittedDecisions {
  /** Pathway name of each task that moved, by task UUID. */
  readonly moved: ReadonlyMap<string, string>;
  /** Failed tasks moved along the stage's `onFailure` pathway: its name, by task UUID. */
  readonly routed: ReadonlyMap<string, string>;
  /** Moves the backend refused (the task had left the stage), by task UUID. */
  readonly refused: ReadonlyMap<string, RefusedMove>;
  /** Tasks decided without a pathway: they stay. */
  readonly left: number;
  readonly result: CommitResult | undefined;
}

/**
 * Commits every decided outcome in one call: label saves, priorities and moves together, and the
 * moves of tasks that failed for good along the stage's `onFailure` pathway (with the error, for
 * the history). Called even when the run is stopping, so nothing that was decided is lost.
 * `release` names claims the same commit ends (a Runner's claimed batch); it makes the commit
 * happen even when nothing was decided.
 */
export async function commitDecisions(
  env: HandlingEnvironment,
  bound: BoundStage,
  tasks: readonly AgentTask[],
  outcomes: readonly (TaskOutcome | undefined)[],
  release?: ClaimRelease,
): Promise<CommittedDecisions> {
  try {
    return await commitOutcomes(env, bound, tasks, outcomes, release);
  } finally {
    // Committed or not (a failed commit ends the run with its error), these no longer wait.
    env.control.decisionsCommitted(outcomes.filter((o) => o?.kind === "decided").length);
  }
}

async function commitOutcomes(
  env: HandlingEnvironment,
  bound: BoundStage,
  tasks: readonly AgentTask[],
  outcomes: readonly (TaskOutcome | undefined)[],
  release: ClaimRelease | undefined,
): Promise<CommittedDecisions> {
  const labelSaves: LabelSave[] = [];
  const priorities: PriorityUpdate[] = [];
  const moves: TaskMove[] = [];
  let left = 0;
  const failureMoves = new Set<string>();
  outcomes.forEach((outcome, index) => {
    const task = tasks[index]!;
    if (outcome?.kind === "failed" && outcome.permanent && bound.failurePathway) {
      moves.push({
        taskUuid: task.uuid,
        fromStageUuid: bound.stage.uuid,
        pathwayUuid: bound.failurePathway.uuid,
        dataHash: task.dataHash,
        error: failureNote(outcome.error),
      });
      failureMoves.add(task.uuid);
      return;
    }
    if (outcome?.kind !== "decided") return;
    const { decision } = outcome;
    if (outcome.labelRowJson) labelSaves.push({ dataHash: task.dataHash, labelRow: outcome.labelRowJson });
    if (decision.priority !== undefined) priorities.push({ dataHash: task.dataHash, priority: decision.priority });
    if (decision.pathway) moves.push({ taskUuid: task.uuid, fromStageUuid: bound.stage.uuid, pathwayUuid: decision.pathway.uuid, dataHash: task.dataHash });
    else left++;
  });
  const nothingToRelease = release === undefined || release.taskUuids.length === 0;
  if (labelSaves.length + priorities.length + moves.length === 0 && nothingToRelease)
    return { moved: new Map(), routed: new Map(), refused: new Map(), left, result: undefined };
  const result = await env.backend.commit(env.project.uuid, {
    labelSaves,
    priorities,
    moves,
    actor: env.actor,
    ...(nothingToRelease ? {} : { releaseClaims: release }),
  });
  const nameByUuid = new Map(bound.stage.pathways.map((p) => [p.uuid, p.name]));
  const movedUuids = new Set(result.moved.map((m) => m.taskUuid));
  const moved = new Map<string, string>();
  const routed = new Map<string, string>();
  for (const move of moves) {
    if (movedUuids.has(move.taskUuid))
      (failureMoves.has(move.taskUuid) ? routed : moved).set(move.taskUuid, nameByUuid.get(move.pathwayUuid) ?? move.pathwayUuid);
  }
  const refused = new Map<string, RefusedMove>();
  for (const refusal of result.refused) {
    const task = tasks.find((t) => t.uuid === refusal.taskUuid);
    refused.set(task?.uuid ?? refusal.taskUuid, refusal);
  }
  return { moved, routed, refused, left, result };
}
