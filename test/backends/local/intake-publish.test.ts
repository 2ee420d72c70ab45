/**
 * `data add` writes its items in short transactions as an intake no reader sees, and publishes
 * them in one (docs/local-store.md, section "`data add`"): a writer of another project gets the lock
 * between the intake's chunks, readers see all of an intake or none of it, and a kill midway
 * leaves nothing visible, cleaned up by the next `data add`.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { localBackend } from "../../../src/index.js";
import { projectOverviews } from "../../../src/ui/queries/project-overview.js";
import { stageCounts } from "../../../src/ui/queries/stage-counts.js";
import { stageTaskPage } from "../../../src/ui/queries/stage-tasks.js";
import { cli, cliOk } from "../../support/run-cli.js";
import { paths } from "../../support/paths.js";
import { tempDir } from "../../support/temp-dir.js";

const mainTs = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));

function writeUrlManifest(path: string, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify({ title: `item-${i}`, url: `https://example.com/images/${i}.jpg` }));
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/** `task-agents data add` in a process of its own. */
function startDataAdd(storePath: string, hash: string, manifest: string) {
  const child = spawn(process.execPath, ["--import", "tsx", mainTs, "--store", storePath, "data", "add", hash, "--manifest", manifest], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => {
      done = true;
      resolve({ code, signal, stderr });
    }),
  );
  return { child, exited, running: () => !done };
}

/** Rows of a project in the tables as they are, including those no reader may see yet. */
function rawTaskCount(db: Database.Database, projectUuid: string): number {
  return db.prepare("SELECT count(*) FROM tasks WHERE project_uuid = ?").pluck().get(projectUuid) as number;
}

async function storeWithProjects(dir: string): Promise<{ storePath: string; added: string; other: string }> {
  const storePath = join(dir, "store.db");
  const added = (await cliOk(storePath, ["project", "create", paths.demoSpec])).trim();
  const other = (await cliOk(storePath, ["project", "create", paths.demoSpec])).trim();
  return { storePath, added, other };
}

