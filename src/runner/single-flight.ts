/**
 * At most one job running and one pending per key. A call while a job runs joins the pending
 * follow-up (made by the first such call, shared by the rest), so a burst of calls for one key
 * costs two jobs at most: the one running, and one that starts after it and sees everything that
 * arrived meanwhile. Different keys run side by side.
 */
export class SingleFlight<T> {
  readonly #slots = new Map<string, { running: Promise<T>; pending: Promise<T> | undefined }>();

  /** Whether a job for `key` is running and whether a follow-up waits behind it. */
  state(key: string): { running: boolean; pending: boolean } {
    const slot = this.#slots.get(key);
    return { running: slot !== undefined, pending: slot?.pending !== undefined };
  }

  /** Keys with a job running now. */
  get keys(): string[] {
    return [...this.#slots.keys()];
  }

  /** Runs `job` now, or as the follow-up of the running one; resolves with the job it joined. */
  run(key: string, job: () => Promise<T>): Promise<T> {
    const slot = this.#slots.get(key);
    if (slot === undefined) return this.#start(key, job);
    slot.pending ??= slot.running.then(
      () => this.#promote(key, job),
      () => this.#promote(key, job),
    );
    return slot.pending;
  }

  /** Settles when every running and pending job has settled. */
  async idle(): Promise<void> {
    for (;;) {
      const slots = [...this.#slots.values()];
      if (slots.length === 0) return;
      await Promise.allSettled(slots.flatMap((s) => [s.running, ...(s.pending ? [s.pending] : [])]));
    }
  }

  #start(key: string, job: () => Promise<T>): Promise<T> {
    const running = Promise.resolve().then(job);
    const slot = { running, pending: undefined as Promise<T> | undefined };
    this.#slots.set(key, slot);
    const release = () => {
      // Only the slot this job made: a follow-up has replaced it by then when there was one.
      if (this.#slots.get(key) === slot && slot.pending === undefined) this.#slots.delete(key);
    };
    running.then(release, release);
    return running;
  }

  /** The follow-up becomes the running job of its key; new calls queue behind it. */
  #promote(key: string, job: () => Promise<T>): Promise<T> {
    this.#slots.delete(key);
    return this.#start(key, job);
  }
}
