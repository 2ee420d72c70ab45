import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";

/**
 * How often a waiting watcher asks SQLite whether the store changed. The check itself reads a
 * counter in the WAL index (shared memory), no table pages: about 4 µs. Waking the process costs
 * far more: on a busy 2-core machine a 50 ms timer alone used 0.6 % of a core, 100 ms 0.4 %.
 * 100 ms keeps an idle watcher well under 1 % and a pick-up under a quarter second
 * (bench case watch-latency).
 */
export const changePollMs = 100;

/**
 * Tells when a store file changed, without reading any tables. SQLite's `data_version` changes
 * each time another connection (this process or another) commits; commits on this connection do
 * not change it, so the backend reports its own moves with {@link noteOwnWrite}: a task this
 * process moved into another agent stage is work too.
 */
export class StoreChanges {
  readonly #version: Statement;
  #seen: number;
  #ownWrite = false;

  /** Takes the store's state now as the state already seen. */
  constructor(db: Db) {
    this.#version = db.prepare("PRAGMA data_version").pluck();
    this.#seen = this.#read();
  }

  #read(): number {
    return this.#version.get() as number;
  }

  /** Records that this connection committed a change a watcher should see. */
  noteOwnWrite(): void {
    this.#ownWrite = true;
  }

  /**
   * Resolves `true` once the store changed after the state last seen (then seen), or `false`
   * as soon as `signal` aborts; rejects when the store cannot be read (closed, removed).
   */
  wait(signal: AbortSignal, pollMs = changePollMs): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (changed: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(changed);
      };
      const onAbort = () => finish(false);
      const check = () => {
        if (signal.aborted) return finish(false);
        let version: number;
        try {
          version = this.#read();
        } catch (error) {
          signal.removeEventListener("abort", onAbort);
          return reject(error instanceof Error ? error : new Error(String(error)));
        }
        if (version !== this.#seen || this.#ownWrite) {
          this.#seen = version;
          this.#ownWrite = false;
          return finish(true);
        }
        timer = setTimeout(check, pollMs);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      check();
    });
  }
}
