/** Injected failures of the fake Encord server: random (seeded) and targeted. */
import { prng } from "./util.js";

export type Api = "v1" | "v2" | "file";
export type FaultKind = "429" | "500" | "502" | "503" | "slow" | "drop";

/** Which requests a fault may hit; every given field must match. */
export interface FaultMatch {
  readonly api?: Api;
  readonly method?: string;
  /** Exact path, or a pattern tested against the path. */
  readonly path?: string | RegExp;
  readonly queryType?: string;
  readonly queryMethod?: string;
}

export interface FaultSettings {
  /** Share of requests that fail, 0–1. */
  readonly rate: number;
  readonly kinds: readonly FaultKind[];
  /** `Retry-After` of 429 answers (default 1). */
  readonly retryAfterSeconds?: number;
  /** Delay of "slow" (default 300 ms). */
  readonly slowMs?: number;
  /** "drop" handles the request first (state changes), then loses the response. Default false. */
  readonly dropAfterHandling?: boolean;
  /** Only requests matching this are eligible (default: every request, signed-URL downloads included). */
  readonly match?: FaultMatch;
}

export type TargetedFault =
  | { readonly status: number; readonly retryAfter?: number; readonly match?: FaultMatch }
  | { readonly kind: "drop"; readonly dropAfterHandling?: boolean; readonly match?: FaultMatch }
  | { readonly kind: "slow"; readonly ms?: number; readonly match?: FaultMatch };

/** What happens to one request. */
export type Fault =
  | { readonly type: "status"; readonly status: number; readonly retryAfter?: number }
  | { readonly type: "drop"; readonly afterHandling: boolean }
  | { readonly type: "slow"; readonly ms: number };

export interface FaultSubject {
  readonly api: Api;
  readonly method: string;
  readonly path: string;
  readonly queryType?: string;
  readonly queryMethod?: string;
}

function matches(match: FaultMatch | undefined, subject: FaultSubject): boolean {
  if (!match) return true;
  if (match.api !== undefined && match.api !== subject.api) return false;
  if (match.method !== undefined && match.method.toUpperCase() !== subject.method) return false;
  if (match.path !== undefined && (typeof match.path === "string" ? match.path !== subject.path : !match.path.test(subject.path))) return false;
  if (match.queryType !== undefined && match.queryType !== subject.queryType) return false;
  if (match.queryMethod !== undefined && match.queryMethod !== subject.queryMethod) return false;
  return true;
}

export class Faults {
  private settings: FaultSettings | null = null;
  private readonly queue: TargetedFault[] = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = prng(seed ^ 0x5eed);
  }

  /** Random faults on `rate` of the requests, kinds drawn uniformly (deterministic for a seed and request order). */
  set(settings: FaultSettings): void {
    if (!(settings.rate >= 0 && settings.rate <= 1)) throw new Error(`fault rate must be within 0–1, got ${settings.rate}`);
    if (settings.kinds.length === 0) throw new Error("fault kinds must not be empty");
    this.settings = settings;
  }

  /** The next `n` (matching) requests fail as given; targeted faults come before random ones. */
  failNext(n: number, fault: TargetedFault): void {
    for (let i = 0; i < n; i++) this.queue.push(fault);
  }

  /** Removes random and pending targeted faults. */
  clear(): void {
    this.settings = null;
    this.queue.length = 0;
  }

  /** Targeted faults not yet used. */
  get pending(): number {
    return this.queue.length;
  }

  pick(subject: FaultSubject): Fault | null {
    const index = this.queue.findIndex((fault) => matches(fault.match, subject));
    if (index >= 0) {
      const [fault] = this.queue.splice(index, 1);
      if ("status" in fault!) return { type: "status", status: fault.status, ...(fault.retryAfter !== undefined ? { retryAfter: fault.retryAfter } : {}) };
      if (fault!.kind === "drop") return { type: "drop", afterHandling: fault!.dropAfterHandling ?? false };
      return { type: "slow", ms: fault!.ms ?? 300 };
    }
    const settings = this.settings;
    if (!settings || !matches(settings.match, subject)) return null;
    if (this.random() >= settings.rate) return null;
    const kind = settings.kinds[Math.floor(this.random() * settings.kinds.length)]!;
    switch (kind) {
      case "drop":
        return { type: "drop", afterHandling: settings.dropAfterHandling ?? false };
      case "slow":
        return { type: "slow", ms: settings.slowMs ?? 300 };
      case "429":
        return { type: "status", status: 429, retryAfter: settings.retryAfterSeconds ?? 1 };
      default:
        return { type: "status", status: Number(kind) };
    }
  }
}
