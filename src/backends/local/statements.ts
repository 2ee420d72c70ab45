import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";

const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * The prepared statement for `sql` on `db`, prepared once per connection. Preparing is the
 * largest cost of a small query: a queue worker committing one task per call spent a fifth of
 * its time re-preparing the same statements.
 */
export function statement(db: Db, sql: string, options: { pluck?: boolean } = {}): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  // Plucking is a setting of the statement object, so plucked and whole-row uses get their own.
  const key = options.pluck ? `pluck:${sql}` : sql;
  let prepared = cache.get(key);
  if (!prepared) {
    prepared = db.prepare(sql);
    if (options.pluck) prepared.pluck();
    cache.set(key, prepared);
  }
  return prepared;
}
