/**
 * The checks of the crash tests (test/support/crash-invariants.ts) find what they look for: a
 * store broken on purpose in each way is reported, so a passing crash test means something.
 */
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { labelRow, Runner } from "../../src/index.js";
import { crashInvariants, noteFor } from "../support/crash-invariants.js";
import { addNote, notesSpec, runnerStore } from "../support/runner-fixture.js";

/** "annotate" for odd item numbers, "skip" for even ones, as the crash agents route. */
function routeOf(title: string): string {
  return Number(/\d+/.exec(title)?.[0] ?? 0) % 2 === 1 ? "annotate" : "skip";
}

describe("crash test invariants", () => {
  test("hold on a store the agent has worked on partly, and name each way a store can break them", async () => {
    await using store = await runnerStore({ spec: notesSpec, items: 8 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    // i-1 … i-4 as the crash agents do them; i-5 saved but left; i-6 moved without its note;
    // i-7 saved with another task's note; i-8 untouched.
    runner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
      const n = Number(/\d+/.exec(task.dataTitle)![0]);
      if (n <= 4) {
        addNote(labelRow, noteFor(task.uuid));
        return { pathway: routeOf(task.dataTitle), labelRow };
      }
      if (n === 5) {
        addNote(labelRow, noteFor(task.uuid));
        return { labelRow };
      }
      if (n === 6) return routeOf(task.dataTitle);
      if (n === 7) {
        addNote(labelRow, "note of another task");
        return { pathway: routeOf(task.dataTitle), labelRow };
      }
      return null;
    });
    const tasks = await store.tasksIn("Pre-label");
    const byTitle = (title: string) => tasks.find((t) => t.dataTitle === title)!;
    const options = { taskCount: 8, committed: new Set<string>(), actor: "agent" };

    const clean = await crashInvariants(store, options);
    expect(clean).toEqual({ moved: new Set(), waiting: 8, problems: [] });

    await runner.execute({ output: "silent", maxTasksPerStage: 4 });
    const partly = await crashInvariants(store, { ...options, committed: new Set([byTitle("i-1.png").uuid]) });
    expect(partly.problems).toEqual([]);
    expect(partly.moved).toEqual(new Set(["i-1.png", "i-2.png", "i-3.png", "i-4.png"].map((t) => byTitle(t).uuid)));
    expect(partly.waiting).toBe(4);

    await runner.execute({ output: "silent" });
    // A second move out of Pre-label recorded for i-1, as a task handled twice would have.
    const db = new Database(store.backend.storePath);
    db.prepare(
      `INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at)
       SELECT task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, ` +
        `pathway_name, actor, moved_at FROM task_moves WHERE task_uuid = ? AND pathway_name = 'annotate'`,
    ).run(byTitle("i-1.png").uuid);
    db.close();
    const broken = await crashInvariants(store, { ...options, committed: new Set([byTitle("i-8.png").uuid]), actor: "agent" });
    const kinds = broken.problems.filter((p) => !p.startsWith("  "));
    expect(kinds.sort()).toEqual(
      [
        "moved more than once: 1×",
        "note saved, but not moved: 1×",
        "moved, but its note is not saved once: 2×",
        "reported committed, but still in Pre-label: 1×",
      ].sort(),
    );
    expect(broken.problems.join("\n")).toContain(byTitle("i-5.png").uuid);
    expect(broken.problems.join("\n")).toContain(`${byTitle("i-7.png").uuid}: ["note of another task"]`);

    // Moves recorded under another actor, and a task count that does not add up.
    const other = await crashInvariants(store, { ...options, taskCount: 9, actor: "queue-agent" });
    expect(other.problems).toContain("task count: 1×");
    expect(other.problems).toContain("move does not match: 6×");
  });
});
