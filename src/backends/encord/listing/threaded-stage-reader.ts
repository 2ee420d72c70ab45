import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { BackOff, RequestOutcome, StageReader, TaskPage } from "../../backend.js";
import type { FromReader, ReaderThreadData, ToReader } from "./reader-messages.js";

/** Pages read ahead of the pass at most: a few batches' worth of task references, a few MB at most. */
const pagesAhead = 64;

/**
 * The thread is started only once this many tasks have been read here and more pages follow.
 * Starting it costs 50–130 ms of CPU (measured on a 2-core machine), which a short listing would
 * spend for nothing and take from the handlers and from whatever else shares the cores (a stage
 * of 60 tasks in pages of 7 was handled in 138 ms instead of 192, docs/encord-requests.md).
 */
export const threadAfterTasks = 80;

const threadModule = new URL("./reader-thread.js", import.meta.url);

/** What a {@link ThreadedStageReader} needs from its backend. */
export interface ThreadedStageReaderInput {
  /** Starts the reader thread; absent: the stage is read on this thread only. */
  readonly thread: ReaderThreadData | undefined;
  /** Reads one page on this thread (the first pages, while the thread starts, and after a handback). */
  readonly readPage: (pageToken: string | undefined) => Promise<TaskPage>;
  /** Checks and converts a page the thread read, as `readPage` does its own. */
  readonly decodePage: (page: unknown) => TaskPage;
  readonly onRequest: (event: RequestOutcome) => void;
  readonly onBackOff: (event: BackOff) => void;
  readonly maxTasks: number;
  readonly signal: AbortSignal | undefined;
}

type Arrival = { readonly page: TaskPage } | { readonly error: unknown } | "handback";

/**
 * A stage's listing read on a thread of its own, so that the runner's handlers, which keep this
 * thread busy, never hold the next page back. The thread is started once the listing has shown
 * itself long ({@link threadAfterTasks} tasks read and more pages to come) and takes tens of
 * milliseconds to start: until it is ready the pages are read here, then it is handed the next
 * page's token.
 * Pages come out in order, each once. When the thread stops early (its task budget is spent,
 * a page failed, it died) the listing goes on here from the page it did not deliver, so errors
 * are met here exactly as without a thread.
 */
export class ThreadedStageReader implements StageReader {
  readonly #input: ThreadedStageReaderInput;
  #worker: Worker | undefined;
  readonly #arrivals: Arrival[] = [];
  #wake: (() => void) | undefined;
  #ready = false;
  #handedOver = false;
  /** The thread may not take the listing (again): it handed back, failed, or cannot be started. */
  #threadDone: boolean;
  #pageToken: string | undefined;
  #tasksRead = 0;
  #closed = false;
  readonly #onAbort = (): void => void this.close();

  constructor(input: ThreadedStageReaderInput) {
    this.#input = input;
    this.#threadDone = input.thread === undefined || input.maxTasks <= 0;
    input.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  async next(): Promise<TaskPage> {
    if (this.#closed) throw new Error("The stage reader is closed.");
    this.#input.signal?.throwIfAborted();
    if (!this.#handedOver && this.#ready && !this.#threadDone) this.#handOver();
    if (this.#handedOver) {
      const arrival = await this.#nextArrival();
      if (arrival !== "handback") {
        if ("error" in arrival) throw arrival.error;
        this.#post({ kind: "credit" });
        return this.#took(arrival.page);
      }
      this.#handedOver = false;
      this.#threadDone = true;
      if (this.#closed) throw this.#input.signal?.reason ?? new Error("The stage reader was closed while a page was awaited.");
      void this.#stopThread();
    }
    return this.#took(await this.#input.readPage(this.#pageToken));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.signal?.removeEventListener("abort", this.#onAbort);
    this.#arrive("handback");
    await this.#stopThread();
  }

  #took(page: TaskPage): TaskPage {
    this.#pageToken = page.nextPageToken ?? undefined;
    this.#tasksRead += page.tasks.length;
    const long = this.#tasksRead >= threadAfterTasks && page.nextPageToken !== null;
    if (this.#worker === undefined && !this.#threadDone && long) this.#startThread();
    return page;
  }

  #startThread(): void {
    const worker = startThread(this.#input.thread!);
    if (worker === undefined) {
      this.#threadDone = true;
      return;
    }
    this.#worker = worker;
    worker.on("message", (message: FromReader) => this.#receive(message));
    // A thread that cannot start or dies leaves the listing to this thread.
    worker.on("error", () => this.#arrive("handback"));
    worker.on("exit", () => this.#arrive("handback"));
  }

  #handOver(): void {
    this.#handedOver = true;
    this.#post({ kind: "start", pageToken: this.#pageToken, credit: pagesAhead, maxTasks: this.#input.maxTasks - this.#tasksRead });
  }

  #receive(message: FromReader): void {
    switch (message.kind) {
      case "ready":
        this.#ready = true;
        return;
      case "page":
        try {
          this.#arrive({ page: this.#input.decodePage(message.page) });
        } catch (error) {
          this.#arrive({ error });
        }
        return;
      case "handback":
        this.#arrive("handback");
        return;
      case "request":
        this.#input.onRequest(message.event);
        return;
      case "back-off":
        this.#input.onBackOff(message.event);
    }
  }

  #arrive(arrival: Arrival): void {
    if (arrival === "handback") {
      if (this.#threadDone) return;
      this.#threadDone = true;
      // A thread that never took the listing has nothing to hand back.
      if (!this.#handedOver) return;
    }
    this.#arrivals.push(arrival);
    this.#wake?.();
  }

  async #nextArrival(): Promise<Arrival> {
    while (this.#arrivals.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
    return this.#arrivals.shift()!;
  }

  #post(message: ToReader): void {
    this.#worker?.postMessage(message);
  }

  async #stopThread(): Promise<void> {
    if (this.#worker === undefined) return;
    this.#post({ kind: "stop" });
    await this.#worker.terminate();
  }
}

/** The reader thread, or undefined where its module is not there (the sources run by a test runner). */
function startThread(data: ReaderThreadData): Worker | undefined {
  if (!existsSync(fileURLToPath(threadModule))) return undefined;
  const worker = new Worker(threadModule, { workerData: data, stdout: false, stderr: true });
  // Its output is not the user's: a thread that fails hands the listing back instead.
  worker.stderr.resume();
  return worker;
}
