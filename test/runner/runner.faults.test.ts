/**
 * The Runner on the fake Encord server while it fails one request in ten (Encord only: injected
 * faults are a feature of the fake server). Whatever fails, every task must move exactly once and
 * no saved label may be lost, at a bounded cost in requests.
 */
import { describe, expect, test } from "vitest";
import { labelRow, Runner, type LabelRowJson, type RunReport } from "../../src/index.js";
import { createEncordProject, type EncordProject } from "../support/backend-fixtures.js";
import type { FaultSettings } from "../support/fake-encord/index.js";
import { addNote, notesOf, notesSpec } from "../support/runner-fixture.js";

const taskCount = 300;

/** One request in ten fails: rate limits (Retry-After 0), server errors, slow answers, reset connections. */
const faults: FaultSettings = { rate: 0.1, kinds: ["429", "500", "502", "503", "slow", "drop"], retryAfterSeconds: 0, slowMs: 20 };

/** Requests handled and then answered by a reset connection: the client cannot tell whether they were applied. */
const dropsAfterHandling = [
  { what: "actions", match: { api: "v2", method: "POST", path: /\/workflow\/stages\/[^/]+\/actions$/ } },
  { what: "label saves", match: { api: "v1", queryType: "labelrow", queryMethod: "POST" } },
  { what: "label row creation", match: { api: "v1", queryType: "labelrow", queryMethod: "PUT" } },
  { what: "priorities", match: { api: "v2", method: "POST", path: /\/priorities$/ } },
] as const;

interface Run {
  readonly project: EncordProject;
  readonly report: RunReport;
  /** Requests the run sent (retries included), not counting the set-up's. */
  readonly requests: number;
  readonly faulted: Map<string, number>;
}

/** 300 tasks in Pre-label; the agent notes each task's title on its row and sends it on with the row. */
async function run(withFaults: boolean): Promise<Run> {
  const project = await createEncordProject({ spec: notesSpec, items: taskCount, seed: 42 });
  try {
    const runner = new Runner({ projectHash: project.projectHash, backend: project.backend });
    runner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
      addNote(labelRow, `seen ${task.dataTitle}`);
      labelRow.setPriority(0.25);
      return { pathway: "annotate", labelRow };
    });
    const before = project.fake.requests.length;
    if (withFaults) {
      project.fake.faults.set(faults);
      for (const { match } of dropsAfterHandling) project.fake.faults.failNext(2, { kind: "drop", dropAfterHandling: true, match });
    }
    const report = await runner.execute({ taskBatchSize: 10, concurrency: 4, output: "silent" });
    const pending = project.fake.faults.pending;
    project.fake.faults.clear();
    const sent = project.fake.requests.slice(before);
    const faulted = new Map<string, number>();
    for (const request of sent) if (request.fault) faulted.set(request.fault, (faulted.get(request.fault) ?? 0) + 1);
    if (withFaults) expect(pending, "every targeted drop was used").toBe(0);
    return { project, report, requests: sent.length, faulted };
  } catch (error) {
    await project.close();
    throw error;
  }
}

/** The checks of a finished run, on the fake's state. */
async function expectEveryTaskMovedOnceWithItsNote({ project, report }: Run): Promise<void> {
  expect(report.end).toBe("completed");
  expect(report.stages).toHaveLength(1);
  expect(report.stages[0]).toMatchObject({ seen: taskCount, succeeded: taskCount, failed: 0, refused: 0, moved: { annotate: taskCount } });

  const preLabel = project.stage("Pre-label").uuid;
  const annotate = project.stage("Annotate").uuid;
  const tasks = project.fake.state.tasks.filter((t) => t.projectHash === project.projectHash);
  expect(tasks).toHaveLength(taskCount);
  expect(tasks.filter((t) => t.stageUuid !== annotate).map((t) => t.dataTitle)).toEqual([]);
  // Each task left Pre-label exactly once, along "annotate".
  const moves = project.fake.state.history.filter((m) => m.projectHash === project.projectHash);
  const movesPerTask = new Map<string, number>();
  for (const move of moves) {
    expect(move).toMatchObject({ from: preLabel, to: annotate, pathwayUuid: project.pathway("Pre-label", "annotate").uuid, via: "action" });
    movesPerTask.set(move.taskUuid, (movesPerTask.get(move.taskUuid) ?? 0) + 1);
  }
  expect(movesPerTask.size).toBe(taskCount);
  expect([...movesPerTask.values()].filter((n) => n !== 1)).toEqual([]);
  // Every row was saved with its own note, once, and every priority was set.
  const lost: string[] = [];
  for (const task of tasks) {
    const row = project.fake.state.labelRows.get(task.dataHash)?.row as LabelRowJson | null | undefined;
    const notes = row ? notesOf(row) : [];
    if (notes.length !== 1 || notes[0] !== `seen ${task.dataTitle}`) lost.push(`${task.dataTitle}: ${JSON.stringify(notes)}`);
    if (task.priority !== 0.25) lost.push(`${task.dataTitle}: priority ${task.priority}`);
  }
  expect(lost).toEqual([]);
  // The backend agrees with its own state when asked through the API.
  const [first] = await project.tasksIn("Annotate");
  expect(notesOf(await project.labelRow(first!.dataHash))).toEqual([`seen ${first!.dataTitle}`]);
}

describe("the Runner on Encord with 10% injected faults", () => {
  test("every task moves exactly once, no label save is lost, and retries cost at most 30% more requests", async () => {
    const clean = await run(false);
    try {
      await expectEveryTaskMovedOnceWithItsNote(clean);
      expect(clean.faulted.size).toBe(0);
    } finally {
      await clean.project.close();
    }

    const faulty = await run(true);
    try {
      await expectEveryTaskMovedOnceWithItsNote(faulty);
      // The faults did happen: the targeted drops and about one request in ten.
      expect(faulty.faulted.get("drop-after-handling")).toBe(2 * dropsAfterHandling.length);
      const random = [...faulty.faulted].filter(([kind]) => kind !== "drop-after-handling").reduce((sum, [, n]) => sum + n, 0);
      expect(random).toBeGreaterThanOrEqual(0.05 * faulty.requests);
      const counts = `${clean.requests} requests without faults, ${faulty.requests} with; faults ${JSON.stringify(Object.fromEntries(faulty.faulted))}`;
      expect(faulty.requests / clean.requests, counts).toBeLessThanOrEqual(1.3);
    } finally {
      await faulty.project.close();
    }
  }, 60_000);
});
