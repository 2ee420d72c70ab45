export type { BackOff, RequestOutcome } from "../../backend.js";

/** Statuses by which a server says "slow down": they shrink the in-flight window. */
export const THROTTLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);
