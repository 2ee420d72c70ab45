import { stripSecrets } from "../shared/redact.js";

/** A task that failed for good. */
export interface TaskFailure {
  readonly taskUuid: string;
  readonly dataTitle: string;
  readonly attempts: number;
  readonly error: { readonly name: string; readonly message: string; readonly stack?: string };
  /** The stage's `onFailure` pathway the task was moved along, by name; absent: it stayed. */
  readonly routedTo?: string;
}

/** Failures a report lists per stage; `failed` keeps counting past it. */
export const maxListedFailures = 1000;

/** What happened in one stage over the whole run. */
export interface StageReport {
  readonly uuid: string;
  readonly title: string;
  /** Tasks handed to the handler (each counted once per pass). */
  seen: number;
  /** Tasks whose handler returned without failing. */
  succeeded: number;
  /** Tasks that failed after every attempt, or were abandoned at shutdown. */
  failed: number;
  /** Of the failed tasks, those moved along the stage's `onFailure` pathway. */
  failedRouted: number;
  /**
   * Tasks not handed to the handler because they failed for good in an earlier pass of the same
   * Runner (each counted once per pass); `retryFailedAfter` lets them be tried again.
   */
  skipped: number;
  /** Tasks left in the stage (no pathway returned). */
  left: number;
  /** Moves the backend refused because the task had already left the stage. */
  refused: number;
  /** Moves per pathway name. */
  readonly moved: Record<string, number>;
  durationMs: number;
  /** The first {@link maxListedFailures} failures, in the order they happened; `failed` counts them all. */
  readonly failures: TaskFailure[];
}

/** Why a run ended. */
export type RunEnd = "completed" | "stopped" | "configuration-error" | "error";

/** The run report `execute()` returns. */
export interface RunReport {
  readonly backend: string;
  readonly projectHash: string;
  readonly projectTitle: string;
  readonly startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  passes: number;
  /**
   * Requests the backend's service throttled (HTTP 429 or 503) during the run; each was retried
   * after backing off (the requests in flight halved, `Retry-After` honoured).
   */
  throttled: number;
  end: RunEnd;
  readonly stages: StageReport[];
}

/** A report of a run that is starting: nothing counted yet, one stage report per stage. */
export function startingRunReport(
  backend: string,
  project: { readonly uuid: string; readonly title: string },
  stages: readonly { readonly uuid: string; readonly title: string }[],
): RunReport {
  return {
    backend,
    projectHash: project.uuid,
    projectTitle: project.title,
    startedAt: new Date(),
    finishedAt: new Date(),
    durationMs: 0,
    passes: 0,
    throttled: 0,
    end: "completed",
    stages: stages.map((stage) => emptyStageReport(stage.uuid, stage.title)),
  };
}

export function emptyStageReport(uuid: string, title: string): StageReport {
  return { uuid, title, seen: 0, succeeded: 0, failed: 0, failedRouted: 0, skipped: 0, left: 0, refused: 0, moved: {}, durationMs: 0, failures: [] };
}

/** Lists a failure in the stage's report unless it already lists {@link maxListedFailures}. */
export function listFailure(report: StageReport, failure: TaskFailure): void {
  if (report.failures.length < maxListedFailures) report.failures.push(failure);
}

/** Longest error kept with a failure move in a task's history. */
const maxFailureNoteLength = 2000;

/** The error of a failed task as one line for its history: name and message, secrets stripped, cut short. */
export function failureNote(error: unknown): string {
  const { name, message } = describeFailure(error);
  const note = `${name}: ${message}`;
  return note.length <= maxFailureNoteLength ? note : `${note.slice(0, maxFailureNoteLength - 1)}…`;
}

/** Failures counted but not listed (past {@link maxListedFailures} per stage). */
export function unlistedFailures(report: RunReport): number {
  return report.stages.reduce((sum, s) => sum + s.failed - s.failures.length, 0);
}

