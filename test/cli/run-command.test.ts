import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { RunReport } from "../../src/index.js";
import { agentFile, startCli } from "../support/agent-process.js";
import { cli, demoProjectWithData, expectJsonError, expectUserError, freshStore, jsonLines, listTasks, stageCounts, type TaskLine } from "./cli-helpers.js";

/** Stage title per data title. */
function stageByTitle(tasks: readonly TaskLine[]): Record<string, string> {
  return Object.fromEntries(tasks.map((t) => [t.dataTitle, t.stage]));
}

/** Lines of text that start with `error: `. */
function errorLines(text: string): string[] {
  return text.split("\n").filter((line) => line.startsWith("error: "));
}

interface RunEvent {
  event: string;
  [key: string]: unknown;
}

// examples/data holds blue-tall.png, caption.txt, green-wide.png and red-square.png, added in that
// order; route-by-type sends the text item along "skip" (to Complete) and the images along
// "annotate" (to Annotate).
const routed = { "blue-tall.png": "Annotate", "caption.txt": "Complete", "green-wide.png": "Annotate", "red-square.png": "Annotate" };

describe("task-agents run <agent-file>", () => {
  test("runs the default-exported runner: each task moves along the pathway its handler returned, exit 0", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "run", agentFile("route-by-type"), "--project-hash", hash]);
    expect(result.code, result.stderr).toBe(0);
    expect(stageByTitle(await listTasks(s.store, hash))).toEqual(routed);
    // The report is the result (stdout); logs, including the handler's, go to stderr.
    expect(result.stdout).toMatch(/^Run report: Demo \(/);
    expect(result.stdout).toMatch(/ended: completed/);
    expect(result.stdout).toMatch(/Pre-label\s+4\s+4\s+0\s+0\s+0\s+annotate: 3, skip: 1/);
    expect(result.stderr).toMatch(/routing caption\.txt to skip/);
    expect(result.stderr).not.toMatch(/^error/m);
  });

  test("closes the store it opened once the run is over", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    expect(existsSync(`${s.store}-wal`)).toBe(false);
    const result = await cli(["--store", s.store, "run", agentFile("route-by-type"), "--project-hash", hash]);
    expect(result.code, result.stderr).toBe(0);
    // SQLite removes the write-ahead log when the last connection to the store closes.
    expect(existsSync(`${s.store}-wal`)).toBe(false);
  });

  test("--store and --json work after the subcommand as well as before it", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["run", agentFile("route-by-type"), "--project-hash", hash, "--store", s.store, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines<RunEvent>(result.stdout).at(-1)?.event).toBe("run-finished");
    expect(stageByTitle(await listTasks(s.store, hash))).toEqual(routed);
  });

  test("a store given by TASK_AGENTS_STORE is used when there is no --store", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["run", agentFile("route-by-type"), "--project-hash", hash], { TASK_AGENTS_STORE: s.store });
    expect(result.code, result.stderr).toBe(0);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 0, Annotate: 3, Complete: 1 });
  });

  test("runs a runner exported as `export const runner`", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "run", agentFile("named-export"), "--project-hash", hash]);
    expect(result.code, result.stderr).toBe(0);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 0, Annotate: 0, Complete: 4 });
  });

  test("runs a JavaScript agent file", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "run", agentFile("javascript", ".mjs"), "--project-hash", hash]);
    expect(result.code, result.stderr).toBe(0);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 0, Complete: 4 });
  });

  test("--task-batch-size and --max-tasks-per-stage shape the batches; tasks beyond the cap stay", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli([
      "--store",
      s.store,
      "--json",
      "run",
      agentFile("route-by-type"),
      "--project-hash",
      hash,
      "--task-batch-size",
      "2",
      "--max-tasks-per-stage",
      "3",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const events = jsonLines<RunEvent>(result.stdout);
    const batches = events.filter((e) => e.event === "batch-committed");
    expect(batches.map((b) => [b.batch, b.size, b.moved])).toEqual([
      [1, 2, 2],
      [2, 1, 1],
    ]);
    // The batch number has one name in both batch events; `number` stays as an alias.
    expect(events.filter((e) => e.event === "batch-started").map((b) => [b.batch, b.size])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(batches.map((b) => b.number)).toEqual([1, 2]);
    // The first three tasks (in the order they were added) moved; the fourth was not taken.
    expect(stageByTitle(await listTasks(s.store, hash))).toEqual({ ...routed, "red-square.png": "Pre-label" });
  });

  test("--concurrency sets how many handlers are in flight at once", async () => {
    const peak = (stderr: string) => Math.max(...[...stderr.matchAll(/peak in flight: (\d+)/g)].map((m) => Number(m[1])));
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const one = await cli(["--store", s.store, "run", agentFile("peak-concurrency"), "--project-hash", hash]);
    expect(one.code, one.stderr).toBe(0);
    expect(peak(one.stderr)).toBe(1);
    const four = await cli(["--store", s.store, "run", agentFile("peak-concurrency"), "--project-hash", hash, "--concurrency", "4"]);
    expect(four.code, four.stderr).toBe(0);
    expect(peak(four.stderr)).toBe(4);
    // The handler leaves every task where it is.
    expect(four.stdout).toMatch(/Pre-label\s+4\s+4\s+0\s+4\s+0\s+-/);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4 });
  });

  test("exit 2 when a task failed for good: the report lists it with its attempts (--num-retries)", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "run", agentFile("fails-on-text"), "--project-hash", hash, "--num-retries", "2"]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toMatch(/ended: completed/);
    expect(result.stdout).toMatch(
      /Failed tasks \(1\):\n {2}[0-9a-f-]{36} {2}Pre-label {2}"caption\.txt" {2}after 3 attempts: Error: cannot pre-label text item caption\.txt/,
    );
    expect(stageByTitle(await listTasks(s.store, hash))).toEqual({ ...routed, "caption.txt": "Pre-label" });

    const once = await cli(["--store", s.store, "run", agentFile("fails-on-text"), "--project-hash", hash, "--num-retries", "0"]);
    expect(once.code, once.stderr).toBe(2);
    expect(once.stdout).toMatch(/"caption\.txt" {2}after 1 attempt: /);
  });

  test("an unknown pathway stops the run with exit 1 and one error line; what was decided before is committed", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "run", agentFile("unknown-pathway"), "--project-hash", hash]);
    expect(result.code, result.stderr).toBe(1);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^error: Stage "Pre-label" has no pathway "nowhere"\. Accepted: "annotate" or "skip"/)]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toMatch(/ended: configuration-error/);
    // Tasks are taken in the order they were added: two were sent to Annotate before green-wide.
    expect(stageByTitle(await listTasks(s.store, hash))).toEqual({
      "blue-tall.png": "Annotate",
      "caption.txt": "Annotate",
      "green-wide.png": "Pre-label",
      "red-square.png": "Pre-label",
    });
  });

  describe("exit 1 with one `error: …` line and no stack trace on a configuration error", () => {
    const cases: { name: string; args: (store: string, hash: string, dir: string) => string[]; message: RegExp }[] = [
      {
        name: "an unknown stage in the file",
        args: (store, hash) => ["--store", store, "run", agentFile("unknown-stage"), "--project-hash", hash],
        message: /^error: Project "Demo" has no stage "Pre-lable"\. Agent stages: "Pre-label" \([0-9a-f-]{36}\)\. Did you mean "Pre-label"\?/,
      },
      { name: "no project hash", args: (store) => ["--store", store, "run", agentFile("route-by-type")], message: /^error: No project hash: .*--project-hash/ },
      {
        name: "a project hash that is not a UUID",
        args: (store) => ["--store", store, "run", agentFile("route-by-type"), "--project-hash", "not-a-hash"],
        message: /^error: Project hash "not-a-hash" is not a UUID/,
      },
      {
        name: "--max-tasks-per-stage 0",
        args: (store, hash) => ["--store", store, "run", agentFile("route-by-type"), "--project-hash", hash, "--max-tasks-per-stage", "0"],
        message: /^error: Invalid run options: maxTasksPerStage must be at least 1 \(got 0\)/,
      },
      {
        name: "--task-batch-size 1.5",
        args: (store, hash) => ["--store", store, "run", agentFile("route-by-type"), "--project-hash", hash, "--task-batch-size", "1.5"],
        message: /^error: Invalid run options: taskBatchSize must be a whole number \(got 1\.5\)/,
      },
      {
        name: "--num-retries -1",
        args: (store, hash) => ["--store", store, "run", agentFile("route-by-type"), "--project-hash", hash, "--num-retries", "-1"],
        message: /^error: Invalid run options: numRetries must be 0 or more \(got -1\)/,
      },
      {
        name: "--concurrency abc",
        args: (store, hash) => ["--store", store, "run", agentFile("route-by-type"), "--project-hash", hash, "--concurrency", "abc"],
        message: /^error: option '--concurrency <n>' argument 'abc' is invalid\. --concurrency takes a number, got "abc"\./,
      },
      {
        name: "an unknown flag",
        args: (store, hash) => ["--store", store, "run", agentFile("route-by-type"), "--project-hash", hash, "--concurency", "2"],
        message: /^error: unknown option '--concurency'/,
      },
      {
        name: "a file that does not exist",
        args: (store, hash, dir) => ["--store", store, "run", join(dir, "missing.ts"), "--project-hash", hash],
        message: /^error: Agent file ".*missing\.ts" does not exist\./,
      },
      {
        name: "a file with the wrong extension",
        args: (store, hash, dir) => {
          writeFileSync(join(dir, "agent.py"), "print('hello')\n");
          return ["--store", store, "run", join(dir, "agent.py"), "--project-hash", hash];
        },
        message: /^error: Agent file ".*agent\.py" has extension "\.py"; accepted: \.ts, .*\.js/,
      },
      {
        name: "a stage registered twice in the file",
        args: (store, hash) => ["--store", store, "run", agentFile("duplicate-stage"), "--project-hash", hash],
        message: /^error: A handler is already registered for stage "Pre-label"\. .*overwrite: true/,
      },
      {
        name: "a file exporting no Runner",
        args: (store, hash) => ["--store", store, "run", agentFile("no-runner"), "--project-hash", hash],
        message: /^error: Agent file ".*no-runner\.ts" exports no Runner or QueueRunner\. Export it as the default export/,
      },
    ];

    test.each(cases)("$name", async ({ args, message }) => {
      using s = freshStore();
      const hash = await demoProjectWithData(s.store);
      const result = await cli(args(s.store, hash, s.dir));
      expectUserError(result, message);
      expect(errorLines(result.stderr)).toHaveLength(1);
      expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4 });
    });
  });

  test("--json: one JSON object per event on stdout, ending with run-finished and its report", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "--json", "run", agentFile("route-by-type"), "--project-hash", hash, "--task-batch-size", "3"]);
    expect(result.code, result.stderr).toBe(0);
    const events = jsonLines<RunEvent>(result.stdout);
    expect(events[0]).toMatchObject({ event: "run-started", projectHash: hash, projectTitle: "Demo", stages: [{ title: "Pre-label" }] });
    expect(events.filter((e) => e.event === "batch-committed").map((e) => [e.stage, e.size, e.moved, e.failed])).toEqual([
      ["Pre-label", 3, 3, 0],
      ["Pre-label", 1, 1, 0],
    ]);
    const finished = events.at(-1) as RunEvent & { report: RunReport };
    expect(finished.event).toBe("run-finished");
    expect(finished).not.toHaveProperty("error");
    expect(finished.report).toMatchObject({ projectHash: hash, end: "completed", passes: 1 });
    expect(finished.report.stages).toEqual([
      expect.objectContaining({ title: "Pre-label", seen: 4, succeeded: 4, failed: 0, moved: { annotate: 3, skip: 1 }, failures: [] }),
    ]);
    // Logs stay off stdout: they are JSON lines on stderr.
    const logs = jsonLines(result.stderr);
    expect(logs.some((l) => typeof l.msg === "string" && l.msg.includes("routing caption.txt to skip"))).toBe(true);
  });

  test("--json: configuration errors are one JSON object on stderr", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    expect(expectJsonError(await cli(["--store", s.store, "--json", "run", agentFile("unknown-stage"), "--project-hash", hash]), "TA_UNKNOWN_STAGE")).toMatch(
      /"Pre-lable"/,
    );
    expect(expectJsonError(await cli(["--store", s.store, "--json", "run", agentFile("no-runner"), "--project-hash", hash]), "TA_INVALID_ARGUMENT")).toMatch(
      /exports no Runner/,
    );
    expect(expectJsonError(await cli(["--store", s.store, "--json", "run", join(s.dir, "missing.ts"), "--project-hash", hash]), "TA_FILE_NOT_FOUND")).toMatch(
      /does not exist/,
    );
    expect(
      expectJsonError(
        await cli(["--store", s.store, "run", agentFile("route-by-type"), "--json", "--project-hash", hash, "--max-tasks-per-stage", "0"]),
        "TA_INVALID_ARGUMENT",
      ),
    ).toMatch(/maxTasksPerStage must be at least 1/);
    expect(
      expectJsonError(await cli(["--store", s.store, "--json", "run", agentFile("route-by-type"), "--project-hash", hash, "--concurrency", "abc"]), "TA_USAGE"),
    ).toMatch(/--concurrency takes a number/);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4 });
  });

  test("--json: an unknown pathway ends the events with run-finished and its error; the error is JSON on stderr", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "--json", "run", agentFile("unknown-pathway"), "--project-hash", hash]);
    expect(result.code, result.stderr).toBe(1);
    const finished = jsonLines<RunEvent & { report: RunReport; error?: { message: string } }>(result.stdout).at(-1);
    expect(finished).toMatchObject({
      event: "run-finished",
      report: { end: "configuration-error" },
      error: { message: expect.stringMatching(/no pathway "nowhere"/) as unknown },
    });
    // stderr: only JSON lines (logs), one of which is the error.
    const errors = jsonLines<{ error?: { code: string; message: string } }>(result.stderr).filter((l) => l.error !== undefined);
    expect(errors).toEqual([
      { error: { code: "TA_UNKNOWN_PATHWAY", message: expect.stringMatching(/^Stage "Pre-label" has no pathway "nowhere"/) as unknown } },
    ]);
  });

  test("--help lists every runner flag and exits 0", async () => {
    const result = await cli(["run", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^Usage: task-agents run \[options\] <agent-file>/);
    for (const flag of [
      "--project-hash <uuid>",
      "--refresh-every <seconds>",
      "--num-retries <n>",
      "--task-batch-size <n>",
      "--max-tasks-per-stage <n>",
      "--concurrency <n>",
      "--grace-period <seconds>",
      "--store <path>",
      "--json",
      "--help",
    ]) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toMatch(
      new RegExp(
        "Exit codes:\\n {2}0 {4}no task failed \\(also after Ctrl-C, once the " +
          "in-flight tasks finished\\)\\n {2}1 {4}configuration error " +
          ".*\\n {2}2 {4}some tasks failed, abandoned ones included " +
          ".*\\n {2}130 {2}a second Ctrl-C forced the stop \\(143 for SIGTERM\\)\\n",
      ),
    );
    expect(result.stdout).toMatch(/A second Ctrl-C abandons them at once and commits what was decided/);
    expect(result.stdout).toMatch(/Example:\n {2}task-agents run /);
  });

  test("as a process: the exit code is the run's (2 with a failed task) and --json output is clean JSON", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const run = startCli(["--store", s.store, "--json", "run", agentFile("fails-on-text"), "--project-hash", hash, "--num-retries", "0"]);
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(2);
    const events = jsonLines<RunEvent & { report?: RunReport }>(result.stdout);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(["run-started", "batch-committed", "run-finished"]));
    expect(events.at(-1)?.report?.stages[0]?.failures).toEqual([expect.objectContaining({ dataTitle: "caption.txt", attempts: 1 })]);
    expect(() => jsonLines(result.stderr)).not.toThrow();
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 1, Annotate: 3 });
  });
});

