import { stripSecrets } from "../shared/redact.js";

/** A task that failed for good. */
export interface TaskFailure {
  readonly taskUuid: string;
  readonly dataTitle: string;
  readonly attempts: number;
  readonly error: { readonly name: string; readonly message: string; readonly stack?: string };
}

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
  /** Tasks left in the stage (no pathway returned). */
  left: number;
  /** Moves the backend refused because the task had already left the stage. */
  refused: number;
  /** Moves per pathway name. */
  readonly moved: Record<string, number>;
  durationMs: number;
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

export function emptyStageReport(uuid: string, title: string): StageReport {
  return { uuid, title, seen: 0, succeeded: 0, failed: 0, left: 0, refused: 0, moved: {}, durationMs: 0, failures: [] };
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
    Object.entries(s.moved).map(([name, n]) => `${name}: ${n}`).join(", ") || "-",
    `${(s.durationMs / 1000).toFixed(2)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const out = [
    `Run report: ${report.projectTitle} (${report.projectHash}) on ${report.backend}`,
    `${report.passes} pass${report.passes === 1 ? "" : "es"} in ${(report.durationMs / 1000).toFixed(2)} s; ended: ${report.end}`,
    ...(report.throttled > 0 ? [`${report.backend} throttled ${report.throttled} request${report.throttled === 1 ? "" : "s"} (HTTP 429/503); the run backed off each time and retried.`] : []),
    "",
    line(header),
    ...rows.map(line),
  ];
  const failures = report.stages.flatMap((s) => s.failures.map((f) => ({ stage: s.title, ...f })));
  if (failures.length > 0) {
    out.push("", `Failed tasks (${failures.length}):`);
    for (const f of failures.slice(0, 50)) out.push(`  ${f.taskUuid}  ${f.stage}  "${f.dataTitle}"  after ${f.attempts} attempt${f.attempts === 1 ? "" : "s"}: ${f.error.name}: ${f.error.message}`);
    if (failures.length > 50) out.push(`  … and ${failures.length - 50} more (see --json output for all)`);
  }
  return out.join("\n") + "\n";
}
