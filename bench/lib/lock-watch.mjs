// Watches a store's write lock from its own process until it gets SIGTERM, then prints one JSON
// line. Two modes:
//   probe   tries to take the lock without waiting (busy timeout 0) about every millisecond and
//           records each span it was refused: the longest span is the longest time another
//           process held the lock (to within a poll), and the spans add up to its total hold.
//   commit  a writer like a run's commits: a short write transaction every 20 ms, waiting for
//           the lock with SQLite's own busy handler; records its longest and median waits.
// Usage: node lock-watch.mjs <probe|commit> <store> [projectUuid]
import Database from "better-sqlite3";

const [mode, storePath, projectUuid] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let stopping = false;
process.on("SIGTERM", () => (stopping = true));

const isBusy = (error) => typeof error?.code === "string" && error.code.startsWith("SQLITE_BUSY");

if (mode === "probe") {
  const db = new Database(storePath, { timeout: 0 });
  let busySince;
  let longestMs = 0;
  // When the longest span began (epoch ms), to match it with what the other process did then.
  let longestAt = 0;
  let totalMs = 0;
  let holds = 0;
  process.stdout.write("ready\n");
  while (!stopping) {
    const now = performance.now();
    try {
      db.exec("BEGIN IMMEDIATE");
      db.exec("ROLLBACK");
      if (busySince !== undefined) {
        const span = now - busySince;
        if (span > longestMs) {
          longestMs = span;
          longestAt = Date.now() - (performance.now() - busySince);
        }
        totalMs += span;
        holds++;
        busySince = undefined;
      }
    } catch (error) {
      if (!isBusy(error)) throw error;
      busySince ??= now;
    }
    await sleep(1);
  }
  db.close();
  process.stdout.write(JSON.stringify({ longestMs, longestAt: Math.round(longestAt), totalMs, holds }) + "\n");
} else if (mode === "commit") {
  const db = new Database(storePath, { timeout: 600_000 });
  const touch = db.prepare("UPDATE projects SET description = ? WHERE uuid = ?");
  const waits = [];
  process.stdout.write("ready\n");
  while (!stopping) {
    const started = performance.now();
    db.exec("BEGIN IMMEDIATE");
    waits.push(performance.now() - started);
    touch.run(`touched ${waits.length}`, projectUuid);
    db.exec("COMMIT");
    await sleep(20);
  }
  db.close();
  waits.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ maxWaitMs: waits.at(-1) ?? 0, medianWaitMs: waits[Math.floor(waits.length / 2)] ?? 0, commits: waits.length }) + "\n");
} else {
  throw new Error(`unknown mode ${mode}; use probe or commit`);
}
