import { hostname } from "node:os";

/** Where a claim was taken: the machine and process, so others on that machine can tell it died. */
export interface ClaimerProcess {
  readonly host: string;
  readonly pid: number;
}

/** This process, as its claims record it. */
export function thisProcess(): ClaimerProcess {
  return { host: hostname(), pid: process.pid };
}

/**
 * Whether no process `pid` runs on this machine any more. Signal 0 checks without signalling;
 * EPERM means the process exists under another user. A reused pid reads as alive, which only
 * makes the claim wait for its lease, never end early.
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
