import { ConfigurationError } from "../../../domain/errors.js";
import type { EncordSettings } from "../settings.js";
import { abortableSleep } from "./abortable-sleep.js";
import { defaultUserAgent } from "./common-headers.js";

/** Options of {@link EncordHttpClient}. */
export interface EncordHttpClientOptions {
  /** Credentials and domain, from `encordSettingsFromEnv()` or built by hand. */
  readonly settings: EncordSettings;
  /** The whole `User-Agent` value. @defaultValue `task-agents/<version> node/<version>` */
  readonly userAgent?: string;
  /** Retries after the first attempt, for retryable statuses and transport failures. @defaultValue 3 */
  readonly maxRetries?: number;
  /** Seconds; the sleep before retry n ≥ 2 is `backoffFactor × 2^(n-1)` (the first is immediate). @defaultValue 1.5 */
  readonly backoffFactor?: number;
  /** Milliseconds; the longest sleep between attempts, `Retry-After` included. @defaultValue 120000 */
  readonly backoffMaxMs?: number;
  /** Milliseconds each attempt may take, from sending to the last byte of the response. @defaultValue 180000 */
  readonly timeoutMs?: number;
  /**
   * The most requests in flight at once; the rest queue in FIFO order. The window adapts below it:
   * a 429 or 503 answer halves it (down to 1), a window's worth of other answers grows it by one.
   * @defaultValue 8
   */
  readonly maxInFlight?: number;
  /**
   * A fixed cap on attempts started per second (bursts of this many), for a negotiated rate limit.
   * @defaultValue none: Encord publishes no numeric limit, so the client only reacts to throttling
   */
  readonly requestsPerSecond?: number;
  /** Keep-alive connections in the pool. @defaultValue 8 */
  readonly connections?: number;
  /** Waits between retries and for rate-limit tokens; injectable for tests. Must reject with `signal.reason` on abort. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock in epoch milliseconds, for the rate limiter, `Retry-After` dates and signatures. @defaultValue Date.now */
  readonly now?: () => number;
}

/** {@link EncordHttpClientOptions} validated, with defaults filled in. */
export interface ResolvedEncordHttpClientOptions {
  readonly settings: EncordSettings;
  readonly userAgent: string;
  readonly maxRetries: number;
  readonly backoffFactor: number;
  readonly backoffMaxMs: number;
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  readonly requestsPerSecond: number | undefined;
  readonly connections: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now: () => number;
}

function check(name: string, value: number, ok: boolean, accepted: string): number {
  if (!ok) throw new ConfigurationError("TA_INVALID_ARGUMENT", `${name} is ${String(value)}; accepted: ${accepted}.`);
  return value;
}

const integerAtLeast = (name: string, value: number, min: number): number =>
  check(name, value, Number.isSafeInteger(value) && value >= min, `an integer ≥ ${min}`);
const nonNegative = (name: string, value: number): number => check(name, value, Number.isFinite(value) && value >= 0, "a finite number ≥ 0");
const finitePositive = (name: string, value: number): number => check(name, value, Number.isFinite(value) && value > 0, "a finite number > 0");
/** Infinity is allowed: no rate limit. */
const positive = (name: string, value: number): number => check(name, value, value > 0, "a number > 0 (Infinity for no limit)");

/** Validates the options once and fills in the defaults. */
export function resolveClientOptions(options: EncordHttpClientOptions): ResolvedEncordHttpClientOptions {
  return {
    settings: options.settings,
    userAgent: options.userAgent ?? defaultUserAgent(),
    maxRetries: integerAtLeast("maxRetries", options.maxRetries ?? 3, 0),
    backoffFactor: nonNegative("backoffFactor", options.backoffFactor ?? 1.5),
    backoffMaxMs: nonNegative("backoffMaxMs", options.backoffMaxMs ?? 120_000),
    timeoutMs: finitePositive("timeoutMs", options.timeoutMs ?? 180_000),
    maxInFlight: integerAtLeast("maxInFlight", options.maxInFlight ?? 8, 1),
    requestsPerSecond: options.requestsPerSecond === undefined ? undefined : positive("requestsPerSecond", options.requestsPerSecond),
    connections: integerAtLeast("connections", options.connections ?? 8, 1),
    sleep: options.sleep ?? abortableSleep,
    now: options.now ?? Date.now,
  };
}
