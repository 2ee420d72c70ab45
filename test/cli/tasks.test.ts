import { describe, expect, test } from "vitest";
import {
  cli,
  cliOk,
  createDemoProject,
  demoProjectWithData,
  expectJsonError,
  expectUserError,
  freshStore,
  jsonLines,
  listTasks,
  stageCounts,
  type TaskLine,
} from "./cli-helpers.js";

const absentTask = "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b";

/** `tasks proceed` with the store, failing the test on a non-zero exit. */
async function proceed(store: string, hash: string, ...args: string[]): Promise<string> {
  return cliOk(store, ["tasks", "proceed", hash, ...args]);
}

async function taskTitled(store: string, hash: string, title: string): Promise<TaskLine> {
  const found = (await listTasks(store, hash)).find((t) => t.dataTitle === title);
  if (!found) throw new Error(`no task for ${title}`);
  return found;
}

interface AgentNode {
  uuid: string;
  title: string;
  pathways: { uuid: string; name: string; destinationTitle: string }[];
}

describe("tasks list", () => {
  test("prints a table of every task, with the count on stderr", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "tasks", "list", hash]);
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^TASK UUID\s+STAGE\s+STATUS\s+PRIORITY\s+DATA TITLE$/);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(/^[0-9a-f-]{36}\s+Pre-label\s+NEW\s+\d\.\d\d\s+\S+/);
    expect(rows.map((r) => r.split(/\s+/).at(-1)).sort()).toEqual(["blue-tall.png", "caption.txt", "green-wide.png", "red-square.png"]);
    expect(result.stderr).toBe("4 tasks.\n");
  });

  test("--json prints one object per task", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "--json", "tasks", "list", hash]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const tasks = jsonLines<TaskLine & { createdAt: string; updatedAt: string }>(result.stdout);
    expect(tasks).toHaveLength(4);
    const stage = (await cliOk(s.store, ["--json", "print", "agent-nodes", hash])).trim();
    const preLabelUuid = (JSON.parse(stage) as AgentNode).uuid;
    for (const task of tasks) {
      expect(task).toMatchObject({ stage: "Pre-label", stageUuid: preLabelUuid, status: "NEW", labelBranchName: "main" });
      expect(task.uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(task.dataHash).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof task.priority).toBe("number");
      expect(new Date(task.createdAt).toISOString()).toBe(task.createdAt);
    }
    expect(new Set(tasks.map((t) => t.uuid)).size).toBe(4);
    expect(tasks.map((t) => t.dataTitle).sort()).toEqual(["blue-tall.png", "caption.txt", "green-wide.png", "red-square.png"]);
  });

  test("--stage lists only that stage's tasks, by title or UUID", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const moved = await taskTitled(s.store, hash, "green-wide.png");
    await proceed(s.store, hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", moved.uuid);

    const annotate = await listTasks(s.store, hash, "Annotate");
    expect(annotate.map((t) => t.uuid)).toEqual([moved.uuid]);
    expect(await listTasks(s.store, hash, annotate[0]!.stageUuid)).toEqual(annotate);
    expect((await listTasks(s.store, hash, "Pre-label")).map((t) => t.dataTitle).sort()).toEqual(["blue-tall.png", "caption.txt", "red-square.png"]);
    expect(await listTasks(s.store, hash, "Review")).toEqual([]);

    const text = await cli(["--store", s.store, "tasks", "list", hash, "--stage", "Annotate"]);
    expect(text.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(text.stderr).toBe('1 task in stage "Annotate".\n');
  });

  test("an unknown stage lists the stages and suggests a near match", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "tasks", "list", hash, "--stage", "Pre-lable"]);
    expectUserError(result, /no stage "Pre-lable"/, /"Start"/, /"Pre-label"/, /"Annotate"/, /"Review"/, /"Complete"/, /Did you mean "Pre-label"\?/);
    const json = await cli(["--store", s.store, "--json", "tasks", "list", hash, "--stage", "Pre-lable"]);
    expect(expectJsonError(json, "TA_UNKNOWN_STAGE")).toMatch(/Did you mean "Pre-label"\?/);
  });

  test("a stage far from every title gets no suggestion", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "tasks", "list", hash, "--stage", "Quality check"]);
    expectUserError(result, /no stage "Quality check"/, /"Pre-label"/);
    expect(result.stderr).not.toMatch(/Did you mean/);
  });

  test("an unknown project is a user error", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    expectUserError(await cli(["--store", s.store, "tasks", "list", absentTask]), /No project/);
  });
});

