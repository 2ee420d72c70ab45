import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { isTaskAgentsError, localBackend } from "../../../src/index.js";
import { demoStore } from "../../support/project-fixture.js";
import { paths } from "../../support/paths.js";
import { tempDir } from "../../support/temp-dir.js";

describe("projects", () => {
  test("a created project has its stages in spec order, with pathways to the right stages", async () => {
    await using store = await demoStore();
    const { project } = store;
    expect(project.projectType).toBe("workflow");
    expect(project.stages.map((s) => [s.title, s.type])).toEqual([
      ["Start", "START"],
      ["Pre-label", "AGENT"],
      ["Annotate", "ANNOTATION"],
      ["Review", "REVIEW"],
      ["Complete", "DONE"],
    ]);
    const titleOf = (uuid: string) => project.stages.find((s) => s.uuid === uuid)?.title;
    expect(store.stage("Pre-label").pathways.map((p) => [p.name, titleOf(p.destinationUuid)])).toEqual([
      ["annotate", "Annotate"],
      ["skip", "Complete"],
    ]);
    expect(store.stage("Review").pathways.map((p) => [p.name, titleOf(p.destinationUuid)])).toEqual([
      ["approve", "Complete"],
      ["reject", "Annotate"],
    ]);
    expect(project.ontology.objects).toHaveLength(1);
  });

  test("stage and pathway UUIDs given in the spec are kept", async () => {
    using dir = tempDir();
    await using backend = localBackend({ storePath: join(dir.path, "s.db") });
    const stageUuid = "9a7e0000-0000-0000-0000-0000000000aa";
    const pathwayUuid = "9a7e0000-0000-0000-0000-0000000000bb";
    const hash = backend.createProject({
      title: "Mirrored",
      workflow: {
        stages: [
          { title: "Start", type: "START", to: "Agent" },
          { title: "Agent", type: "AGENT", uuid: stageUuid, pathways: [{ name: "done", to: "Done", uuid: pathwayUuid }] },
          { title: "Done", type: "DONE" },
        ],
      },
    });
    const project = await backend.getProject(hash);
    expect(project.stages[1]).toMatchObject({ uuid: stageUuid, pathways: [{ uuid: pathwayUuid, name: "done" }] });
  });

  test("one store holds many projects, listed with their task counts", async () => {
    await using store = await demoStore();
    const second = store.backend.createProject(paths.demoSpec);
    const listed = store.backend.listProjects();
    expect(listed.map((p) => [p.uuid, p.taskCount])).toEqual([
      [store.project.uuid, 4],
      [second, 0],
    ]);
  });

  test("an unknown or malformed project hash is a clear error", async () => {
    await using store = await demoStore();
    for (const hash of ["00000000-0000-0000-0000-000000000000", "not-a-hash"]) {
      const error = await store.backend.getProject(hash).catch((e: unknown) => e);
      expect(isTaskAgentsError(error)).toBe(true);
      expect((error as Error).message).toContain(JSON.stringify(hash));
      expect((error as Error).message).toContain("project list");
    }
  });
});

