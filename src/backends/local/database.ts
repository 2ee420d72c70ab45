import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { BackendError, ConfigurationError, NotFoundError, TaskAgentsError } from "../../domain/errors.js";
import { migrations } from "./migrations/index.js";
import type { Migration } from "./migrations/migration.js";
import { describeTables, ledgerTable, readStoreContents } from "./store-contents.js";

export type Db = Database.Database;

/**
 * What a caller does with the store. `read` never writes to the file: no migration, no switch
 * to WAL, no new file. `write` brings the schema up to date first. `create` may also make a new
 * store, in a missing or empty file.
 */
export type StoreAccess = "read" | "write" | "create";

/** Page cache of a store for runs, listings and commits (KiB). */
const runCacheKiB = 8192;
/**
 * Page cache while adding data (KiB): keys are random UUIDs, so inserts touch pages all over each
 * index, and with a small cache a 100,000-item intake spent most of its time re-reading pages.
 */
const intakeCacheKiB = 65536;
/**
 * How long SQLite itself waits for a lock before reporting the store busy (ms). The operations a
 * run uses shorten it and wait asynchronously instead (see busy-retry.ts); this is for the rest.
 */
export const defaultBusyTimeoutMs = 5000;

/** Runs `work` with the page cache sized for bulk intake, then gives the memory back. */
export async function withIntakeCache<T>(db: Db, work: () => Promise<T>): Promise<T> {
  db.pragma(`cache_size = -${intakeCacheKiB}`);
  try {
    return await work();
  } finally {
    db.pragma(`cache_size = -${runCacheKiB}`);
    // Shrinking the setting keeps the pages already cached; this releases them.
    db.pragma("shrink_memory");
  }
}

const quoted = (path: string) => JSON.stringify(path);

function noStore(path: string, what: string): NotFoundError {
  return new NotFoundError(
    "TA_NO_STORE",
    `There is no task-agents store at ${quoted(path)}${what}. Create a project first (\`task-agents ` +
      `project create <spec>\`), or point --store or TASK_AGENTS_STORE at an existing store.`,
  );
}

/**
 * One connection to a store file. Opening only reads: it refuses a missing or empty file (unless
 * creating), another program's database and a store of a newer task-agents, and leaves each of
 * them exactly as it was. The schema is brought up to date on the first write.
 */
export class StoreConnection {
  readonly db: Db;
  readonly #path: string;
  #pending: readonly Migration[];
  #upgraded = false;

  private constructor(db: Db, path: string, pending: readonly Migration[]) {
    this.db = db;
    this.#path = path;
    this.#pending = pending;
  }

  static open(path: string, access: StoreAccess): StoreConnection {
    const create = access === "create";
    if (path !== ":memory:" && !existsSync(path)) {
      if (!create) throw noStore(path, "");
      mkdirSync(dirname(path), { recursive: true });
    }
    let db: Db;
    try {
      db = new Database(path, { timeout: defaultBusyTimeoutMs });
    } catch (error) {
      throw new BackendError("TA_STORE_ERROR", `Cannot open the store at ${quoted(path)}: ${(error as Error).message}`, { cause: error });
    }
    try {
      // Settings of this connection only; none of them is written to the file.
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      // Runner passes read the task table in order: a small cache serves them, and keeps a
      // 100,000-task pass under 200 MB. Bulk intake raises it for its own transaction.
      db.pragma(`cache_size = -${runCacheKiB}`);
      const contents = readStoreContents(db);
      if (contents.kind === "foreign") {
        throw new ConfigurationError(
          "TA_NOT_A_STORE",
          `The file at ${quoted(path)} is an SQLite database of some other program (` +
            `${describeTables(contents.tables)}), not a task-agents store: a store keeps ` +
            `its schema versions in a "${ledgerTable}" table of its own. task-agents left ` +
            `the file as it was. Point --store or TASK_AGENTS_STORE at a task-agents ` +
            `store, or at a new path for \`task-agents project create <spec>\` to make one.`,
        );
      }
      if (contents.kind === "empty" && !create) throw noStore(path, " (the file is an empty SQLite database)");
      const applied = contents.kind === "store" ? contents.applied : new Set<number>();
      const newest = migrations.at(-1)?.version ?? 0;
      const newer = Math.max(0, ...applied);
      if (newer > newest) {
        throw new BackendError(
          "TA_STORE_TOO_NEW",
          `The store at ${quoted(path)} has schema version ${newer}, but this task-agents knows versions up to ${newest}. Upgrade task-agents to use it.`,
        );
      }
      return new StoreConnection(
        db,
        path,
        migrations.filter((m) => !applied.has(m.version)),
      );
    } catch (error) {
      db.close();
      throw notUsable(path, error);
    }
  }

  /** The connection, ready for `access`: read as the schema is, or written after upgrading it. */
  use(access: StoreAccess): Db {
    if (access === "read") {
      const needed = this.#pending.filter((m) => m.readCompatible !== true);
      if (needed.length > 0) {
        const version = Math.max(0, ...migrations.filter((m) => !this.#pending.includes(m)).map((m) => m.version));
        throw new ConfigurationError(
          "TA_STORE_OUTDATED",
          `The store at ${quoted(this.#path)} has schema version ${version}; this ` +
            `task-agents reads version ${migrations.at(-1)!.version} and does not upgrade a ` +
            `store in a command that only reads it. Run a command that writes to it (\`task-agents ` +
            `data add\`, \`tasks proceed\` or \`run\`) to upgrade it, then try again.`,
        );
      }
    } else if (!this.#upgraded) {
      try {
        upgrade(this.db, this.#pending);
      } catch (error) {
        throw notUsable(this.#path, error);
      }
      this.#pending = [];
      this.#upgraded = true;
    }
    return this.db;
  }

  close(): void {
    this.db.close();
  }
}

function notUsable(path: string, error: unknown): TaskAgentsError {
  if (error instanceof TaskAgentsError) return error;
  return new BackendError("TA_STORE_ERROR", `The file at ${quoted(path)} is not a usable task-agents store: ${(error as Error).message}`, { cause: error });
}

/**
 * Switches the file to WAL, which lets readers run beside the one writer, and applies the
 * migrations it lacks. synchronous=NORMAL keeps every committed transaction across a process
 * crash (only an OS crash may drop the last ones), at several times the write rate of FULL.
 */
function upgrade(db: Db, pending: readonly Migration[]): void {
  if (db.name !== ":memory:" && db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
  for (const migration of pending) {
    // IMMEDIATE so two processes upgrading a store at once do not both apply a step; the ledger
    // is made in the first step's transaction, so a crash never leaves a ledger alone.
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS ${ledgerTable} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
      if (db.prepare(`SELECT 1 FROM ${ledgerTable} WHERE version = ?`).get(migration.version)) return;
      db.exec(migration.sql);
      db.prepare(`INSERT INTO ${ledgerTable} (version, name, applied_at) VALUES (?, ?, ?)`).run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
}
