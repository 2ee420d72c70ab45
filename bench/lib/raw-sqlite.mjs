// The store cases' floor: the same kind of rows written and moved by plain better-sqlite3, one
// transaction, no file probing, fewer columns than the real store.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import { tempDir } from "./common.mjs";
import { copyOf, discard } from "./stores.mjs";

function open(path) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  return db;
}

/** Creates a raw store at `path` with `count` items, label rows, tasks (stage 'a') and moves; returns the insert time in ms. */
export function buildRawStore(path, count) {
  const db = open(path);
  try {
    db.exec(`CREATE TABLE items (uuid TEXT PRIMARY KEY, url TEXT, meta TEXT);
             CREATE TABLE rows (hash TEXT PRIMARY KEY, json TEXT);
             CREATE TABLE tasks (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, hash TEXT UNIQUE, stage TEXT, status TEXT);
             CREATE INDEX tasks_stage ON tasks (stage, id);
             CREATE TABLE moves (id INTEGER PRIMARY KEY, task TEXT, from_stage TEXT, to_stage TEXT, at TEXT)`);
    const row = JSON.stringify({ label_hash: randomUUID(), data_units: { x: { labels: { objects: [], classifications: [] } } }, padding: "x".repeat(500) });
    const insertItem = db.prepare("INSERT INTO items VALUES (?, ?, ?)");
    const insertRow = db.prepare("INSERT INTO rows VALUES (?, ?)");
    const insertTask = db.prepare("INSERT INTO tasks (uuid, hash, stage, status) VALUES (?, ?, 'a', 'NEW')");
    const insertMove = db.prepare("INSERT INTO moves (task, from_stage, to_stage, at) VALUES (?, 's', 'a', ?)");
    const started = performance.now();
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const hash = randomUUID();
        const task = randomUUID();
        insertItem.run(randomUUID(), `https://example.com/${i}.jpg`, "{}");
        insertRow.run(hash, row);
        insertTask.run(task, hash);
        insertMove.run(task, new Date().toISOString());
      }
    })();
    return performance.now() - started;
  } finally {
    db.close();
  }
}

/** Moves every task of stage 'a' to 'b' with one INSERT…SELECT and one UPDATE; returns the time in ms. */
export function moveAllRaw(path) {
  const db = open(path);
  try {
    const started = performance.now();
    db.transaction(() => {
      db.prepare("INSERT INTO moves (task, from_stage, to_stage, at) SELECT uuid, stage, 'b', 'now' FROM tasks WHERE stage = 'a'").run();
      db.prepare("UPDATE tasks SET stage = 'b' WHERE stage = 'a'").run();
    })();
    return performance.now() - started;
  } finally {
    db.close();
  }
}

const templates = new Map();
/** A raw store of `count` tasks built once per process (store-add hands over its first); copy it before moving. */
export function rawStore(count) {
  if (!templates.has(count)) {
    const path = join(tempDir("raw"), "raw.db");
    buildRawStore(path, count);
    templates.set(count, path);
  }
  return templates.get(count);
}
/** Lets store-add offer a raw store it built to the others; false when one is kept already. */
export function offerRawStore(count, path) {
  if (templates.has(count)) return false;
  templates.set(count, path);
  return true;
}
/** moveAllRaw on a copy of the raw store of `count` tasks (deleted afterwards). */
export function moveAllRawCopy(count) {
  const path = copyOf(rawStore(count));
  try {
    return moveAllRaw(path);
  } finally {
    discard(path);
  }
}
