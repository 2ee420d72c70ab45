import { afterEach, beforeEach, describe, expect, onTestFinished, test } from "vitest";
import { Runner, type RunReport } from "../../src/index.js";
import { agentFile, startAgentScript } from "../support/agent-process.js";
import { demoProjectWithData, freshStore, jsonLines, listTasks, stageCounts } from "../cli/cli-helpers.js";
import { OutputCollector as Collector } from "../support/output-collector.js";

// Local store only: run(argv) and agent scripts pick their backend from the command line (--store here).

/** A runner with captured output, closed when the test ends. */
function capturedRunner(options: ConstructorParameters<typeof Runner>[0] = {}): { runner: Runner; stdout: Collector; stderr: Collector } {
  const runner = new Runner(options);
  const stdout = new Collector();
  const stderr = new Collector();
  runner.streams = { stdout, stderr };
  onTestFinished(() => runner.close());
  return { runner, stdout, stderr };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunEvent {
  event: string;
  [key: string]: unknown;
}

let savedExitCode: typeof process.exitCode;
beforeEach(() => {
  savedExitCode = process.exitCode;
  process.exitCode = undefined;
});
afterEach(() => {
  process.exitCode = savedExitCode;
});

describe("runner.run(argv) from code", () => {
  test("exit 0 when every task succeeded: returned, set as process.exitCode, tasks moved, report on stdout", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stdout, stderr } = capturedRunner();
    runner.stage("Pre-label", ({ task }) => (task.dataTitle.endsWith(".txt") ? "skip" : "annotate"));
    const code = await runner.run(["--project-hash", hash, "--store", s.store]);
    expect(code, stderr.text).toBe(0);
    expect(process.exitCode).toBe(0);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 0, Annotate: 3, Complete: 1 });
    expect(stdout.text).toMatch(/^Run report: Demo/);
    expect(stdout.text).toMatch(/annotate: 3, skip: 1/);
    expect(stderr.text).toMatch(/pass 1: stage "Pre-label", 4 tasks waiting/);
    expect(runner.lastReport?.end).toBe("completed");
  });

  test("exit 2 when a task failed for good; --num-retries sets the attempts", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stdout, stderr } = capturedRunner();
    let attempts = 0;
    runner.stage("Pre-label", ({ task }) => {
      if (task.dataTitle !== "caption.txt") return "annotate";
      attempts++;
      throw new Error("no text, please");
    });
    const code = await runner.run(["--project-hash", hash, "--store", s.store, "--num-retries", "2"]);
    expect(code, stderr.text).toBe(2);
    expect(process.exitCode).toBe(2);
    expect(attempts).toBe(3);
    expect(stdout.text).toMatch(/Failed tasks \(1\):\n.*"caption\.txt" {2}after 3 attempts: Error: no text, please/);
    expect((await listTasks(s.store, hash, "Pre-label")).map((t) => t.dataTitle)).toEqual(["caption.txt"]);
  });

  test("exit 1 on a configuration error (stage unknown to the project), with one error line and no stack", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stdout, stderr } = capturedRunner();
    runner.stage("Annotate", () => "submit");
    const code = await runner.run(["--project-hash", hash, "--store", s.store]);
    expect(code).toBe(1);
    expect(process.exitCode).toBe(1);
    expect(stdout.text).toBe("");
    expect(stderr.text).toMatch(/^error: Stage "Annotate" is an ANNOTATION stage; handlers run only in AGENT stages\. Agent stages: "Pre-label" \(/);
    expect(stderr.text.trimEnd().split("\n")).toHaveLength(1);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4 });
  });

  test.each([
    { flags: ["--concurrency", "abc"], message: /^error: option '--concurrency <n>' argument 'abc' is invalid/ },
    { flags: ["--concurrency", "0"], message: /^error: Invalid run options: concurrency must be at least 1 \(got 0\)/ },
    { flags: ["--max-tasks-per-stage", "0"], message: /^error: Invalid run options: maxTasksPerStage must be at least 1 \(got 0\)/ },
    { flags: ["--task-batch-size", "0"], message: /^error: Invalid run options: taskBatchSize must be at least 1 \(got 0\)/ },
    { flags: ["--refresh-every", "0"], message: /^error: Invalid run options: refreshEvery must be more than 0 seconds \(got 0\)/ },
    { flags: ["--grace-period", "-1"], message: /^error: Invalid run options: gracePeriod must be 0 or more seconds \(got -1\)/ },
    { flags: ["--no-such-flag"], message: /^error: unknown option '--no-such-flag'/ },
  ])("exit 1 on bad flags: $flags", async ({ flags, message }) => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stdout, stderr } = capturedRunner();
    let calls = 0;
    runner.stage("Pre-label", () => {
      calls++;
      return "annotate";
    });
    const code = await runner.run(["--project-hash", hash, "--store", s.store, ...flags]);
    expect(code).toBe(1);
    expect(process.exitCode).toBe(1);
    expect(stdout.text).toBe("");
    expect(stderr.text).toMatch(message);
    expect(stderr.text).not.toMatch(/^\s+at /m);
    expect(calls).toBe(0);
  });

  test("exit 1 without a project hash", async () => {
    using s = freshStore();
    const { runner, stderr } = capturedRunner();
    runner.stage("Pre-label", () => "annotate");
    expect(await runner.run(["--store", s.store])).toBe(1);
    expect(process.exitCode).toBe(1);
    expect(stderr.text).toMatch(/^error: No project hash: /);
  });

  test("--project-hash wins over the constructor's", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stderr } = capturedRunner({ projectHash: "00000000-0000-4000-8000-000000000000" });
    runner.stage("Pre-label", () => "skip");
    expect(await runner.run(["--project-hash", hash, "--store", s.store]), stderr.text).toBe(0);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 0, Complete: 4 });
  });

  test("--task-batch-size, --max-tasks-per-stage and --json reach the execution", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stdout, stderr } = capturedRunner();
    const seen: string[] = [];
    runner.stage("Pre-label", ({ task }) => {
      seen.push(task.dataTitle);
      return "annotate";
    });
    const code = await runner.run(["--project-hash", hash, "--store", s.store, "--task-batch-size", "2", "--max-tasks-per-stage", "3", "--json"]);
    expect(code, stderr.text).toBe(0);
    expect(seen).toEqual(["blue-tall.png", "caption.txt", "green-wide.png"]);
    const events = jsonLines<RunEvent>(stdout.text);
    expect(events.filter((e) => e.event === "batch-committed").map((e) => e.size)).toEqual([2, 1]);
    expect(events.at(-1)).toMatchObject({ event: "run-finished", report: { end: "completed", stages: [{ seen: 3, moved: { annotate: 3 } }] } });
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 1, Annotate: 3 });
  });

  test("--concurrency sets how many handlers run at once", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stderr } = capturedRunner();
    let inFlight = 0;
    let peak = 0;
    runner.stage("Pre-label", async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(50);
      inFlight--;
      return null;
    });
    expect(await runner.run(["--project-hash", hash, "--store", s.store, "--concurrency", "3"]), stderr.text).toBe(0);
    expect(peak).toBe(3);
  });

  test("--json: a configuration error is a JSON object on stderr", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { runner, stdout, stderr } = capturedRunner();
    runner.stage("Pre-lable", () => "annotate");
    expect(await runner.run(["--project-hash", hash, "--store", s.store, "--json"])).toBe(1);
    expect(stdout.text).toBe("");
    const lines = jsonLines<{ error: { code: string; message: string } }>(stderr.text);
    expect(lines).toEqual([
      { error: { code: "TA_UNKNOWN_STAGE", message: expect.stringMatching(/no stage "Pre-lable".*Did you mean "Pre-label"\?/) as unknown } },
    ]);
  });

  test("--help prints every flag, runs nothing and returns 0", async () => {
    const { runner, stdout } = capturedRunner();
    let calls = 0;
    runner.stage("Pre-label", () => {
      calls++;
      return null;
    });
    expect(await runner.run(["--help"])).toBe(0);
    expect(process.exitCode).toBe(0);
    for (const flag of [
      "--project-hash",
      "--refresh-every",
      "--num-retries",
      "--task-batch-size",
      "--max-tasks-per-stage",
      "--concurrency",
      "--grace-period",
      "--store",
      "--json",
      "--help",
    ]) {
      expect(stdout.text).toContain(flag);
    }
    expect(calls).toBe(0);
  });

  test("leaves no signal handlers behind", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const before = { int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") };
    const { runner } = capturedRunner();
    runner.stage("Pre-label", () => null);
    await runner.run(["--project-hash", hash, "--store", s.store]);
    expect({ int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") }).toEqual(before);
  });
});

describe("an agent file run as a script (node --import tsx file.ts …)", () => {
  test("moves the tasks and exits 0", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await startAgentScript(agentFile("route-by-type"), ["--project-hash", hash, "--store", s.store]).exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/annotate: 3, skip: 1/);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 0, Annotate: 3, Complete: 1 });
  });

  test("exits 2 when a task failed for good, with the failure in the report", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await startAgentScript(agentFile("fails-on-text"), ["--project-hash", hash, "--store", s.store, "--num-retries", "0", "--json"]).exited;
    expect(result.code, result.stderr).toBe(2);
    const report = jsonLines<{ event: string; report?: RunReport }>(result.stdout).at(-1)?.report;
    expect(report?.stages[0]?.failures).toEqual([expect.objectContaining({ dataTitle: "caption.txt", attempts: 1 })]);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 1, Annotate: 3 });
  });

  test("exits 1 with one error line when the project hash is missing", async () => {
    using s = freshStore();
    const result = await startAgentScript(agentFile("route-by-type"), ["--store", s.store]).exited;
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: No project hash: .*\n$/);
    expect(result.stderr.split("\n")).toHaveLength(2);
  });
});