/** The failure as the report keeps it: coerced to an Error, secrets stripped. */
export function describeFailure(error: unknown): TaskFailure["error"] {
  const coerced = error instanceof Error ? error : new Error(typeof error === "string" ? error : `Non-error thrown: ${safeString(error)}`);
  const described: { name: string; message: string; stack?: string } = { name: coerced.name, message: stripSecrets(coerced.message) };
  if (coerced.stack) described.stack = stripSecrets(coerced.stack);
  return described;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A stage's counts as the `stage-finished` event and the debug log give them. */
export function stageTotals(stage: StageReport): Pick<StageReport, "seen" | "succeeded" | "failed" | "failedRouted" | "skipped" | "left" | "moved"> & {
  readonly stage: string;
} {
  const { seen, succeeded, failed, failedRouted, skipped, left, moved } = stage;
  return { stage: stage.title, seen, succeeded, failed, failedRouted, skipped, left, moved };
}

/** Total tasks failed across stages. */
export function failedCount(report: RunReport): number {
  return report.stages.reduce((sum, s) => sum + s.failed, 0);
}

/** The report as a plain-text summary table. */
export function renderReport(report: RunReport): string {
  const header = ["STAGE", "SEEN", "OK", "FAILED", "LEFT", "REFUSED", "MOVED", "TIME"];
  const rows = report.stages.map((s) => [
    s.title,
    String(s.seen),
    String(s.succeeded),
    String(s.failed),
    String(s.left),
    String(s.refused),
    Object.entries(s.moved)
      .map(([name, n]) => `${name}: ${n}`)
      .join(", ") || "-",
    `${(s.durationMs / 1000).toFixed(2)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [
    `Run report: ${report.projectTitle} (${report.projectHash}) on ${report.backend}`,
    `${report.passes} pass${report.passes === 1 ? "" : "es"} in ${(report.durationMs / 1000).toFixed(2)} s; ended: ${report.end}`,
    ...(report.throttled > 0
      ? [
          `${report.backend} throttled ${report.throttled} request${report.throttled === 1 ? "" : "s"}` +
            ` (HTTP 429/503); the run backed off each time and retried.`,
        ]
      : []),
    "",
    line(header),
    ...rows.map(line),
  ];
  const routedOrSkipped = report.stages.filter((s) => s.failedRouted > 0 || s.skipped > 0);
  if (routedOrSkipped.length > 0) out.push("");
  for (const s of routedOrSkipped) {
    if (s.failedRouted > 0) out.push(`${s.title}: ${s.failedRouted} failed task${s.failedRouted === 1 ? " was" : "s were"} moved along the onFailure pathway.`);
    if (s.skipped > 0)
      out.push(
        `${s.title}: ${s.skipped} task${s.skipped === 1 ? " was" : "s were"} skipped, ` +
          `having failed for good in an earlier pass (--retry-failed-after tries them again).`,
      );
  }
  const failures = report.stages.flatMap((s) => s.failures.map((f) => ({ stage: s.title, ...f })));
  const total = failedCount(report);
  if (total > 0) {
    out.push("", `Failed tasks (${total}):`);
    for (const f of failures.slice(0, 50)) {
      const routed = f.routedTo === undefined ? "" : ` → moved along ${JSON.stringify(f.routedTo)}`;
      out.push(
        `  ${f.taskUuid}  ${f.stage}  "${f.dataTitle}"  after ${f.attempts} attempt` +
          `${f.attempts === 1 ? "" : "s"}: ${f.error.name}: ${f.error.message}${routed}`,
      );
    }
    const shown = Math.min(failures.length, 50);
    if (total > shown) {
      const more = total - shown;
      const where =
        unlistedFailures(report) > 0 ? `the --json report lists the first ${maxListedFailures.toLocaleString("en-US")} per stage` : "see --json output for all";
      out.push(`  … and ${more} more failure${more === 1 ? "" : "s"} (${where})`);
    }
  }
  return out.join("\n") + "\n";
}
