import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { migrations } from "./migrations/index.js";

/** Facts about the local store and the SQLite library, for `print system-info`. */
export interface LocalStoreInfo {
  readonly storePath: string;
  readonly storeExists: boolean;
  /** Schema version of the store file; null when it does not exist yet. */
  readonly storeSchemaVersion: number | null;
  readonly supportedSchemaVersion: number;
  readonly sqliteVersion: string;
  readonly betterSqlite3Version: string;
}

/** Reads versions without creating or migrating the store. */
export function readLocalStoreInfo(storePath: string): LocalStoreInfo {
  const memory = new Database(":memory:");
  const sqliteVersion = memory.prepare("SELECT sqlite_version()").pluck().get() as string;
  memory.close();
  const storeExists = storePath !== ":memory:" && existsSync(storePath);
  let storeSchemaVersion: number | null = null;
  if (storeExists) {
    const db = new Database(storePath, { readonly: true, fileMustExist: true });
    try {
      storeSchemaVersion = (db.prepare("SELECT MAX(version) FROM schema_migrations").pluck().get() as number | null) ?? 0;
    } catch {
      storeSchemaVersion = 0;
    } finally {
      db.close();
    }
  }
  const betterSqlite3 = createRequire(import.meta.url)("better-sqlite3/package.json") as { version: string };
  return {
    storePath,
    storeExists,
    storeSchemaVersion,
    supportedSchemaVersion: migrations.at(-1)?.version ?? 0,
    sqliteVersion,
    betterSqlite3Version: betterSqlite3.version,
  };
}
