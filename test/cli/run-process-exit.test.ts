import { describe, expect, test } from "vitest";
import { agentFile, startAgentScript, startCli, type ChildExit, type ChildRun } from "../support/agent-process.js";
import { demoProjectWithData, freshStore, jsonLines, listTasks } from "./cli-helpers.js";

// `task-agents run` as its own process with real signals. The agent (ignores-signal) finishes its
// first two tasks at once and sleeps 60 s on the others, ignoring its signal: the process must end
// soon after the report all the same. examples/data gives the demo project four tasks.

/** Generous, yet far below the handlers' 60 s sleep: only an exit that does not wait for them passes. */
const exitWithinMs = 15_000;

/** Waits for the process to end; fails when it takes longer than `ms`. */
async function exitWithin(run: ChildRun, ms: number): Promise<ChildExit & { ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms} ms`)), ms)));
  try {
    return { ...(await Promise.race([run.exited, late])), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function uuidsAfter(prefix: string, text: string): string[] {
  return [...text.matchAll(new RegExp(`^${prefix} ([0-9a-f-]{36})$`, "gm"))].map((m) => m[1]!);
}

function expectNoStack(result: ChildExit): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/unexpected failure/);
}

/**
 * A run of the agent whose commit hangs, interrupted twice: once handling, once stopping; it is
 * then abandoning its in-flight task and committing, which never ends.
 */
async function twoSigintsWhileCommitHangs(store: string, hash: string): Promise<ChildRun> {
  // The agent's own backend: --store would be refused, the store comes from the environment.
  const run = startCli(["run", agentFile("ignores-signal"), "--project-hash", hash], { HANG_COMMIT: "1", TASK_AGENTS_STORE: store });
  await run.waitFor("stderr", /^sleeping on /m);
  run.child.kill("SIGINT");
  await run.waitFor("stderr", /stopping \(signal\)/);
  run.child.kill("SIGINT");
  await run.waitFor("stderr", /^Second SIGINT: abandoning/m);
  return run;
}

async function stageOf(store: string, hash: string): Promise<Map<string, string>> {
  return new Map((await listTasks(store, hash)).map((t) => [t.uuid, t.stage]));
}

describe("task-agents run: the process ends once the run is over", () => {
  test(
    "Ctrl-C with --grace-period 2 and a handler that ignores its signal: report, the handler listed, exit 2 long before its sleep ends",
    { timeout: 60_000 },
    async () => {
      using s = freshStore();
      const hash = await demoProjectWithData(s.store);
      const run = startCli(["--store", s.store, "run", agentFile("ignores-signal"), "--project-hash", hash, "--grace-period", "2"]);
      await run.waitFor("stderr", /^sleeping on /m);
      run.child.kill("SIGINT");
      const result = await exitWithin(run, exitWithinMs);

      expect(result.code, result.stderr).toBe(2);
      expectNoStack(result);
      // The grace period is waited for, then not much more.
      expect(result.ms).toBeGreaterThanOrEqual(1900);
      expect(result.stdout).toMatch(/ended: stopped/);
      const [sleeping] = uuidsAfter("sleeping on", result.stderr);
      expect(result.stdout).toMatch(new RegExp(`Failed tasks \\(1\\):\\n {2}${sleeping} .*was abandoned: the run stopped and the 2 s grace period ran out`));
      expect(result.stderr).toMatch(
        /^warning: 1 abandoned handler is still running \(aborting `signal` did not stop it\); the process ends without waiting\.$/m,
      );
      expect(result.stderr).toMatch(new RegExp(`^ {2}${sleeping} {2}"Pre-label" {2}".*": the run stopped and the 2 s grace period ran out$`, "m"));

      const stages = await stageOf(s.store, hash);
      for (const uuid of uuidsAfter("handling", result.stderr)) expect(stages.get(uuid)).toBe("Annotate");
      expect(stages.get(sleeping!)).toBe("Pre-label");
    },
  );

  test(
    "--task-timeout 1 --num-retries 0 with handlers that ignore their signal: exit 2 soon after the timeout, every one listed",
    { timeout: 60_000 },
    async () => {
      using s = freshStore();
      const hash = await demoProjectWithData(s.store);
      const run = startCli(
        [
          "--store",
          s.store,
          "--json",
          "run",
          agentFile("ignores-signal"),
          "--project-hash",
          hash,
          "--task-timeout",
          "1",
          "--num-retries",
          "0",
          "--concurrency",
          "4",
        ],
        { FINISH_FIRST: "0" },
      );
      await run.waitFor("stderr", /^sleeping on /m);
      const result = await exitWithin(run, exitWithinMs);

      expect(result.code, result.stderr).toBe(2);
      expectNoStack(result);
      const finished = jsonLines<{ event: string; report: { stages: { failed: number }[] } }>(result.stdout).at(-1)!;
      expect(finished.event).toBe("run-finished");
      expect(finished.report.stages[0]!.failed).toBe(4);
      const warning = jsonLines<{ warning?: { message: string; abandonedHandlers?: { taskUuid: string; stage: string; reason: string }[] } }>(
        result.stderr
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .join("\n"),
      ).find((line) => line.warning?.abandonedHandlers !== undefined)!.warning!;
      expect(warning.message).toMatch(/^4 abandoned handlers are still running/);
      expect(new Set(warning.abandonedHandlers!.map((h) => h.taskUuid))).toEqual(new Set(uuidsAfter("sleeping on", result.stderr)));
      expect(warning.abandonedHandlers!.every((h) => h.stage === "Pre-label" && h.reason === "past the task timeout")).toBe(true);
      expect([...(await stageOf(s.store, hash)).values()]).toEqual(["Pre-label", "Pre-label", "Pre-label", "Pre-label"]);
    },
  );

  test("a second Ctrl-C commits the finished decisions, says what it dropped and exits 130", { timeout: 60_000 }, async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const run = startCli(["--store", s.store, "run", agentFile("ignores-signal"), "--project-hash", hash]);
    await run.waitFor("stderr", /^sleeping on /m);
    run.child.kill("SIGINT");
    await run.waitFor("stderr", /stopping \(signal\)/);
    run.child.kill("SIGINT");
    const result = await exitWithin(run, exitWithinMs);

    expect(result.code, result.stderr).toBe(130);
    expectNoStack(result);
    expect(result.stderr).toMatch(
      /^Second SIGINT: abandoning 1 in-flight task now and committing 2 decided tasks; the process ends within 5 s \(another signal ends it at once\)\.$/m,
    );
    expect(result.stderr).toMatch(
      /^Second SIGINT: every decided task was committed; dropped: 0 decided, 1 in-flight task \(abandoned, left in its stage\)\.$/m,
    );
    expect(result.stdout).toMatch(/Pre-label\s+3\s+2\s+1\s+0\s+0\s+annotate: 2\s/);
    const handled = uuidsAfter("handling", result.stderr);
    expect(handled).toHaveLength(2);
    const stages = await stageOf(s.store, hash);
    expect(handled.map((uuid) => stages.get(uuid))).toEqual(["Annotate", "Annotate"]);
    expect(stages.get(uuidsAfter("sleeping on", result.stderr)[0]!)).toBe("Pre-label");
  });

  test("SIGTERM twice: the same, exit 143", { timeout: 60_000 }, async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const run = startCli(["--store", s.store, "--json", "run", agentFile("ignores-signal"), "--project-hash", hash]);
    await run.waitFor("stderr", /^sleeping on /m);
    run.child.kill("SIGTERM");
    await run.waitFor("stdout", /"event":"stop-requested"/);
    run.child.kill("SIGTERM");
    const result = await exitWithin(run, exitWithinMs);

    expect(result.code, result.stderr).toBe(143);
    const warnings = result.stderr
      .split("\n")
      .filter((line) => line.startsWith('{"warning"'))
      .map((line) => (JSON.parse(line) as { warning: Record<string, unknown> }).warning);
    expect(warnings).toContainEqual({
      message: expect.stringMatching(/^Second SIGTERM: every decided task was committed/) as unknown,
      droppedDecided: 0,
      droppedInFlight: 1,
    });
    expect([...(await stageOf(s.store, hash)).values()].filter((stage) => stage === "Annotate")).toHaveLength(2);
  });

  test(
    "a commit that hangs after the second Ctrl-C: the process ends 5 s later, saying 2 decided and 1 in-flight task were dropped",
    { timeout: 60_000 },
    async () => {
      using s = freshStore();
      const hash = await demoProjectWithData(s.store);
      const run = await twoSigintsWhileCommitHangs(s.store, hash);
      const result = await exitWithin(run, exitWithinMs);

      expect(result.code, result.stderr).toBe(130);
      expectNoStack(result);
      expect(result.ms).toBeGreaterThanOrEqual(4500);
      expect(result.stderr).toMatch(
        new RegExp(
          "^the commit did not finish within 5 s of the second sigint: ending " +
            "the process; dropped: 2 decided tasks \\(not committed, unless the " +
            "commit in progress lands\\), 1 in-flight task\\. Dropped tasks stay in " +
            "their stages\\.$",
          "m",
        ),
      );
      expect(result.stdout).not.toMatch(/Run report/);
      expect([...(await stageOf(s.store, hash)).values()].every((stage) => stage === "Pre-label")).toBe(true);
    },
  );

  test("a third Ctrl-C while the commit hangs ends the process at once, saying what it drops", { timeout: 60_000 }, async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const run = await twoSigintsWhileCommitHangs(s.store, hash);
    run.child.kill("SIGINT");
    // Well before the 5 s deadline of the second signal.
    const result = await exitWithin(run, 4000);

    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(
      /^SIGINT again: ending the process; dropped: 2 decided tasks \(not committed, unless the commit in progress lands\), 1 in-flight task\./m,
    );
    expect([...(await stageOf(s.store, hash)).values()].every((stage) => stage === "Pre-label")).toBe(true);
  });

  test("an agent file run as a program (runner.run()) ends too once handlers it abandoned are listed", { timeout: 60_000 }, async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const run = startAgentScript(agentFile("ignores-signal"), ["--project-hash", hash, "--store", s.store, "--task-timeout", "1", "--num-retries", "0"], {
      FINISH_FIRST: "3",
    });
    await run.waitFor("stderr", /^sleeping on /m);
    const result = await exitWithin(run, exitWithinMs);

    expect(result.code, result.stderr).toBe(2);
    expectNoStack(result);
    expect(result.stdout).toMatch(/ended: completed/);
    const [sleeping] = uuidsAfter("sleeping on", result.stderr);
    expect(result.stderr).toMatch(
      new RegExp(`^warning: 1 abandoned handler is still running.*\\n {2}${sleeping} {2}"Pre-label" {2}".*": past the task timeout$`, "m"),
    );
    const stages = await stageOf(s.store, hash);
    expect(uuidsAfter("handling", result.stderr).map((uuid) => stages.get(uuid))).toEqual(["Annotate", "Annotate", "Annotate"]);
    expect(stages.get(sleeping!)).toBe("Pre-label");
  });

  test("a promise a handler started and did not await rejects: a warning, the run goes on, exit 0", { timeout: 60_000 }, async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await exitWithin(startCli(["--store", s.store, "run", agentFile("forgotten-rejection"), "--project-hash", hash]), 30_000);

    expect(result.code, result.stderr).toBe(0);
    expectNoStack(result);
    expect(result.stderr).toMatch(
      new RegExp(
        "^warning: a promise rejected and nothing handled it \\(a handler may " +
          "have started it without awaiting it\\): Error: forgotten promise of " +
          "[^\\n]+\\. The run goes on; this does not fail a task or change the exit code\\.$",
        "m",
      ),
    );
    expect(result.stdout).toMatch(/ended: completed/);
    expect([...(await stageOf(s.store, hash)).values()]).toEqual(["Annotate", "Annotate", "Annotate", "Annotate"]);
  });
});
