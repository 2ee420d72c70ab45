import { isTaskAgentsError } from "../../domain/errors.js";
import type { Pathway } from "../../domain/workflow.js";
import type { CommitResult, ListTasksOptions, RefusedMove, TaskMove, TaskPage } from "../backend.js";
import { stageTasks } from "../stage-tasks.js";
import { chunks } from "./chunks.js";
import { withSignal } from "./with-signal.js";
import { isEncordApiError, type EncordApiError } from "./http/errors.js";
import type { EncordHttpClient } from "./http/index.js";
import { backoffMs } from "./http/retry-policy.js";
import { encordLimits } from "./limits.js";

/** Pathways of a project's AGENT stages: stage UUID → pathway UUID → pathway. */
export type StagePathways = ReadonlyMap<string, ReadonlyMap<string, Pathway>>;

type Moved = CommitResult["moved"][number];

/** How a move request is retried: by the mover, not the HTTP client (see {@link TaskMover}). */
export interface MoveRetry {
  readonly maxRetries: number;
  readonly backoffFactor: number;
  readonly backoffMaxMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Moves tasks with `PATHWAY_ACTION`s and makes sure each moves once: a lost request is sent again
 * as it was (Encord refuses it whole if the lost one was applied), and a refused one is followed
 * by looking up where the tasks are before anything is sent again.
 */
export class TaskMover {
  constructor(
    private readonly client: EncordHttpClient,
    private readonly retry: MoveRetry,
    private readonly listStageTasks: (projectHash: string, stageUuid: string, options: ListTasksOptions) => Promise<TaskPage>,
    /**
     * The stage each data item's task is in now (by data hash; null when it has none): one
     * label-row metadata call per 1,000 items, where listing the stages would take a page per
     * handful of tasks.
     */
    private readonly stagesOfData: (projectHash: string, dataHashes: readonly string[]) => Promise<ReadonlyMap<string, string | null>>,
  ) {}

  /** Moves tasks along their pathways, stage by stage, in chunks of the actions limit. */
  async move(
    projectHash: string,
    moves: readonly TaskMove[],
    stages: StagePathways,
    signal: AbortSignal | undefined,
  ): Promise<Pick<CommitResult, "moved" | "refused">> {
    const moved: Moved[] = [];
    const refused: RefusedMove[] = [];
    if (moves.length === 0) return { moved, refused };
    const byStage = new Map<string, TaskMove[]>();
    const seen = new Set<string>();
    for (const move of moves) {
      const pathways = stages.get(move.fromStageUuid);
      if (!pathways?.has(move.pathwayUuid)) {
        const accepted =
          pathways === undefined
            ? "it is not an AGENT stage of the project"
            : `its pathways: ${[...pathways.values()].map((p) => `${JSON.stringify(p.name)} (${p.uuid})`).join(", ")}`;
        refused.push({
          taskUuid: move.taskUuid,
          reason: "unknown-pathway",
          message: `Pathway ${move.pathwayUuid} is not a pathway of stage ${move.fromStageUuid}; ${accepted}.`,
        });
        continue;
      }
      // Encord refuses a whole request that names a task twice: the first decision counts.
      if (seen.has(move.taskUuid.toLowerCase())) continue;
      seen.add(move.taskUuid.toLowerCase());
      byStage.set(move.fromStageUuid, [...(byStage.get(move.fromStageUuid) ?? []), move]);
    }
    for (const [stageUuid, stageMoves] of byStage) {
      const pathways = stages.get(stageUuid)!;
      for (const chunk of chunks(stageMoves, encordLimits.actionsPerRequest)) {
        const outcome = await this.#proceed(projectHash, stageUuid, chunk, pathways, signal);
        moved.push(...outcome.moved);
        refused.push(...outcome.refused);
      }
    }
    return { moved, refused };
  }

