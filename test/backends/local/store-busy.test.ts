/**
 * A store another process is writing to: a run's commit waits the write lock out and commits
 * (however long it is held), a cancelled wait writes nothing, `data add` leaves the lock to
 * other writers while it reads its items, and a `data add` killed midway leaves no item.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { pino, type Logger } from "pino";
import { describe, expect, test } from "vitest";
import { Runner, isBackendError, type StoreBusyWait } from "../../../src/index.js";
import { demoStore } from "../../support/project-fixture.js";
import { cli, cliOk } from "../../support/run-cli.js";
import { paths } from "../../support/paths.js";
import { tempDir } from "../../support/temp-dir.js";

const betterSqlite = fileURLToPath(new URL("../../../node_modules/better-sqlite3/lib/index.js", import.meta.url));

/**
 * Another process that takes the store's write lock, says "locked" and holds it for `holdMs`.
 * Resolves once the lock is held.
 */
async function holdWriteLock(storePath: string, holdMs: number): Promise<{ released: Promise<number | null> }> {
  const script = `
    const Database = require(${JSON.stringify(betterSqlite)});
    const db = new Database(${JSON.stringify(storePath)});
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); }, ${holdMs});`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const released = new Promise<number | null>((resolve) => child.on("close", resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (text: string) => text.includes("locked") && resolve());
    child.on("close", (code) => reject(new Error(`the lock holder exited (${code}) before taking the lock`)));
  });
  return { released };
}

/** A debug-level logger whose messages are kept. */
function recordingLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") messages.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), messages };
}

function writeUrlManifest(path: string, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify({ title: `item-${i}`, url: `https://example.com/images/${i}.jpg`, clientMetadata: { i } }));
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

describe("a store another process is writing to", () => {
  test("a run's commit waits out a write lock held longer than SQLite's own 5 s wait, then commits every decision", { timeout: 60_000 }, async () => {
    await using store = await demoStore();
    const waiting = store.project.stages.find((s) => s.title === "Pre-label")!;
    const before = await store.backend.countStageTasks(store.project.uuid, waiting.uuid);
    expect(before).toBeGreaterThan(0);

    const { logger, messages } = recordingLogger();
    const runner = new Runner({ backend: store.backend, projectHash: store.project.uuid });
    // The lock is taken once the run has claimed its batch, so it is the commit that meets it.
    let holder: Promise<{ released: Promise<number | null> }> | undefined;
    runner.stage("Pre-label", async () => {
      holder ??= holdWriteLock(store.storePath, 6000);
      await holder;
      return "annotate";
    });
    const report = await runner.execute({ logger, output: "plain" });

    expect(await (await holder!).released).toBe(0);
    expect(report.end).toBe("completed");
    expect(await store.backend.countStageTasks(store.project.uuid, waiting.uuid)).toBe(0);
    const annotate = store.project.stages.find((s) => s.title === "Annotate")!;
    expect(await store.backend.countStageTasks(store.project.uuid, annotate.uuid)).toBe(before);
    // One debug line per wait, naming what waited.
    const waits = messages.filter((m) => /is busy \(another process holds its write lock\); the commit waits \d+ ms/.test(m));
    expect(waits.length).toBeGreaterThan(1);
  });

  test("a commit whose signal fires while it waits writes nothing and says so", async () => {
    await using store = await demoStore();
    const waiting = store.project.stages.find((s) => s.title === "Pre-label")!;
    const page = await store.backend.listStageTasks(store.project.uuid, waiting.uuid);
    const annotate = waiting.type === "AGENT" ? waiting.pathways.find((p) => p.name === "annotate")! : undefined;
    const other = new Database(store.storePath);
    other.exec("BEGIN IMMEDIATE");
    const waits: StoreBusyWait[] = [];
    const stopListening = store.backend.onStoreBusy((wait) => waits.push(wait));
    try {
      const commit = store.backend.commit(store.project.uuid, {
        moves: page.tasks.map((t) => ({ taskUuid: t.uuid, fromStageUuid: waiting.uuid, pathwayUuid: annotate!.uuid })),
        signal: AbortSignal.timeout(300),
      });
      const error: unknown = await commit.catch((e: unknown) => e);
      expect(isBackendError(error) && error.code).toBe("TA_STORE_BUSY");
      expect((error as Error).message).toContain(store.storePath);
      expect((error as Error).message).toMatch(/nothing of it was written/);
    } finally {
      stopListening();
      other.exec("COMMIT");
      other.close();
    }
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatchObject({ storePath: store.storePath, operation: "commit", attempt: 1 });
    expect(await store.backend.countStageTasks(store.project.uuid, waiting.uuid)).toBe(page.tasks.length);
  });

  test("data add leaves the write lock to other writers while it reads its items", { timeout: 120_000 }, async () => {
    await using store = await demoStore();
    const manifest = writeUrlManifest(join(store.storePath, "..", "items.jsonl"), 10_000);
    // A writer that never waits for the lock: any attempt while data add holds it fails.
    const writer = new Database(store.storePath, { timeout: 0 });
    const outcomes = { committed: 0, busy: 0 };
    const timer = setInterval(() => {
      try {
        writer.exec("BEGIN IMMEDIATE");
        writer.prepare("UPDATE projects SET description = ? WHERE uuid = ?").run(`touched ${outcomes.committed}`, store.project.uuid);
        writer.exec("COMMIT");
        outcomes.committed++;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
        outcomes.busy++;
      }
    }, 2);
    try {
      const result = await store.backend.addData(store.project.uuid, { manifest });
      expect(result.added).toBe(10_000);
    } finally {
      clearInterval(timer);
      writer.close();
    }
    // The intake read 10,000 lines over many turns of the event loop; the writer got in at each.
    expect(outcomes).toMatchObject({ busy: 0 });
    expect(outcomes.committed).toBeGreaterThan(10);
  });

  test("data add killed midway leaves no item, and the store takes the next data add", { timeout: 120_000 }, async () => {
    using dir = tempDir();
    const storePath = join(dir.path, "store.db");
    const hash = (await cliOk(storePath, ["project", "create", paths.demoSpec])).trim();
    const manifest = writeUrlManifest(join(dir.path, "items.jsonl"), 100_000);
    const mainTs = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", mainTs, "--store", storePath, "data", "add", hash, "--manifest", manifest], { stdio: "ignore" });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    );
    // Past start-up, into the intake (100,000 items take far longer than this).
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill("SIGKILL");
    expect(await exited).toEqual({ code: null, signal: "SIGKILL" });

    // Whether it was reading its items or writing them (as an intake no reader sees), none shows.
    const shown = JSON.parse(await cliOk(storePath, ["--json", "project", "show", hash])) as { taskCount: number };
    expect(shown.taskCount).toBe(0);
    const again = await cli(["--store", storePath, "data", "add", hash, paths.demoData]);
    expect(again.code, again.stderr).toBe(0);
    // The next data add removed whatever the killed one had written: only its own 4 items are left.
    const check = new Database(storePath, { readonly: true });
    try {
      for (const table of ["storage_items", "data_units", "label_rows", "tasks", "task_moves"]) {
        const count = check
          .prepare(`SELECT count(*) FROM ${table} WHERE ${table === "label_rows" ? "1" : "project_uuid = ?"}`)
          .pluck()
          .get(...(table === "label_rows" ? [] : [hash]));
        expect({ table, count }).toEqual({ table, count: 4 });
      }
    } finally {
      check.close();
    }
  });
});
