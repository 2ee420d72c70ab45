/**
 * `run --watch` and `execute({ watch: true })`: passes start when the store changes, not on a
 * clock. Timing (the 250 ms pick-up, idle CPU) is measured by the bench case watch-latency; these
 * tests only use generous bounds.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { localBackend, Runner, type Backend } from "../../src/index.js";
import { cli, cliOk, createDemoProject, expectUserError, freshStore, jsonLines, paths, stageCounts } from "../cli/cli-helpers.js";
import { agentFile, startAgentScript } from "../support/agent-process.js";

/** Polls the store until `done(counts)` holds, for at most `timeoutMs` (a bound, not a measurement). */
async function untilCounts(
  store: string,
  hash: string,
  done: (counts: Record<string, number>) => boolean,
  timeoutMs = 30_000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await stageCounts(store, hash);
    if (done(counts)) return counts;
    if (Date.now() > deadline) throw new Error(`the store did not reach the expected counts within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await sleep(100);
  }
}

describe("run --watch", () => {
  test("picks up tasks another process adds, again and again, and stops on SIGINT with exit 0", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const run = startAgentScript(agentFile("route-by-type"), ["--project-hash", hash, "--store", s.store, "--watch", "--json"]);
    // The first pass finds the stage empty; then the run waits for the store to change.
    await run.waitFor("stdout", /"event":"pass-finished","time":"[^"]+","pass":1,"nextPassInMs":null/);

    await cliOk(s.store, ["data", "add", hash, paths.demoData]); // 3 images and a text file
    expect(await untilCounts(s.store, hash, (c) => c["Pre-label"] === 0 && c.Annotate === 3)).toMatchObject({ Annotate: 3, Complete: 1 });

    await cliOk(s.store, ["data", "add", hash, paths.demoData]);
    expect(await untilCounts(s.store, hash, (c) => c["Pre-label"] === 0 && c.Annotate === 6)).toMatchObject({ Annotate: 6, Complete: 2 });

    run.child.kill("SIGINT");
    const exit = await run.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).not.toMatch(/^\s+at /m);
    const finished = jsonLines<{ event: string; report?: { end: string; passes: number; stages: { moved: Record<string, number>; failed: number }[] } }>(
      exit.stdout,
    ).find((e) => e.event === "run-finished");
    expect(finished?.report).toMatchObject({ end: "stopped", stages: [{ moved: { annotate: 6, skip: 2 }, failed: 0 }] });
    expect(finished!.report!.passes).toBeGreaterThanOrEqual(3);
  }, 90_000);

  test("is refused together with --refresh-every", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const result = await cli(["--store", s.store, "run", agentFile("route-by-type"), "--project-hash", hash, "--watch", "--refresh-every", "5"]);
    expectUserError(result, /watch \(--watch\) and refreshEvery \(--refresh-every\) cannot be combined/);
  });
});

describe("execute({ watch: true })", () => {
  test("a backend that cannot see changes is refused before any pass, pointing at notifications", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    await using local = localBackend({ storePath: s.store });
    // Everything a runner needs but the change wait, as on Encord.
    const blind: Backend = {
      kind: "encord",
      description: "Encord https://api.encord.com",
      getProject: (h) => local.getProject(h),
      listStageTasks: (h, stage, options) => local.listStageTasks(h, stage, options),
      getLabelRowMetadata: (h, hashes) => local.getLabelRowMetadata(h, hashes),
      getLabelRows: (h, hashes) => local.getLabelRows(h, hashes),
      getStorageItems: (uuids) => local.getStorageItems(uuids),
      commit: (h, batch) => local.commit(h, batch),
      close: async () => undefined,
    };
    const runner = new Runner({ projectHash: hash, backend: blind });
    runner.stage("Pre-label", () => "annotate");
    await expect(runner.execute({ watch: true, output: "silent" })).rejects.toThrow(
      new RegExp(
        "--watch \\(watch: true\\) needs the local store: Encord " +
          "https:\\/\\/api\\.encord\\.com cannot tell when tasks arrive\\. On Encord " +
          "use `task-agents serve` with notifications",
      ),
    );
    expect(runner.lastReport).toBeUndefined();
  });

  test("runStage() refuses watch: it runs one pass", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    await using backend = localBackend({ storePath: s.store });
    const runner = new Runner({ projectHash: hash, backend });
    runner.stage("Pre-label", () => "annotate");
    await expect(runner.runStage("Pre-label", { watch: true } as never)).rejects.toThrow(/runStage\(\) runs one pass; watch is an option of execute\(\)/);
  });
});

describe("localBackend().waitForChange", () => {
  test("resolves true when another connection commits, false when the signal aborts", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    await using watcher = localBackend({ storePath: s.store });
    await watcher.getProject(hash); // opens the store: the state from here on is "seen"

    const stop = new AbortController();
    let settled: boolean | undefined;
    const waiting = watcher.waitForChange(stop.signal).then((changed) => (settled = changed));
    await sleep(300);
    expect(settled).toBeUndefined(); // nothing changed, so it still waits

    await using writer = localBackend({ storePath: s.store });
    await writer.addData(hash, { paths: [paths.demoData] });
    expect(await waiting).toBe(true);

    // Seen now: the next wait lasts until the next change or the abort.
    const second = watcher.waitForChange(stop.signal);
    stop.abort();
    expect(await second).toBe(false);
  });

  test("sees this backend's own moves, so tasks it routes into another agent stage are work too", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    await using backend = localBackend({ storePath: s.store });
    await backend.addData(hash, { paths: [paths.demoData] });
    await backend.waitForChange(new AbortController().signal); // the add above is seen
    backend.proceed(hash, { stage: "Pre-label", pathway: "annotate", all: true, actor: "tester" });
    expect(await backend.waitForChange(AbortSignal.timeout(10_000))).toBe(true);
  });
});