describe("task-agents run: choosing the backend", () => {
  // A key that is no key: Encord is chosen by the variable, and fails on it before any request.
  const badKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1ib2R5LW5vdC1hLWtleQ==\n-----END OPENSSH PRIVATE KEY-----";

  test("--backend local runs on the store; encord, chosen by the flag or by ENCORD_SSH_KEY, needs valid credentials (exit 1)", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const local = await cli(["--store", s.store, "run", agentFile("route-by-type"), "--project-hash", hash, "--backend", "local"]);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).toContain(`task-agents run on local store ${s.store}`);

    const byFlag = await cli(["run", agentFile("route-by-type"), "--project-hash", hash, "--backend", "encord"], { TASK_AGENTS_STORE: s.store });
    expectUserError(byFlag, /No Encord credentials: set ENCORD_SSH_KEY .*ENCORD_SSH_KEY_FILE .*ENCORD_BEARER_TOKEN/);
    const byEnv = await cli(["run", agentFile("route-by-type"), "--project-hash", hash], { TASK_AGENTS_STORE: s.store, ENCORD_SSH_KEY: badKey });
    expectUserError(byEnv, /^error: ENCORD_SSH_KEY /);
    expect(byEnv.stderr).not.toContain("c2VjcmV0LWtleS1ib2R5");
    expectJsonError(
      await cli(["--json", "run", agentFile("route-by-type"), "--project-hash", hash], { TASK_AGENTS_STORE: s.store, ENCORD_SSH_KEY: badKey }),
      "TA_ENCORD_CREDENTIALS",
    );
    expectUserError(await cli(["run", agentFile("route-by-type"), "--backend", "nope"]), /Allowed choices are local, encord/);
  });

  test("--store, or --backend local, keeps a run on the local store when Encord credentials are set", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const byStore = await cli(["--store", s.store, "run", agentFile("route-by-type"), "--project-hash", hash], { ENCORD_SSH_KEY: badKey });
    expect(byStore.code, byStore.stderr).toBe(0);
    expect(stageByTitle(await listTasks(s.store, hash))).toEqual(routed);
    const byFlag = await cli(["run", agentFile("route-by-type"), "--project-hash", hash, "--backend", "local"], {
      TASK_AGENTS_STORE: s.store,
      ENCORD_SSH_KEY: badKey,
    });
    expect(byFlag.code, byFlag.stderr).toBe(0);
    expect(byFlag.stderr).toContain(`task-agents run on local store ${s.store}`);
  });
});
