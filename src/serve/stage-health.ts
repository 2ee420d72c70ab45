import type { AgentStage } from "../domain/workflow.js";
import type { RunReport } from "../runner/run-report.js";

/** The last pass over a stage, as `/healthz` shows it. */
export interface LastPass {
  readonly finishedAt: string;
  readonly end: RunReport["end"] | "error";
  readonly durationMs: number;
  readonly seen: number;
  readonly failed: number;
  readonly moved: Readonly<Record<string, number>>;
  readonly error?: string;
}

/** What `/healthz` says of one stage. */
export interface StageHealth {
  readonly uuid: string;
  readonly title: string;
  readonly running: boolean;
  readonly pendingFollowUp: boolean;
  readonly lastPass: LastPass | null;
}

/** Remembers the last pass of each stage a receiver serves. */
export class StageHealthBook {
  readonly #last = new Map<string, LastPass>();

  /** Records a pass's report, or the error it ended with. */
  record(stageUuid: string, outcome: { report?: RunReport; error?: unknown; durationMs: number }): void {
    const stage = outcome.report?.stages[0];
    this.#last.set(stageUuid, {
      finishedAt: new Date().toISOString(),
      end: outcome.report?.end ?? "error",
      durationMs: Math.round(outcome.durationMs),
      seen: stage?.seen ?? 0,
      failed: stage?.failed ?? 0,
      moved: stage?.moved ?? {},
      ...(outcome.error === undefined ? {} : { error: outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.error) }),
    });
  }

  /** Each served stage with its last pass and what runs now (`passes` from `runner.stagePasses`). */
  health(stages: readonly AgentStage[], passes: readonly { key: string; pending: boolean }[]): StageHealth[] {
    return stages.map((stage) => {
      const pass = passes.find((p) => p.key.endsWith(`/${stage.uuid}`));
      return {
        uuid: stage.uuid,
        title: stage.title,
        running: pass !== undefined,
        pendingFollowUp: pass?.pending ?? false,
        lastPass: this.#last.get(stage.uuid) ?? null,
      };
    });
  }
}
