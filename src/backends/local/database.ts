import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { BackendError, NotFoundError, TaskAgentsError } from "../../domain/errors.js";
import { migrations } from "./migrations/index.js";

export type Db = Database.Database;

/**
 * Opens a store file and brings its schema up to date; with `create`, makes the file (and its
 * folders) when there is none, otherwise a missing file is an error, so a mistyped `--store`
 * is reported instead of quietly giving an empty store. WAL lets readers run beside the one
 * writer; synchronous=NORMAL keeps every committed transaction across a process crash (only an
 * OS crash may drop the last ones), at several times the write rate of FULL.
 */
/** Page cache of a store for runs, listings and commits (KiB). */
const runCacheKiB = 8192;
/**
 * Page cache while adding data (KiB): keys are random UUIDs, so inserts touch pages all over each
 * index, and with a small cache a 100,000-item intake spent most of its time re-reading pages.
 */
const intakeCacheKiB = 65536;

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

export function openDatabase(path: string, options: { create: boolean }): Db {
  if (path !== ":memory:" && !existsSync(path)) {
    if (!options.create) {
      throw new NotFoundError(
        "TA_NO_STORE",
        `There is no task-agents store at ${JSON.stringify(path)}. Create a project first (\`task-agents project create <spec>\`), or point --store or TASK_AGENTS_STORE at an existing store.`,
      );
    }
    mkdirSync(dirname(path), { recursive: true });
  }
  let db: Db;
  try {
    db = new Database(path, { timeout: 5000 });
  } catch (error) {
    throw new BackendError("TA_STORE_ERROR", `Cannot open the store at ${JSON.stringify(path)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // Runner passes read the task table in order: a small cache serves them, and keeps a
    // 100,000-task pass under 200 MB. Bulk intake raises it for its own transaction.
    db.pragma(`cache_size = -${runCacheKiB}`);
    migrate(db);
  } catch (error) {
    db.close();
    if (error instanceof TaskAgentsError) throw error;
    throw new BackendError(
      "TA_STORE_ERROR",
      `The file at ${JSON.stringify(path)} is not a usable task-agents store: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return db;
}

function migrate(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const applied = new Set(
    db
      .prepare("SELECT version FROM schema_migrations")
      .pluck()
      .all()
      .map((v) => v as number),
  );
  const newest = migrations.at(-1)?.version ?? 0;
  const tooNew = [...applied].filter((v) => v > newest);
  if (tooNew.length > 0) {
    throw new BackendError(
      "TA_STORE_TOO_NEW",
      `This store has schema version ${Math.max(...tooNew)}, but this task-agents knows versions up to ${newest}. Upgrade task-agents to use it.`,
    );
  }
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    // IMMEDIATE so two processes opening a new store at once do not both migrate it.
    db.transaction(() => {
      const again = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").get(migration.version);
      if (again) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
}
