import { describe, expect, test } from "vitest";
import { agentFile } from "../support/agent-process.js";
import { cli, cliOk, demoProjectWithData, freshStore, jsonLines, listTasks } from "./cli-helpers.js";

interface HistoryLine {
  taskUuid: string;
  fromStage: string | null;
  toStage: string;
  pathway: string | null;
  error: string | null;
}

describe("task-agents run with a stage's onFailure pathway", () => {
  test("the task that failed for good is moved along it, the report says so, exit 2, and the history keeps its error (secrets removed)", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "run", agentFile("fails-on-text-routed"), "--project-hash", hash, "--num-retries", "1"]);
    // Moved or not, it failed: the exit code says some tasks failed.
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toContain("Pre-label: 1 failed task was moved along the onFailure pathway.");
    expect(result.stdout).toMatch(
      /Failed tasks \(1\):\n .* "caption\.txt" {2}after 2 attempts: Error: cannot pre-label text item caption\.txt .* → moved along "skip"/,
    );
    const text = (await listTasks(s.store, hash)).find((t) => t.dataTitle === "caption.txt")!;
    expect(text.stage).toBe("Complete");

    const history = jsonLines<HistoryLine>(await cliOk(s.store, ["--json", "tasks", "history", hash, "--task", text.uuid]));
    expect(history.map((m) => [m.fromStage, m.pathway, m.toStage])).toEqual([
      ["Start", "next", "Pre-label"],
      ["Pre-label", "skip", "Complete"],
    ]);
    expect(history[0]!.error).toBeNull();
    expect(history[1]!.error).toMatch(/^Error: cannot pre-label text item caption\.txt/);
    expect(history[1]!.error).not.toContain("sk-live-0123456789abcdef");
    // Moves the handler decided carry no error.
    const all = jsonLines<HistoryLine>(await cliOk(s.store, ["--json", "tasks", "history", hash]));
    expect(all.filter((m) => m.error !== null)).toHaveLength(1);

    const table = await cliOk(s.store, ["tasks", "history", hash, "--task", text.uuid]);
    expect(table.trimEnd().split("\n").at(-1)).toMatch(/Pre-label\s+skip\s+Complete\s+agent\s+Error: cannot pre-label text item caption\.txt/);
  });

  test("--retry-failed-after 0 is accepted and --help describes the flag", async () => {
    const help = await cli(["run", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--retry-failed-after <seconds>\s+try a task that failed for good/);
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli([
      "--store",
      s.store,
      "run",
      agentFile("fails-on-text"),
      "--project-hash",
      hash,
      "--num-retries",
      "0",
      "--retry-failed-after",
      "0",
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toContain("Failed tasks (1):");
  });
});
