import type { RunSummary } from "../queries/run-queries.js";

/** How a run ended, as a badge: its outcome, or "running" while its row has no end yet. */
export function RunOutcome({ run }: { run: Pick<RunSummary, "outcome"> }) {
  const outcome = run.outcome ?? "running (or its process ended without finishing)";
  return <span class={`badge ${run.outcome ?? "running"}`}>{run.outcome === null ? "running" : outcome}</span>;
}
