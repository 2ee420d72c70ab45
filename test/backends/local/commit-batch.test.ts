import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { localBackend, type LabelRowJson } from "../../../src/index.js";
import { paths } from "../../support/paths.js";
import { tempDir } from "../../support/temp-dir.js";
import { demoStore, type DemoStore } from "../../support/project-fixture.js";

async function preLabelTasks(store: DemoStore) {
  return (await store.backend.listStageTasks(store.project.uuid, store.stage("Pre-label").uuid)).tasks;
}

function withClassification(row: LabelRowJson, answer: string): LabelRowJson {
  return { ...row, label_status: "LABELLED", classification_answers: { abc123: { classificationHash: "abc123", classifications: [{ answers: answer }] } } };
}

describe("commit", () => {
  test("applies label saves, priorities (0 included) and moves together", async () => {
    await using store = await demoStore();
    const { backend, project } = store;
    const stage = store.stage("Pre-label");
    const [annotate, skip] = stage.pathways;
    const tasks = await preLabelTasks(store);
    const rows = await backend.getLabelRows(
      project.uuid,
      tasks.map((t) => t.dataHash),
    );

    const result = await backend.commit(project.uuid, {
      labelSaves: [{ dataHash: tasks[0]!.dataHash, labelRow: withClassification(rows[0]!, "cat") }],
      priorities: [
        { dataHash: tasks[0]!.dataHash, priority: 0 },
        { dataHash: tasks[1]!.dataHash, priority: 0.9 },
      ],
      moves: [
        { taskUuid: tasks[0]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: annotate!.uuid },
        { taskUuid: tasks[1]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: skip!.uuid },
      ],
      actor: "agent:test",
    });
    expect(result).toMatchObject({ saved: 1, prioritised: 2, refused: [] });
    expect(result.moved.map((m) => m.toStageUuid)).toEqual([store.stage("Annotate").uuid, store.stage("Complete").uuid]);

    const [saved] = await backend.getLabelRows(project.uuid, [tasks[0]!.dataHash]);
    expect(saved).toEqual(withClassification(rows[0]!, "cat"));
    const metadata = await backend.getLabelRowMetadata(project.uuid, [tasks[0]!.dataHash, tasks[1]!.dataHash]);
    expect(metadata.map((m) => [m.priority, m.workflow_graph_node?.title, m.label_status])).toEqual([
      [0, "Annotate", "LABELLED"],
      // Encord reports no priority for finished tasks.
      [null, "Complete", "NOT_LABELLED"],
    ]);
    const done = (await backend.listStageTasks(project.uuid, store.stage("Complete").uuid)).tasks;
    expect(done).toMatchObject([{ uuid: tasks[1]!.uuid, status: "COMPLETED", lastActionedBy: "agent:test", priority: 0.9 }]);
    const history = [...backend.history(project.uuid, tasks[0]!.uuid)].flat();
    expect(history.at(-1)).toMatchObject({ fromStage: "Pre-label", toStage: "Annotate", pathway: "annotate", actor: "agent:test" });
  });

  test("a task that left the stage is refused and reported; the rest of the batch commits", async () => {
    await using store = await demoStore();
    const { backend, project } = store;
    const stage = store.stage("Pre-label");
    const pathway = stage.pathways[0]!;
    const tasks = await preLabelTasks(store);
    // Someone else moves task 0 first.
    await backend.commit(project.uuid, { moves: [{ taskUuid: tasks[0]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: stage.pathways[1]!.uuid }] });
    const rows = await backend.getLabelRows(project.uuid, [tasks[0]!.dataHash, tasks[1]!.dataHash]);

    const result = await backend.commit(project.uuid, {
      labelSaves: [
        { dataHash: tasks[0]!.dataHash, labelRow: withClassification(rows[0]!, "late") },
        { dataHash: tasks[1]!.dataHash, labelRow: withClassification(rows[1]!, "on time") },
      ],
      moves: [
        { taskUuid: tasks[0]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: pathway.uuid },
        { taskUuid: tasks[1]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: pathway.uuid },
        { taskUuid: tasks[1]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: pathway.uuid },
        { taskUuid: "00000000-0000-0000-0000-0000000000ff", fromStageUuid: stage.uuid, pathwayUuid: pathway.uuid },
        { taskUuid: tasks[2]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: store.stage("Review").pathways[0]!.uuid },
      ],
    });
    expect(result.saved).toBe(2);
    expect(result.moved.map((m) => m.taskUuid)).toEqual([tasks[1]!.uuid]);
    expect(result.refused.map((r) => [r.taskUuid, r.reason])).toEqual([
      [tasks[0]!.uuid, "not-in-stage"],
      // Moving the same task twice in one batch: the second move finds it gone.
      [tasks[1]!.uuid, "not-in-stage"],
      ["00000000-0000-0000-0000-0000000000ff", "unknown-task"],
      [tasks[2]!.uuid, "unknown-pathway"],
    ]);
    expect(result.refused[0]!.message).toContain('"Complete"');
    // Task 0 stayed where the other actor put it; it moved once, not twice.
    const history = [...backend.history(project.uuid, tasks[0]!.uuid)].flat();
    expect(history.map((h) => h.toStage)).toEqual(["Pre-label", "Complete"]);
  });

  test("only a reviewer's reject reopens a task; an agent pathway of that name does not", async () => {
    using dir = tempDir();
    await using backend = localBackend({ storePath: join(dir.path, "s.db") });
    const hash = backend.createProject({
      title: "Names",
      workflow: {
        stages: [
          { title: "Start", type: "START", to: "Gate" },
          { title: "Gate", type: "AGENT", pathways: [{ name: "reject", to: "Fix" }] },
          { title: "Fix", type: "ANNOTATION", to: "Done" },
          { title: "Done", type: "DONE" },
        ],
      },
    });
    await backend.addData(hash, { paths: [paths.demoData] });
    const project = await backend.getProject(hash);
    const gate = project.stages[1]!;
    const [task] = (await backend.listStageTasks(hash, gate.uuid)).tasks;
    await backend.commit(hash, { moves: [{ taskUuid: task!.uuid, fromStageUuid: gate.uuid, pathwayUuid: gate.pathways[0]!.uuid }] });
    const [moved] = (await backend.listStageTasks(hash, project.stages[2]!.uuid)).tasks;
    expect(moved).toMatchObject({ uuid: task!.uuid, status: "NEW" });
  });

  test("an invalid priority rejects the whole batch before anything is written", async () => {
    await using store = await demoStore();
    const { backend, project } = store;
    const stage = store.stage("Pre-label");
    const tasks = await preLabelTasks(store);
    for (const priority of [1.5, -0.1, Number.NaN]) {
      await expect(
        backend.commit(project.uuid, {
          priorities: [{ dataHash: tasks[0]!.dataHash, priority }],
          moves: [{ taskUuid: tasks[0]!.uuid, fromStageUuid: stage.uuid, pathwayUuid: stage.pathways[0]!.uuid }],
        }),
      ).rejects.toThrow(/from 0 to 1/);
    }
    expect((await preLabelTasks(store)).map((t) => t.uuid)).toContain(tasks[0]!.uuid);
  });
});

