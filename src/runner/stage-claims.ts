import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Backend, ClaimRelease } from "../backends/backend.js";
import type { WorkflowTask } from "../domain/task.js";

/** A backend that can claim tasks (the local store). */
type ClaimingBackend = Backend & Required<Pick<Backend, "claimStageTasks" | "renewClaims" | "releaseClaims">>;

/** How long releasing the claims left at the end of a pass may wait for a busy store (ms). */
const releasePatienceMs = 5000;

/** The default lease of a claim (s): long enough for a stalled event loop, short enough to recover from a hang. */
export const defaultClaimLeaseSeconds = 300;

/**
 * The claims one pass over one stage holds, on a backend that can claim: several processes
 * running the same stage then share its tasks instead of each handling all of them. Tasks are
 * claimed batch by batch in listing order; every claim held is renewed each third of the lease
 * while the pass goes on (so a slow batch is not taken over), each batch's claims end with its
 * commit, and `close()` ends whatever is left (batches fetched ahead, a stop, a failed commit).
 * The owner id is new for every pass.
 */
export class StageClaims {
  readonly owner = randomUUID();
  readonly #backend: ClaimingBackend;
  readonly #projectHash: string;
  readonly #stageUuid: string;
  readonly #leaseMs: number;
  readonly #logger: Logger;
  readonly #heartbeat: NodeJS.Timeout;
  #renewing = false;
  #closed = false;
  #after: string | undefined;
  #exhausted = false;

  private constructor(backend: ClaimingBackend, projectHash: string, stageUuid: string, leaseMs: number, logger: Logger) {
    this.#backend = backend;
    this.#projectHash = projectHash;
    this.#stageUuid = stageUuid;
    this.#leaseMs = leaseMs;
    this.#logger = logger;
    this.#heartbeat = setInterval(() => void this.#renew(), Math.max(1, Math.floor(leaseMs / 3)));
    // Renewal must never keep a process alive on its own.
    this.#heartbeat.unref();
  }

  /** Claims for the pass when the backend can claim; undefined when it cannot (Encord lists instead). */
  static forPass(backend: Backend, projectHash: string, stageUuid: string, leaseMs: number, logger: Logger): StageClaims | undefined {
    if (!canClaim(backend)) return undefined;
    return new StageClaims(backend, projectHash, stageUuid, leaseMs, logger);
  }

  /** Claims up to `limit` more tasks of the stage, past those claimed before; none once the stage has no free task left. */
  async claim(limit: number, signal: AbortSignal): Promise<readonly WorkflowTask[]> {
    if (this.#exhausted) return [];
    const page = await this.#backend.claimStageTasks(this.#projectHash, this.#stageUuid, {
      limit,
      leaseMs: this.#leaseMs,
      owner: this.owner,
      after: this.#after,
      signal,
    });
    if (page.nextPageToken === null) this.#exhausted = true;
    else this.#after = page.nextPageToken;
    return page.tasks;
  }

  /** Whether a later {@link claim} can still find tasks. */
  get exhausted(): boolean {
    return this.#exhausted;
  }

  /** Gives tasks the pass will not handle (skipped) back at once. */
  async giveBack(tasks: readonly WorkflowTask[]): Promise<void> {
    if (tasks.length > 0)
      await this.#backend.releaseClaims(
        this.owner,
        tasks.map((t) => t.uuid),
      );
  }

  /** What a batch's commit releases: the claims of all its tasks, whatever became of them. */
  releaseWith(tasks: readonly { readonly uuid: string }[]): ClaimRelease {
    return { owner: this.owner, taskUuids: tasks.map((t) => t.uuid) };
  }

  /**
   * Stops renewing and ends every claim still held. A store that stays busy past a few seconds
   * is left alone: the claims then end with their lease, or as soon as another process on this
   * machine sees this one has ended.
   */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#closed = true;
    try {
      await this.#backend.releaseClaims(this.owner, undefined, { signal: AbortSignal.timeout(releasePatienceMs) });
    } catch (error) {
      this.#logger.warn(
        { err: error },
        `could not release this run's claims on stage ${this.#stageUuid}; other runs take ` +
          `those tasks once this process ends or the lease (${this.#leaseMs / 1000} s) passes`,
      );
    }
  }

  async #renew(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      await this.#backend.renewClaims(this.owner, this.#leaseMs, { signal: AbortSignal.timeout(Math.max(1, Math.floor(this.#leaseMs / 3))) });
    } catch (error) {
      // A renewal still waiting for a busy store when the pass ended is moot.
      if (this.#closed) return;
      this.#logger.warn(
        { err: error },
        `could not renew this run's claims on stage ${this.#stageUuid}; if that ` +
          `goes on past the lease (${this.#leaseMs / 1000} s), another run may take ` +
          `tasks this one is handling (their moves are then refused, never made twice)`,
      );
    } finally {
      this.#renewing = false;
    }
  }
}

function canClaim(backend: Backend): backend is ClaimingBackend {
  return typeof backend.claimStageTasks === "function" && typeof backend.renewClaims === "function" && typeof backend.releaseClaims === "function";
}