describe("data add as an intake published at once", () => {
  test("a writer of another project gets the lock between the intake's short transactions", { timeout: 180_000 }, async () => {
    using dir = tempDir();
    const { storePath, added, other } = await storeWithProjects(dir.path);
    const items = 150_000;
    const add = startDataAdd(storePath, added, writeUrlManifest(join(dir.path, "items.jsonl"), items));
    // Short write transactions, as a run's commits, waiting for the lock with SQLite's own wait.
    // Each reads how many of the intake's rows are in the tables, hidden or not: between two of
    // them, the intake committed what the count grew by.
    const writer = new Database(storePath, { timeout: 120_000 });
    const seen: number[] = [];
    try {
      while (add.running()) {
        writer.exec("BEGIN IMMEDIATE");
        const rows = rawTaskCount(writer, added);
        if (rows !== seen.at(-1)) seen.push(rows);
        writer.prepare("UPDATE projects SET description = ? WHERE uuid = ?").run(`touched at ${rows}`, other);
        writer.exec("COMMIT");
        await sleep(5);
      }
    } finally {
      writer.close();
    }
    const { code, stderr } = await add.exited;
    expect(code, stderr).toBe(0);
    expect(seen.at(-1)).toBe(items);
    // The rows arrived in many steps, each a small part of the intake: the writer got in between
    // them, and no transaction of the intake wrote more than a step. (Published in one
    // transaction, they arrive in one step of all 150,000.) Counted in rows, not milliseconds:
    // on a loaded machine the OS can stall any transaction (bench case store-add-lock times them).
    const steps = seen.slice(1).map((n, i) => n - seen[i]!);
    expect(steps.length).toBeGreaterThan(20);
    expect(Math.max(...steps)).toBeLessThanOrEqual(items / 5);
  });

  test("readers see none of an intake until it is published, then all of it", { timeout: 180_000 }, async () => {
    using dir = tempDir();
    const { storePath, added } = await storeWithProjects(dir.path);
    await cliOk(storePath, ["data", "add", added, paths.demoData]);
    const before = 4;
    const items = 100_000;
    const after = before + items;
    const backend = localBackend({ storePath });
    const raw = new Database(storePath, { readonly: true });
    try {
      const project = await backend.getProject(added);
      const preLabel = project.stages.find((s) => s.title === "Pre-label")!;
      const add = startDataAdd(storePath, added, writeUrlManifest(join(dir.path, "items.jsonl"), items));
      /** Every count a reader gives: before or after the intake, nothing in between. */
      const observe = async (): Promise<Record<string, number>> => {
        const claimed = await backend.claimStageTasks(added, preLabel.uuid, { limit: 10_000, leaseMs: 60_000, owner: "intake-test" });
        await backend.releaseClaims("intake-test");
        const dashboard = new Database(storePath, { readonly: true });
        try {
          return {
            projectList: backend.listProjects().find((p) => p.uuid === added)!.taskCount,
            stageCountsOfProject: backend.countTasksByStage(added).get(preLabel.uuid) ?? 0,
            stageCount: await backend.countStageTasks(added, preLabel.uuid),
            stageListing: (await backend.listStageTasks(added, preLabel.uuid, { pageSize: 10_000 })).tasks.length,
            projectListing: (await backend.listProjectTasks(added, { pageSize: 10_000 })).tasks.length,
            claims: claimed.tasks.length,
            dashboardStageCount: stageCounts(dashboard, [preLabel.uuid]).get(preLabel.uuid)!,
            dashboardOverview: projectOverviews(dashboard).find((p) => p.uuid === added)!.taskCount,
            dashboardStagePage: stageTaskPage(dashboard, { projectUuid: added, stageUuid: preLabel.uuid, sort: "age" }).tasks.length,
          };
        } finally {
          dashboard.close();
        }
      };
      const allBefore = {
        projectList: before,
        stageCountsOfProject: before,
        stageCount: before,
        stageListing: before,
        projectListing: before,
        claims: before,
        dashboardStageCount: before,
        dashboardOverview: before,
        dashboardStagePage: before,
      };
      const allAfter = {
        projectList: after,
        stageCountsOfProject: after,
        stageCount: after,
        stageListing: 10_000,
        projectListing: 10_000,
        claims: 10_000,
        dashboardStageCount: after,
        dashboardOverview: after,
        dashboardStagePage: 100,
      };
      let duringIntake = 0;
      while (add.running()) {
        const rowsBefore = rawTaskCount(raw, added);
        const seen = await observe();
        // The newest storage item of the project, fetched by its UUID.
        const newest = raw.prepare("SELECT uuid FROM storage_items WHERE project_uuid = ? ORDER BY rowid DESC LIMIT 1").pluck().get(added) as string;
        const fetched = await backend.getStorageItems([newest]).then(
          () => "found",
          (error: unknown) => (error as Error).message,
        );
        const rowsAfter = rawTaskCount(raw, added);
        const partial = (n: number) => n > before && n < after;
        if (partial(rowsBefore) && partial(rowsAfter)) {
          // Part of the intake was in the tables all through this look: every reader saw none of it,
          // nor could its items be fetched by UUID.
          duringIntake++;
          expect(seen).toEqual(allBefore);
          expect(fetched).toMatch(/not in this store/);
        } else {
          // The look may span the publishing: each reader saw the one state or the other.
          for (const [reader, count] of Object.entries(seen))
            expect([allBefore[reader as keyof typeof allBefore], allAfter[reader as keyof typeof allAfter]], reader).toContain(count);
        }
        await sleep(50);
      }
      const { code, stderr } = await add.exited;
      expect(code, stderr).toBe(0);
      expect(duringIntake).toBeGreaterThan(0);
      expect(await observe()).toEqual(allAfter);
      let moves = 0;
      for (const page of backend.history(added)) moves += page.length;
      expect(moves).toBe(after);
      expect([...backend.exportLabelRows(added)].length).toBe(after);
    } finally {
      raw.close();
      await backend.close();
    }
  });

  test("two data adds into one project at once each publish all of their own items", { timeout: 180_000 }, async () => {
    using dir = tempDir();
    const { storePath, added } = await storeWithProjects(dir.path);
    const first = startDataAdd(storePath, added, writeUrlManifest(join(dir.path, "first.jsonl"), 30_000));
    const secondLines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ title: `second-${i}`, url: `https://example.com/second/${i}.jpg` }));
    writeFileSync(join(dir.path, "second.jsonl"), secondLines.join("\n") + "\n");
    const second = startDataAdd(storePath, added, join(dir.path, "second.jsonl"));
    const [a, b] = await Promise.all([first.exited, second.exited]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const check = new Database(storePath, { readonly: true });
    try {
      expect(rawTaskCount(check, added)).toBe(50_000);
      expect(check.prepare("SELECT count(*) FROM data_units WHERE project_uuid = ? AND title LIKE 'second-%'").pluck().get(added)).toBe(20_000);
      expect(check.prepare("SELECT count(*) FROM intakes").pluck().get()).toBe(0);
      // Each intake's tasks in the order of its lines, whatever the other wrote in between.
      const order = check
        .prepare("SELECT d.title FROM tasks t JOIN data_units d ON d.data_hash = t.data_hash WHERE d.title LIKE 'second-%' ORDER BY t.id")
        .pluck()
        .all() as string[];
      expect(order).toEqual(secondLines.map((line) => (JSON.parse(line) as { title: string }).title));
    } finally {
      check.close();
    }
  });

  test("data add killed -9 while writing its intake leaves nothing visible; the next data add removes its rows", { timeout: 180_000 }, async () => {
    using dir = tempDir();
    const { storePath, added } = await storeWithProjects(dir.path);
    const items = 100_000;
    const add = startDataAdd(storePath, added, writeUrlManifest(join(dir.path, "items.jsonl"), items));
    const raw = new Database(storePath, { readonly: true });
    try {
      // Killed once part of the intake is in the tables.
      while (add.running() && rawTaskCount(raw, added) < 1000) await sleep(10);
      add.child.kill("SIGKILL");
      expect(await add.exited).toMatchObject({ code: null, signal: "SIGKILL" });
      const left = rawTaskCount(raw, added);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(items);

      const shown = JSON.parse(await cliOk(storePath, ["--json", "project", "show", added])) as {
        taskCount: number;
        stages: { title: string; taskCount: number }[];
      };
      expect(shown.taskCount).toBe(0);
      expect((await cliOk(storePath, ["--json", "tasks", "list", added])).trim()).toBe("");
      // Moving every task of the stage moves none of the intake's.
      const proceed = await cli(["--store", storePath, "tasks", "proceed", added, "--stage", "Pre-label", "--pathway", "skip", "--all"]);
      expect(proceed.code, proceed.stderr).toBe(0);
      expect(proceed.stdout).toMatch(/Moved 0 tasks/);
      // Nor can one of them be moved by its UUID: the project has no such task.
      const hiddenTask = raw.prepare("SELECT uuid FROM tasks WHERE project_uuid = ? LIMIT 1").pluck().get(added) as string;
      const one = await cli(["--store", storePath, "tasks", "proceed", added, "--stage", "Pre-label", "--pathway", "skip", "--task", hiddenTask]);
      expect(one.code).toBe(1);
      expect(one.stderr).toMatch(/has no task/);
      expect(
        raw
          .prepare(
            "SELECT count(*) FROM tasks WHERE project_uuid = ? AND stage_uuid = (SELECT uuid FROM stages WHERE project_uuid = ? AND title = 'Pre-label')",
          )
          .pluck()
          .get(added, added),
      ).toBe(left);

      const again = await cli(["--store", storePath, "data", "add", added, paths.demoData]);
      expect(again.code, again.stderr).toBe(0);
      for (const table of ["storage_items", "data_units", "tasks", "task_moves"]) {
        const count = raw.prepare(`SELECT count(*) FROM ${table} WHERE project_uuid = ?`).pluck().get(added);
        expect({ table, count }).toEqual({ table, count: 4 });
      }
      expect(raw.prepare("SELECT count(*) FROM label_rows").pluck().get()).toBe(4);
      expect(raw.prepare("SELECT count(*) FROM intakes").pluck().get()).toBe(0);
      expect((JSON.parse(await cliOk(storePath, ["--json", "project", "show", added])) as { taskCount: number }).taskCount).toBe(4);
    } finally {
      raw.close();
    }
  });
});