const crashChild = fileURLToPath(new URL("../../support/crash-child.ts", import.meta.url));

function runUntilCommittedThenKill(args: string[], mode: "between" | "during"): Promise<{ output: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", crashChild, ...args, mode], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      // "between": the process is idle after batch 1; kill it hard, as a power cut or OOM would.
      if (mode === "between" && output.includes("committed")) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => resolve({ output, signal }));
  });
}

describe("a crash", () => {
  test.each([
    ["between batches", "between"],
    ["in the middle of a batch", "during"],
  ] as const)("%s loses no committed batch and half-applies none", async (_when, mode) => {
    await using store = await demoStore();
    const { project } = store;
    const stage = store.stage("Pre-label");
    const tasks = await preLabelTasks(store);
    await store.backend.close();

    const { output, signal } = await runUntilCommittedThenKill([store.storePath, project.uuid, stage.uuid, stage.pathways[0]!.uuid], mode);
    expect(output).toContain("committed");
    expect(signal).toBe("SIGKILL");

    await using reopened = localBackend({ storePath: store.storePath });
    const annotate = (await reopened.listStageTasks(project.uuid, store.stage("Annotate").uuid)).tasks.map((t) => t.uuid);
    expect(annotate).toEqual([tasks[0]!.uuid, tasks[1]!.uuid]);
    const metadata = await reopened.getLabelRowMetadata(
      project.uuid,
      tasks.map((t) => t.dataHash),
    );
    // Batch 1 is all there; of batch 2 (killed mid-transaction in "during") nothing is.
    expect(metadata.map((m) => m.label_status)).toEqual(["LABELLED", "LABELLED", "NOT_LABELLED", "NOT_LABELLED"]);
    const remaining = (await reopened.listStageTasks(project.uuid, stage.uuid)).tasks.map((t) => t.uuid);
    expect(remaining).toEqual([tasks[2]!.uuid, tasks[3]!.uuid]);
  });
});