  /**
   * `PATHWAY_ACTION`s for a chunk of one stage, retried here rather than by the HTTP client,
   * because what a refusal means depends on whether an earlier attempt's answer was lost. Encord
   * applies a request whole or not at all; it refuses one naming a task that is no longer in the
   * stage. Then the tasks still there are sent again and the others are reported as refused,
   * unless an attempt whose answer was lost may have moved them: a task found at its pathway's
   * destination then counts as moved, once.
   */
  async #proceed(
    projectHash: string,
    stageUuid: string,
    chunk: readonly TaskMove[],
    pathways: ReadonlyMap<string, Pathway>,
    signal: AbortSignal | undefined,
  ): Promise<Pick<CommitResult, "moved" | "refused">> {
    const moved: Moved[] = [];
    const refused: RefusedMove[] = [];
    const done = (items: readonly TaskMove[]) =>
      items.map((move) => ({ taskUuid: move.taskUuid, toStageUuid: pathways.get(move.pathwayUuid)!.destinationUuid }));
    let pending = chunk;
    let mayHaveMoved = false;
    for (let retries = 0; pending.length > 0;) {
      let error: EncordApiError;
      try {
        await this.client.v2("POST", `projects/${projectHash}/workflow/stages/${stageUuid}/actions`, {
          body: pending.map((move) => ({ taskUuid: move.taskUuid, action: "PATHWAY_ACTION", pathwayUuid: move.pathwayUuid })),
          allowRetries: false,
          ...withSignal(signal),
        });
        moved.push(...done(pending));
        break;
      } catch (caught) {
        if (!isEncordApiError(caught)) throw caught;
        error = caught;
      }
      // No answer, a 503 or another server failure: the request may have been applied. It is sent
      // again as it was, after the backoff, as after a 429 and as the SDK does, which costs no
      // lookup when it was indeed not applied. Should it have been, Encord refuses the resend
      // whole (its tasks are no longer in the stage), and the lookup below finds them arrived.
      const mayHaveBeenApplied = error.status === 503 || error.code === "TA_ENCORD_TRANSPORT" || error.code === "TA_ENCORD_SERVER";
      if (mayHaveBeenApplied || error.code === "TA_ENCORD_RATE_LIMITED") {
        if (retries >= this.retry.maxRetries) throw error;
        retries += 1;
        await this.retry.sleep(this.#delayMs(retries, error.retryAfterMs), signal);
        mayHaveMoved ||= mayHaveBeenApplied;
        continue;
      }
      if (!(error.status === 400 || error.status === 404 || error.status === 409)) throw error;
      const { stillThere, arrived: arrivedAnywhere } = await this.#whereAre(projectHash, stageUuid, pending, pathways, signal);
      const gone = pending.filter((move) => !stillThere.has(move.taskUuid.toLowerCase()));
      // All still there: the refusal has another cause.
      if (gone.length === 0) throw error;
      const arrived = mayHaveMoved ? await arrivedAnywhere(gone) : new Set<string>();
      moved.push(...done(gone.filter((move) => arrived.has(move.taskUuid.toLowerCase()))));
      refused.push(
        ...gone
          .filter((move) => !arrived.has(move.taskUuid.toLowerCase()))
          .map((move): RefusedMove => ({
            taskUuid: move.taskUuid,
            reason: "not-in-stage",
            message: `Task ${move.taskUuid} is no longer in stage ${stageUuid} (someone else moved it); it was not moved.`,
          })),
      );
      pending = pending.filter((move) => stillThere.has(move.taskUuid.toLowerCase()));
    }
    return { moved, refused };
  }

  #delayMs(retry: number, retryAfterMs: number | undefined): number {
    const { backoffFactor, backoffMaxMs } = this.retry;
    const backoff = backoffMs(retry, backoffFactor, backoffMaxMs);
    return retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(retryAfterMs, backoffMaxMs));
  }

  /**
   * Which of the moves' tasks are still in the stage, and (asked only when a lost attempt may
   * have moved some) which have arrived at their pathway's destination: lower-cased task UUIDs.
   * With every move's data hash known, one metadata lookup answers both; else the stages are listed.
   */
  async #whereAre(
    projectHash: string,
    stageUuid: string,
    moves: readonly TaskMove[],
    pathways: ReadonlyMap<string, Pathway>,
    signal: AbortSignal | undefined,
  ): Promise<{ stillThere: Set<string>; arrived: (gone: readonly TaskMove[]) => Promise<Set<string>> }> {
    if (moves.some((move) => !move.dataHash)) {
      return {
        stillThere: await this.#tasksInStage(projectHash, stageUuid, moves, signal),
        arrived: (gone) => this.#arrivedAlready(projectHash, gone, pathways, signal),
      };
    }
    const stages = await this.stagesOfData(
      projectHash,
      moves.map((move) => move.dataHash!),
    );
    const isIn = (move: TaskMove, stage: string): boolean => stages.get(move.dataHash!)?.toLowerCase() === stage.toLowerCase();
    const uuids = (list: readonly TaskMove[]) => new Set(list.map((move) => move.taskUuid.toLowerCase()));
    return {
      stillThere: uuids(moves.filter((move) => isIn(move, stageUuid))),
      arrived: (gone) => Promise.resolve(uuids(gone.filter((move) => isIn(move, pathways.get(move.pathwayUuid)!.destinationUuid)))),
    };
  }

  /** Lower-cased UUIDs of those of the moves' tasks that are in the stage now. */
  async #tasksInStage(projectHash: string, stageUuid: string, moves: readonly TaskMove[], signal: AbortSignal | undefined): Promise<Set<string>> {
    const dataHashes = moves.flatMap((move) => (move.dataHash ? [move.dataHash] : []));
    // Without data hashes the stage has to be paged whole.
    const filters = dataHashes.length < moves.length ? [undefined] : chunks(dataHashes, 100);
    const present = new Set<string>();
    for (const filter of filters) {
      for await (const task of stageTasks({ listStageTasks: this.listStageTasks }, projectHash, stageUuid, {
        ...(filter ? { dataHashes: filter } : {}),
        ...withSignal(signal),
      }))
        present.add(task.uuid.toLowerCase());
    }
    return present;
  }

  async #arrivedAlready(
    projectHash: string,
    moves: readonly TaskMove[],
    pathways: ReadonlyMap<string, Pathway>,
    signal: AbortSignal | undefined,
  ): Promise<Set<string>> {
    const arrived = new Set<string>();
    const byDestination = new Map<string, TaskMove[]>();
    for (const move of moves) {
      const destination = pathways.get(move.pathwayUuid)!.destinationUuid;
      byDestination.set(destination, [...(byDestination.get(destination) ?? []), move]);
    }
    for (const [destination, destinationMoves] of byDestination) {
      try {
        for (const uuid of await this.#tasksInStage(projectHash, destination, destinationMoves, signal)) arrived.add(uuid);
      } catch (error) {
        // Some stage types may not list tasks for an agent's key; then the move stays "refused".
        if (!isTaskAgentsError(error)) throw error;
      }
    }
    return arrived;
  }
}
