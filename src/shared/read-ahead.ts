/**
 * Pulls up to `depth` items from `source` before they are asked for, so a slow producer (a paged
 * listing) keeps working while the consumer is busy with what it already has (depth 0: each item
 * is pulled when it is asked for). Items come out in
 * order; an error comes out where it happened. `close()` stops reading ahead and waits for the
 * pulls in flight, ignoring how they end (nothing may run on after the consumer is done).
 */
export class ReadAhead<T> {
  readonly #source: AsyncIterator<T>;
  readonly #depth: number;
  readonly #pending: Promise<IteratorResult<T>>[] = [];
  #done = false;

  constructor(source: AsyncIterator<T>, depth: number) {
    this.#source = source;
    this.#depth = depth;
    this.#fill();
  }

  /** The next item, or `undefined` when the source is exhausted. */
  async next(): Promise<T | undefined> {
    if (this.#pending.length === 0) this.#fill(Math.max(1, this.#depth));
    const head = this.#pending.shift();
    if (head === undefined) return undefined;
    try {
      const result = await head;
      if (result.done === true) {
        this.#done = true;
        return undefined;
      }
      this.#fill();
      return result.value;
    } catch (error) {
      this.#done = true;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#done = true;
    await Promise.allSettled(this.#pending.splice(0));
    await this.#source.return?.();
  }

  #fill(depth = this.#depth): void {
    while (!this.#done && this.#pending.length < depth) {
      // An async generator queues these calls and answers them one after another.
      const pull = this.#source.next();
      // Observed when its turn comes, or settled by close().
      pull.catch(() => undefined);
      this.#pending.push(pull);
    }
  }
}
