import { describe, expect, test } from "vitest";
import { Runner, localBackend } from "../../src/index.js";
import { agentFile } from "../support/agent-process.js";
import { cli, demoProjectWithData, expectUserError, freshStore, jsonLines } from "./cli-helpers.js";

interface RunLine {
  id: number;
  kind: string;
  outcome: string | null;
  finishedAt: string | null;
  options: Record<string, unknown>;
  report: { stages: { title: string; seen: number; failed: number; moved: Record<string, number> }[] };
  failures?: { taskUuid: string; dataTitle: string; attempts: number; error: { name: string; message: string; stack: string | null } }[];
}

describe("runs recorded in the local store", () => {
  test("task-agents run records its options, report and failures; runs list and runs show read them", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const run = await cli(["--store", s.store, "run", agentFile("fails-on-text"), "--project-hash", hash, "--num-retries", "0"]);
    expect(run.code, run.stderr).toBe(2);

    const listed = await cli(["--store", s.store, "runs", "list", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const runs = jsonLines<RunLine>(listed.stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ kind: "run", outcome: "completed", options: { numRetries: 0, stages: ["Pre-label"] } });
    expect(runs[0]!.finishedAt).not.toBeNull();
    expect(runs[0]!.report.stages).toMatchObject([{ title: "Pre-label", seen: 4, failed: 1, moved: { annotate: 3 } }]);

    const shown = await cli(["--store", s.store, "runs", "show", String(runs[0]!.id), "--json"]);
    expect(shown.code, shown.stderr).toBe(0);
    const detail = jsonLines<RunLine>(shown.stdout)[0]!;
    expect(detail.failures).toHaveLength(1);
    expect(detail.failures![0]).toMatchObject({
      dataTitle: "caption.txt",
      attempts: 1,
      error: { name: "Error", message: "cannot pre-label text item caption.txt" },
    });
    expect(detail.failures![0]!.error.stack).toMatch(/fails-on-text\.ts/);

    const human = await cli(["--store", s.store, "runs", "show", String(runs[0]!.id)]);
    expect(human.stdout).toMatch(/^Run \d+: run of Demo/);
    expect(human.stdout).toMatch(/caption\.txt.*after 1 attempt: Error: cannot pre-label text item caption\.txt/);
    const table = await cli(["--store", s.store, "runs", "list"]);
    expect(table.stdout).toMatch(/completed\s+4\s+3\s+1/);
  });

  test("a stage pass (runStage, as serve runs one) is recorded as kind stage-pass", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const backend = localBackend({ storePath: s.store });
    const runner = new Runner({ backend, projectHash: hash });
    runner.stage("Pre-label", () => "annotate");
    await runner.runStage("Pre-label");
    const runs = backend.listRuns();
    await runner.close();
    await backend.close();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ kind: "stage-pass", outcome: "completed" });
    expect(runs[0]!.stages[0]).toMatchObject({ seen: 4, moved: { annotate: 4 } });
  });

  test("an unknown run id and a malformed one are refused, naming what is accepted", async () => {
    using s = freshStore();
    await demoProjectWithData(s.store);
    const unknown = await cli(["--store", s.store, "runs", "show", "99"]);
    expectUserError(unknown, /There is no run 99 in .*runs list/);
    const malformed = await cli(["--store", s.store, "runs", "show", "abc"]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/<id>/);
    const none = await cli(["--store", s.store, "runs", "list"]);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/No runs recorded/);
  });
});
