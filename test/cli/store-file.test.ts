/**
 * Which files the commands accept as a store, and what they may do to them: no command changes a
 * file that is not a task-agents store, and commands that only read never create, migrate or
 * switch a store's journal.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { localBackend, Runner } from "../../src/index.js";
import { initialSchema } from "../../src/backends/local/migrations/0001-initial.js";
import { migrations } from "../../src/backends/local/migrations/index.js";
import { cli, cliOk, expectJsonError, expectUserError, freshStore, paths } from "./cli-helpers.js";

const someHash = "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b";

/** Every command that opens the local store: those that only read, then those that write. */
const readingCommands = (hash: string): string[][] => [
  ["project", "list"],
  ["project", "show", hash],
  ["tasks", "list", hash],
  ["tasks", "history", hash],
  ["labels", "export", hash],
  ["print", "agent-nodes", hash],
];
const writingCommands = (hash: string): string[][] => [
  ["project", "create", paths.demoSpec],
  ["data", "add", hash, paths.demoData],
  ["tasks", "proceed", hash, "--stage", "Annotate", "--pathway", "submit", "--all"],
];

/** What must not change: the bytes, the modification time, no journal files beside it. */
function fingerprint(file: string): { bytes: string; mtimeMs: number; wal: boolean; shm: boolean; journal: boolean } {
  return {
    bytes: readFileSync(file).toString("base64"),
    mtimeMs: statSync(file).mtimeMs,
    wal: existsSync(`${file}-wal`),
    shm: existsSync(`${file}-shm`),
    journal: existsSync(`${file}-journal`),
  };
}

function journalMode(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma("journal_mode", { simple: true });
  } finally {
    db.close();
  }
}

function ledger(file: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all() as number[];
  } finally {
    db.close();
  }
}

describe("another program's SQLite database", () => {
  test("is refused by every command, naming the file and what a store is, and left exactly as it was", async () => {
    using s = freshStore();
    const foreign = join(s.dir, "other.db");
    const db = new Database(foreign);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine');");
    db.close();
    const before = fingerprint(foreign);
    expect(journalMode(foreign)).toBe("delete");

    for (const args of [...readingCommands(someHash), ...writingCommands(someHash)]) {
      const result = await cli(["--store", foreign, ...args]);
      expectUserError(result, foreign, /not a task-agents store/, /"notes"/, /schema_migrations/, /left the file as it was/);
      expectJsonError(await cli(["--store", foreign, "--json", ...args]), "TA_NOT_A_STORE");
      expect(fingerprint(foreign), args.join(" ")).toEqual(before);
    }
    // A run on it, through the library.
    const runner = new Runner({ backend: localBackend({ storePath: foreign }), projectHash: someHash });
    await expect(runner.execute({ output: "silent" })).rejects.toMatchObject({ code: "TA_NOT_A_STORE" });
    await runner.close();

    expect(fingerprint(foreign)).toEqual(before);
    expect(journalMode(foreign)).toBe("delete");
  });

  test("a schema_migrations table of another tool's shape does not make a store", async () => {
    using s = freshStore();
    const rails = join(s.dir, "rails.db");
    const db = new Database(rails);
    db.exec(
      "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20240101120000'); CREATE TABLE users (id INTEGER);",
    );
    db.close();
    const before = fingerprint(rails);
    for (const args of [
      ["project", "list"],
      ["project", "create", paths.demoSpec],
    ]) {
      expectUserError(await cli(["--store", rails, ...args]), /not a task-agents store/, /"schema_migrations", "users"/);
    }
    expect(fingerprint(rails)).toEqual(before);
  });

  test("a WAL-mode database is left without journal files too", async () => {
    using s = freshStore();
    const foreign = join(s.dir, "wal.db");
    const db = new Database(foreign);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE notes (text TEXT)");
    db.close();
    const before = fingerprint(foreign);
    expectUserError(await cli(["--store", foreign, "project", "show", someHash]), /not a task-agents store/);
    expect(fingerprint(foreign)).toEqual(before);
  });
});

describe("an empty file", () => {
  test("commands that only read report no store and leave it empty; project create makes the store in it", async () => {
    using s = freshStore();
    writeFileSync(s.store, "");
    for (const args of readingCommands(someHash).filter((a) => a[1] !== "list")) {
      const result = await cli(["--store", s.store, ...args]);
      expectUserError(result, /There is no task-agents store at/, /empty SQLite database/, /project create/);
      expectJsonError(await cli(["--store", s.store, "--json", ...args]), "TA_NO_STORE");
    }
    // Listing the projects of no store lists none, as where there is no file.
    const listed = await cli(["--store", s.store, "project", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toMatch(/No projects in the store/);
    expect(statSync(s.store).size).toBe(0);
    expect(existsSync(`${s.store}-wal`) || existsSync(`${s.store}-shm`)).toBe(false);

    const hash = (await cliOk(s.store, ["project", "create", paths.demoSpec])).trim();
    expect((await cliOk(s.store, ["--json", "project", "list"])).trim()).toContain(hash);
    expect(journalMode(s.store)).toBe("wal");
  });
});

describe("a store of an older schema", () => {
  /** A store with the first schema only, in SQLite's default rollback journal, as an old version left it. */
  function firstSchemaStore(file: string): void {
    const db = new Database(file);
    db.exec(initialSchema.sql);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
    db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(initialSchema.version, initialSchema.name, "2024-01-01T00:00:00.000Z");
    db.close();
  }

  test.runIf(migrations.slice(1).some((m) => m.readCompatible !== true))(
    "commands that only read ask for a command that writes and leave it as it was; a write upgrades it",
    async () => {
      using s = freshStore();
      firstSchemaStore(s.store);
      const before = fingerprint(s.store);
      for (const args of readingCommands(someHash).filter((a) => a[1] !== "list")) {
        const result = await cli(["--store", s.store, ...args]);
        expectUserError(result, s.store, /schema version 1/, /does not upgrade a store in a command that only reads it/, /data add/);
        expectJsonError(await cli(["--store", s.store, "--json", ...args]), "TA_STORE_OUTDATED");
      }
      expectUserError(await cli(["--store", s.store, "project", "list"]), /schema version 1/);
      expect(fingerprint(s.store)).toEqual(before);
      expect(ledger(s.store)).toEqual([1]);

      await cliOk(s.store, ["project", "create", paths.demoSpec]);
      expect(ledger(s.store)).toEqual(migrations.map((m) => m.version));
      expect(journalMode(s.store)).toBe("wal");
    },
  );

  test("a missing step that only speeds queries up does not stop reading, which leaves it missing", async () => {
    using s = freshStore();
    const hash = (await cliOk(s.store, ["project", "create", paths.demoSpec])).trim();
    const readOnlyStep = migrations.find((m) => m.readCompatible === true)!;
    const db = new Database(s.store);
    db.prepare("DELETE FROM schema_migrations WHERE version = ?").run(readOnlyStep.version);
    db.exec("DROP INDEX storage_items_by_url");
    db.close();

    expect(JSON.parse(await cliOk(s.store, ["--json", "project", "show", hash]))).toMatchObject({ uuid: hash });
    expect(ledger(s.store)).not.toContain(readOnlyStep.version);

    await cliOk(s.store, ["data", "add", hash, paths.demoData]);
    expect(ledger(s.store)).toContain(readOnlyStep.version);
  });
});
