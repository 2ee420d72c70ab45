/** The retry rules of the SDK's urllib3 `Retry` (§2.5). */

/** Statuses that are retried (`status_forcelist`). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([413, 429, 500, 502, 503]);

/** Statuses whose `Retry-After` header is honoured. */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([413, 429, 503]);

/** Methods retried after a response or a failure mid-request (`allowed_methods`): not PATCH or DELETE. */
export function isRetryableMethod(method: string): boolean {
  return method === "GET" || method === "POST" || method === "PUT";
}

/** The sleep before retry `n` (1-based): 0 for the first, then `factor × 2^(n-1)` s, capped. */
export function backoffMs(n: number, backoffFactor: number, backoffMaxMs: number): number {
  if (n <= 1) return 0;
  return Math.min(backoffMaxMs, backoffFactor * 1000 * 2 ** (n - 1));
}

/**
 * What a `Retry-After` header asks to wait, in ms: delay-seconds or an HTTP date; `undefined`
 * when absent, unparsable, or on a status it does not apply to.
 */
export function retryAfterMs(status: number, header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined || !RETRY_AFTER_STATUSES.has(status)) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** The sleep before retry `n`: the backoff, or the server's `Retry-After` when longer (both capped). */
export function retryDelayMs(n: number, retryAfter: number | undefined, options: { backoffFactor: number; backoffMaxMs: number }): number {
  const backoff = backoffMs(n, options.backoffFactor, options.backoffMaxMs);
  if (retryAfter === undefined) return backoff;
  return Math.max(backoff, Math.min(retryAfter, options.backoffMaxMs));
}