describe("tasks", () => {
  test("added items get a task in START's successor, with history", async () => {
    await using store = await demoStore();
    const page = await store.backend.listStageTasks(store.project.uuid, store.stage("Pre-label").uuid);
    expect(page.tasks.map((t) => t.dataTitle)).toEqual(["blue-tall.png", "caption.txt", "green-wide.png", "red-square.png"]);
    expect(page.tasks.every((t) => t.status === "NEW" && t.labelBranchName === "main")).toBe(true);
    expect(page.nextPageToken).toBeNull();
    const history = [...store.backend.history(store.project.uuid, page.tasks[0]!.uuid)].flat();
    expect(history).toMatchObject([{ fromStage: "Start", toStage: "Pre-label", pathway: "next", actor: "tester" }]);
  });

  test("pages are walked by token and stay valid while tasks leave the stage", async () => {
    await using store = await demoStore();
    const { backend, project } = store;
    const stage = store.stage("Pre-label");
    const first = await backend.listStageTasks(project.uuid, stage.uuid, { pageSize: 2 });
    expect(first.tasks).toHaveLength(2);
    expect(first.nextPageToken).not.toBeNull();
    // Moving the first page's tasks away must not make the second page skip anything.
    await backend.commit(project.uuid, {
      moves: first.tasks.map((t) => ({ taskUuid: t.uuid, fromStageUuid: stage.uuid, pathwayUuid: stage.pathways[0]!.uuid })),
    });
    const second = await backend.listStageTasks(project.uuid, stage.uuid, { pageSize: 2, pageToken: first.nextPageToken! });
    expect(second.tasks.map((t) => t.dataTitle)).toEqual(["green-wide.png", "red-square.png"]);
    expect(second.nextPageToken).toBeNull();
  });

  test("tasks can be filtered by data hash", async () => {
    await using store = await demoStore();
    const stage = store.stage("Pre-label");
    const all = await store.backend.listStageTasks(store.project.uuid, stage.uuid);
    const wanted = [all.tasks[2]!.dataHash];
    const filtered = await store.backend.listStageTasks(store.project.uuid, stage.uuid, { dataHashes: wanted });
    expect(filtered.tasks.map((t) => t.dataHash)).toEqual(wanted);
  });

  test("bad page tokens, page sizes and stage UUIDs are refused with a clear message", async () => {
    await using store = await demoStore();
    const stage = store.stage("Pre-label");
    await expect(store.backend.listStageTasks(store.project.uuid, stage.uuid, { pageToken: "abc" })).rejects.toThrow(/Page token "abc"/);
    await expect(store.backend.listStageTasks(store.project.uuid, stage.uuid, { pageSize: 0 })).rejects.toThrow(/integer from 1/);
    await expect(store.backend.listStageTasks(store.project.uuid, "00000000-0000-0000-0000-000000000001")).rejects.toThrow(/has no stage/);
  });
});

describe("label rows and storage items", () => {
  test("metadata, label rows and storage items come back in the order asked", async () => {
    await using store = await demoStore();
    const { backend, project } = store;
    const tasks = (await backend.listStageTasks(project.uuid, store.stage("Pre-label").uuid)).tasks;
    const hashes = tasks.map((t) => t.dataHash).reverse();
    const metadata = await backend.getLabelRowMetadata(project.uuid, hashes, { includeClientMetadata: true });
    expect(metadata.map((m) => m.data_hash)).toEqual(hashes);
    expect(metadata[0]).toMatchObject({
      data_title: "red-square.png",
      data_type: "IMAGE",
      width: 64,
      height: 64,
      workflow_graph_node: { title: "Pre-label" },
      priority: 0.5,
      client_metadata: {},
      file_type: "image/png",
    });
    const rows = await backend.getLabelRows(project.uuid, hashes);
    expect(rows.map((r) => r.data_hash)).toEqual(hashes);
    expect(rows[0]).toMatchObject({ data_type: "image", label_status: "NOT_LABELLED", object_answers: {} });
    expect(rows[0]!.data_units[hashes[0]!]).toMatchObject({ data_type: "image/png", width: 64, height: 64, labels: { objects: [], classifications: [] } });
    expect(rows[1]).toMatchObject({ data_title: "green-wide.png" });
    expect(rows.find((r) => r.data_title === "caption.txt")).toMatchObject({ data_type: "plain_text" });

    const itemUuids = metadata.map((m) => m.backing_item_uuid!);
    const items = await backend.getStorageItems([...itemUuids].reverse(), { signUrls: true });
    expect(items.map((i) => i.uuid)).toEqual([...itemUuids].reverse());
    expect(items.at(-1)).toMatchObject({ name: "red-square.png", itemType: "image", mimeType: "image/png", width: 64, height: 64, fileSize: 136 });
    expect(items.at(-1)!.signedUrl).toMatch(/^file:\/\/.*red-square\.png$/);
  });

  test("a storage item that is not in the store is named in the error", async () => {
    await using store = await demoStore();
    const missing = "11111111-2222-3333-4444-555555555555";
    await expect(store.backend.getStorageItems([missing])).rejects.toThrow(missing);
  });

  test("storage items are patched in one go: client metadata replaced, name changed, unknown UUIDs change nothing", async () => {
    await using store = await demoStore();
    const { tasks } = await store.backend.listStageTasks(store.project.uuid, store.stage("Pre-label").uuid);
    const metadata = await store.backend.getLabelRowMetadata(
      store.project.uuid,
      tasks.map((t) => t.dataHash),
    );
    const [first, second] = metadata.map((m) => m.backing_item_uuid!);
    const updated = await store.backend.updateStorageItems([
      { uuid: first!, clientMetadata: { reviewed: true } },
      { uuid: second!, name: "renamed.png" },
    ]);
    expect(updated.map((i) => i.uuid)).toEqual([first, second]);
    expect(updated[0]!.clientMetadata).toEqual({ reviewed: true });
    expect(updated[1]!.name).toBe("renamed.png");
    const [again] = await store.backend.getStorageItems([second!]);
    expect(again!.clientMetadata).toEqual(updated[1]!.clientMetadata);

    const missing = "11111111-2222-3333-4444-555555555555";
    await expect(
      store.backend.updateStorageItems([
        { uuid: first!, name: "never.png" },
        { uuid: missing, name: "x" },
      ]),
    ).rejects.toThrow(missing);
    expect((await store.backend.getStorageItems([first!]))[0]!.name).not.toBe("never.png");
  });

  test("unknown data hashes are left out of metadata and label rows", async () => {
    await using store = await demoStore();
    expect(await store.backend.getLabelRowMetadata(store.project.uuid, ["00000000-0000-0000-0000-000000000009"])).toEqual([]);
    expect(await store.backend.getLabelRows(store.project.uuid, ["00000000-0000-0000-0000-000000000009"])).toEqual([]);
  });
});