describe("tasks proceed", () => {
  test("moves one task along an agent pathway given by name", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const task = await taskTitled(s.store, hash, "red-square.png");
    const result = await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", task.uuid]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Moved 1 task from "Pre-label" to "Annotate" along "annotate".\n');
    expect(await taskTitled(s.store, hash, "red-square.png")).toMatchObject({ stage: "Annotate", status: "NEW" });
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 3, Annotate: 1 });
  });

  test("moves every task of a stage along an agent pathway given by UUID", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const [node] = jsonLines<AgentNode>(await cliOk(s.store, ["--json", "print", "agent-nodes", hash]));
    const skip = node!.pathways.find((p) => p.name === "skip")!;
    expect(skip.destinationTitle).toBe("Complete");

    const result = await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--stage", node!.uuid, "--pathway", skip.uuid.toUpperCase(), "--all"]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ moved: 4, fromStage: "Pre-label", toStage: "Complete", pathway: "skip" }]);
    const tasks = await listTasks(s.store, hash);
    expect(tasks.map((t) => `${t.stage}/${t.status}`)).toEqual(Array(4).fill("Complete/COMPLETED"));
  });

  test("a task goes through Annotate and Review to Complete", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { uuid } = await taskTitled(s.store, hash, "blue-tall.png");
    await proceed(s.store, hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", uuid);

    expect(await proceed(s.store, hash, "--stage", "Annotate", "--pathway", "submit", "--task", uuid)).toBe(
      'Moved 1 task from "Annotate" to "Review" along "submit".\n',
    );
    expect(await taskTitled(s.store, hash, "blue-tall.png")).toMatchObject({ stage: "Review", status: "NEW" });

    expect(await proceed(s.store, hash, "--stage", "Review", "--pathway", "approve", "--task", uuid)).toBe(
      'Moved 1 task from "Review" to "Complete" along "approve".\n',
    );
    expect(await taskTitled(s.store, hash, "blue-tall.png")).toMatchObject({ stage: "Complete", status: "COMPLETED" });
    expect(await stageCounts(s.store, hash)).toEqual({ Start: 0, "Pre-label": 3, Annotate: 0, Review: 0, Complete: 1 });
  });

  test("a rejected task goes back to Annotate as REOPENED", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    await proceed(s.store, hash, "--stage", "Pre-label", "--pathway", "annotate", "--all");
    await proceed(s.store, hash, "--stage", "Annotate", "--pathway", "submit", "--all");
    const { uuid } = await taskTitled(s.store, hash, "caption.txt");

    const result = await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--stage", "Review", "--pathway", "reject", "--task", uuid]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ moved: 1, fromStage: "Review", toStage: "Annotate", pathway: "reject" }]);
    expect(await taskTitled(s.store, hash, "caption.txt")).toMatchObject({ stage: "Annotate", status: "REOPENED" });
    expect(await stageCounts(s.store, hash)).toMatchObject({ Annotate: 1, Review: 3 });

    // Submitted again, it is a fresh review task.
    await proceed(s.store, hash, "--stage", "Annotate", "--pathway", "submit", "--task", uuid);
    expect(await taskTitled(s.store, hash, "caption.txt")).toMatchObject({ stage: "Review", status: "NEW" });
  });

  test("--all on an empty stage moves nothing", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    expect(await proceed(s.store, hash, "--stage", "Review", "--pathway", "approve", "--all")).toBe(
      'Moved 0 tasks from "Review" to "Complete" along "approve".\n',
    );
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4, Complete: 0 });
  });

  test("an unknown pathway lists the accepted names and suggests a near match", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "anotate", "--all"]);
    expectUserError(result, /no pathway "anotate"/, /"annotate" or "skip"/, /Did you mean "annotate"\?/);
    const review = await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--stage", "Review", "--pathway", "submit", "--all"]);
    expect(expectJsonError(review, "TA_UNKNOWN_PATHWAY")).toMatch(/"approve" or "reject"/);
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4 });
  });

  test("a DONE stage has no pathways to take", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    await proceed(s.store, hash, "--stage", "Pre-label", "--pathway", "skip", "--all");
    const result = await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Complete", "--pathway", "reopen", "--all"]);
    expectUserError(result, /"Complete"/, /DONE stage/, /no pathways/);
    expectJsonError(
      await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--stage", "Complete", "--pathway", "approve", "--all"]),
      "TA_UNKNOWN_PATHWAY",
    );
    expect(await stageCounts(s.store, hash)).toMatchObject({ Complete: 4 });
  });

  test("a task that is not in the stage is not moved", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { uuid } = await taskTitled(s.store, hash, "red-square.png");
    const before = await stageCounts(s.store, hash);
    const result = await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Annotate", "--pathway", "submit", "--task", uuid]);
    expectUserError(result, uuid, /is in stage "Pre-label", not in "Annotate"/, /nothing was moved/);
    expectJsonError(
      await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--stage", "Annotate", "--pathway", "submit", "--task", uuid]),
      "TA_TASK_NOT_IN_STAGE",
    );
    expect(await stageCounts(s.store, hash)).toEqual(before);
    expect(await taskTitled(s.store, hash, "red-square.png")).toMatchObject({ stage: "Pre-label", status: "NEW" });
  });

  test("an unknown task is a user error that says how to list tasks", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    for (const task of [absentTask, "task-1"]) {
      const result = await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", task]);
      expectUserError(result, `no task "${task}"`, /tasks list/);
    }
    expectJsonError(
      await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", absentTask]),
      "TA_UNKNOWN_TASK",
    );
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4, Annotate: 0 });
  });

  test("a task of another project is unknown here", async () => {
    using s = freshStore();
    const first = await demoProjectWithData(s.store);
    const second = await demoProjectWithData(s.store);
    const { uuid } = await taskTitled(s.store, first, "red-square.png");
    expectUserError(await cli(["--store", s.store, "tasks", "proceed", second, "--stage", "Pre-label", "--pathway", "annotate", "--task", uuid]), /no task/);
    expect(await stageCounts(s.store, first)).toMatchObject({ "Pre-label": 4 });
  });

  test("needs exactly one of --task and --all", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const { uuid } = await taskTitled(s.store, hash, "red-square.png");
    expectUserError(await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate"]), /--task/, /--all/);
    expectJsonError(
      await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate"]),
      "TA_INVALID_ARGUMENT",
    );
    expectUserError(
      await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", uuid, "--all"]),
      /'--task <uuid>' cannot be used with option '--all'/,
    );
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4, Annotate: 0 });
  });

  test("--stage and --pathway are required", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    expectUserError(await cli(["--store", s.store, "tasks", "proceed", hash, "--pathway", "annotate", "--all"]), /required option '--stage <stage>'/);
    expectUserError(await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "Pre-label", "--all"]), /required option '--pathway <pathway>'/);
    expectJsonError(await cli(["--store", s.store, "--json", "tasks", "proceed", hash, "--pathway", "annotate", "--all"]), "TA_USAGE");
    expect(await stageCounts(s.store, hash)).toMatchObject({ "Pre-label": 4 });
  });

  test("an unknown stage is a user error with a suggestion", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    expectUserError(await cli(["--store", s.store, "tasks", "proceed", hash, "--stage", "review", "--pathway", "approve", "--all"]), /Did you mean "Review"\?/);
  });
});

