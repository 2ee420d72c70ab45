/** A FIFO of pending promises that leave the queue and reject with `signal.reason` on abort. */
export class WaiterQueue<T> {
  readonly #waiters: { resolve: (value: T) => void; reject: (reason: unknown) => void; detach: () => void }[] = [];

  get length(): number {
    return this.#waiters.length;
  }

  /** Queues a waiter; it settles through {@link resolveNext}/{@link rejectAll} or its signal. */
  wait(signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal?.reason as Error);
      };
      const waiter = { resolve, reject, detach: () => signal?.removeEventListener("abort", onAbort) };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Resolves the oldest waiter with `value`; false when none is waiting. */
  resolveNext(value: T): boolean {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) return false;
    waiter.detach();
    waiter.resolve(value);
    return true;
  }

  /** Rejects every waiter with `reason`. */
  rejectAll(reason: unknown): void {
    for (const waiter of this.#waiters.splice(0)) {
      waiter.detach();
      waiter.reject(reason);
    }
  }
}
