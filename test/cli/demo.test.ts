import { existsSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import type { RunReport } from "../../src/index.js";
import { startCli } from "../support/agent-process.js";
import { cli, expectUserError, jsonLines, stageCounts } from "./cli-helpers.js";

/** The store path the demo says it created its project in. */
function demoStorePath(stderr: string): string {
  const match = /^Created project [0-9a-f-]{36} in (.+\/store\.db) and added 36 images\.$/m.exec(stderr);
  if (!match) throw new Error(`the demo did not say where its store is:\n${stderr}`);
  return match[1]!;
}

/** The text between `start` and `end` (or the end of the text). */
function section(text: string, start: string, end?: string): string {
  const from = text.indexOf(start);
  expect(from, `no ${JSON.stringify(start)} in:\n${text}`).toBeGreaterThanOrEqual(0);
  const to = end === undefined ? -1 : text.indexOf(end, from);
  return to === -1 ? text.slice(from) : text.slice(from, to);
}

/** Task count per stage title, as the workflow view prints them ("◆ Pre-label  AGENT  36 tasks"). */
function viewCounts(view: string): Record<string, number> {
  return Object.fromEntries([...view.matchAll(/^[▶◆●■] (\S+)\s+[A-Z]+\s+(?:(\d+) tasks?)?/gm)].map((m) => [m[1]!, Number(m[2] ?? 0)]));
}

describe("task-agents demo", () => {
  test("shows the workflow before and after the example agent ran, prints the run report, and removes its store", async () => {
    const result = await cli(["demo"]);
    expect(result.code, result.stderr).toBe(0);
    const before = viewCounts(section(result.stderr, "Before:", "Running examples/agents/prelabel.ts"));
    const after = viewCounts(section(result.stderr, "After:"));
    expect(before).toEqual({ Start: 0, "Pre-label": 36, Annotate: 0, Review: 0, Complete: 0 });
    expect(after).toEqual({ Start: 0, "Pre-label": 0, Annotate: 24, Review: 0, Complete: 12 });
    expect(result.stdout).toMatch(/^Run report: Demo \([0-9a-f-]{36}\) on local store /);
    expect(result.stdout).toMatch(/ended: completed/);
    expect(result.stdout).toMatch(/Pre-label\s+36\s+36\s+0\s+0\s+0\s+annotate: 24, skip: 12/);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.stderr).not.toMatch(/kept at/);
    // The temporary folder is gone.
    expect(existsSync(dirname(demoStorePath(result.stderr)))).toBe(false);
  });

  test("--keep keeps the store, says where it is, and the store holds the result", async () => {
    const result = await cli(["demo", "--keep"]);
    const storePath = demoStorePath(result.stderr);
    onTestFinished(() => rmSync(dirname(storePath), { recursive: true, force: true }));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`The store is kept at ${storePath}.`);
    expect(existsSync(storePath)).toBe(true);
    const hash = /task-agents --store \S+ tasks list ([0-9a-f-]{36})/.exec(result.stderr)?.[1];
    expect(hash).toBeDefined();
    expect(await stageCounts(storePath, hash!)).toEqual({ Start: 0, "Pre-label": 0, Annotate: 24, Review: 0, Complete: 12 });
  });

  test("--json: the run's events are JSON lines on stdout, ending with the report", async () => {
    const result = await cli(["--json", "demo", "--concurrency", "2"]);
    expect(result.code, result.stderr).toBe(0);
    const events = jsonLines<{ event: string; report?: RunReport }>(result.stdout);
    expect(events[0]?.event).toBe("run-started");
    const report = events.at(-1)?.report;
    expect(report).toMatchObject({ end: "completed", stages: [{ title: "Pre-label", seen: 36, succeeded: 36, failed: 0, moved: { annotate: 24, skip: 12 } }] });
    expect(existsSync(dirname(demoStorePath(result.stderr)))).toBe(false);
  });

  test("a --concurrency that is not a number is refused before anything is set up", async () => {
    const result = await cli(["demo", "--concurrency", "abc"]);
    expectUserError(result, /^error: option '--concurrency <n>' argument 'abc' is invalid\. --concurrency takes a number, got "abc"\./);
    expect(result.stderr).not.toMatch(/Created project/);
  });

  test("as a process: exits 0 and leaves no temporary folder", async () => {
    const result = await startCli(["demo"]).exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/annotate: 24, skip: 12/);
    expect(viewCounts(section(result.stderr, "After:"))).toMatchObject({ Annotate: 24, Complete: 12 });
    expect(existsSync(dirname(demoStorePath(result.stderr)))).toBe(false);
  });
});