describe("tasks history", () => {
  test("shows every recorded move with its actor, oldest first", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store, "importer");
    const { uuid } = await taskTitled(s.store, hash, "green-wide.png");
    await proceed(s.store, hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", uuid, "--actor", "pre-label-bot");
    await proceed(s.store, hash, "--stage", "Annotate", "--pathway", "submit", "--task", uuid, "--actor", "alice");
    await proceed(s.store, hash, "--stage", "Review", "--pathway", "reject", "--task", uuid, "--actor", "bob");

    const moves = jsonLines<{ taskUuid: string; fromStage: string; toStage: string; pathway: string; actor: string; movedAt: string }>(
      await cliOk(s.store, ["--json", "tasks", "history", hash, "--task", uuid]),
    );
    expect(moves.map((m) => [m.fromStage, m.pathway, m.toStage, m.actor])).toEqual([
      ["Start", "next", "Pre-label", "importer"],
      ["Pre-label", "annotate", "Annotate", "pre-label-bot"],
      ["Annotate", "submit", "Review", "alice"],
      ["Review", "reject", "Annotate", "bob"],
    ]);
    for (const m of moves) {
      expect(m.taskUuid).toBe(uuid);
      expect(new Date(m.movedAt).toISOString()).toBe(m.movedAt);
    }

    const text = await cliOk(s.store, ["tasks", "history", hash, "--task", uuid]);
    const [header, ...rows] = text.trimEnd().split("\n");
    expect(header).toMatch(/^MOVED AT\s+TASK UUID\s+FROM\s+PATHWAY\s+TO\s+ACTOR\s+ERROR$/);
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatch(new RegExp(`${uuid}\\s+Review\\s+reject\\s+Annotate\\s+bob$`));
  });

  test("without --task shows the moves of every task; --all moves record each task", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store, "importer");
    await proceed(s.store, hash, "--stage", "Pre-label", "--pathway", "skip", "--all", "--actor", "sweeper");
    const moves = jsonLines<{ taskUuid: string; toStage: string; actor: string }>(await cliOk(s.store, ["--json", "tasks", "history", hash]));
    expect(moves).toHaveLength(8);
    const tasks = await listTasks(s.store, hash);
    for (const task of tasks) {
      expect(moves.filter((m) => m.taskUuid === task.uuid).map((m) => `${m.toStage}:${m.actor}`)).toEqual(["Pre-label:importer", "Complete:sweeper"]);
    }
  });

  test("history of an unknown task is a user error", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    for (const task of [absentTask, "task-1"]) {
      expectUserError(await cli(["--store", s.store, "tasks", "history", hash, "--task", task]), `no task "${task}"`, /tasks list/);
    }
    expectJsonError(await cli(["--store", s.store, "--json", "tasks", "history", hash, "--task", absentTask]), "TA_UNKNOWN_TASK");
    const { uuid } = await taskTitled(s.store, hash, "caption.txt");
    expect(jsonLines(await cliOk(s.store, ["--json", "tasks", "history", hash, "--task", uuid.toUpperCase()]))).toHaveLength(1);
  });

  test("history of an unknown project is a user error", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    expectUserError(await cli(["--store", s.store, "tasks", "history", absentTask]), /No project/);
  });
});
