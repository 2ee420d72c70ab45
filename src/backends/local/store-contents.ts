import type { Db } from "./database.js";
import { migrations } from "./migrations/index.js";

/** The table where a store records the migrations applied to it. */
export const ledgerTable = "schema_migrations";

/** What an opened SQLite file holds, read without writing to it. */
export type StoreContents =
  /** No tables at all (a new or zero-byte file): nothing to lose, but not a store yet. */
  | { readonly kind: "empty" }
  /** A task-agents store; `applied` holds the schema versions its ledger records. */
  | { readonly kind: "store"; readonly applied: ReadonlySet<number> }
  /** Some other program's database: tables, but no task-agents ledger. */
  | { readonly kind: "foreign"; readonly tables: readonly string[] };

const ledgerColumns = ["version", "name", "applied_at"];

/**
 * Tells a task-agents store from an empty file and from another program's database. Only reads
 * the schema and the ledger. A table called `schema_migrations` is not enough: Rails and many
 * other tools keep one. A store's ledger has exactly our columns and names every migration it
 * records as this code names it.
 */
export function readStoreContents(db: Db): StoreContents {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    .pluck()
    .all() as string[];
  if (tables.length === 0) return { kind: "empty" };
  if (!tables.includes(ledgerTable)) return { kind: "foreign", tables };
  const columns = (db.prepare(`SELECT name FROM pragma_table_info('${ledgerTable}') ORDER BY cid`).pluck().all() as string[]).join(",");
  if (columns !== ledgerColumns.join(",")) return { kind: "foreign", tables };
  const rows = db.prepare(`SELECT version, name FROM ${ledgerTable}`).all() as { version: unknown; name: unknown }[];
  const known = new Map(migrations.map((m) => [m.version, m.name]));
  const applied = new Set<number>();
  for (const row of rows) {
    if (typeof row.version !== "number" || !Number.isInteger(row.version)) return { kind: "foreign", tables };
    const name = known.get(row.version);
    // A version past ours is a newer task-agents' store, which the caller reports as such.
    if (name !== undefined && name !== row.name) return { kind: "foreign", tables };
    applied.add(row.version);
  }
  // A ledger left empty by an interrupted first migration, with nothing beside it.
  if (applied.size === 0) return tables.length === 1 ? { kind: "empty" } : { kind: "foreign", tables };
  return { kind: "store", applied };
}

/** The tables of a foreign database, for a message: the first few, and how many more. */
export function describeTables(tables: readonly string[]): string {
  const shown = tables.slice(0, 5).map((t) => JSON.stringify(t));
  const more = tables.length - shown.length;
  return `${tables.length === 1 ? "table" : "tables"} ${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}
