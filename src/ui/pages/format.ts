/** How the dashboard shows times and numbers. */

/** `2025-01-02 10:11:12` (UTC, as stored) from an ISO timestamp; "—" for none. */
export function shortTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** A duration in ms as "850 ms", "12.3 s" or "4 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