describe("the store file", () => {
  test("is created where asked, in WAL mode, with foreign keys and a migration ledger", async () => {
    using dir = tempDir();
    const storePath = join(dir.path, "nested", "folder", "store.db");
    const backend = localBackend({ storePath });
    backend.createProject(paths.demoSpec);
    await backend.close();
    const db = new Database(storePath, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual([
      { version: 1, name: "initial" },
      { version: 2, name: "storage-by-url" },
      { version: 3, name: "stage-notifications" },
      { version: 4, name: "move-errors" },
      { version: 5, name: "task-claims" },
      { version: 6, name: "runs" },
      { version: 7, name: "dicom-series" },
      { version: 8, name: "dashboard-indexes" },
      { version: 9, name: "intakes" },
    ]);
    const fks = db.prepare("SELECT COUNT(*) FROM pragma_foreign_key_list('tasks')").pluck().get() as number;
    expect(fks).toBeGreaterThan(0);
    db.close();
  });

  test("reopening applies no migration twice and keeps the data", async () => {
    using dir = tempDir();
    const storePath = join(dir.path, "store.db");
    const first = localBackend({ storePath });
    const hash = first.createProject(paths.demoSpec);
    await first.close();
    await using second = localBackend({ storePath });
    expect((await second.getProject(hash)).title).toBe("Demo");
  });

  test("a store written by a newer task-agents is refused, not damaged", async () => {
    using dir = tempDir();
    const storePath = join(dir.path, "store.db");
    const first = localBackend({ storePath });
    first.createProject(paths.demoSpec);
    await first.close();
    const db = new Database(storePath);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '2030-01-01')").run();
    db.close();
    await using backend = localBackend({ storePath });
    expect(() => backend.listProjects()).toThrow(/schema version 99.*Upgrade task-agents/);
  });

  test("a file that is not a store gives an error naming it", async () => {
    using dir = tempDir();
    const storePath = join(dir.path, "junk.db");
    writeFileSync(storePath, "this is not sqlite at all, just some text that is long enough".repeat(100));
    await using backend = localBackend({ storePath });
    expect(() => backend.listProjects()).toThrow(/junk\.db.*not a usable task-agents store/);
  });

  test("the store path comes from the option, else TASK_AGENTS_STORE, else ./.task-agents/store.db", async () => {
    const { resolveStorePath } = await import("../../../src/backends/local/store-path.js");
    expect(resolveStorePath("/x/a.db", { TASK_AGENTS_STORE: "/y/b.db" })).toBe("/x/a.db");
    expect(resolveStorePath(undefined, { TASK_AGENTS_STORE: "/y/b.db" })).toBe("/y/b.db");
    expect(resolveStorePath(undefined, {})).toBe(join(process.cwd(), ".task-agents", "store.db"));
  });
});
