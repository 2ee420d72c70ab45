/**
 * The stage reader's thread: pages through one stage's task listing with a client of its own and
 * posts each page to the runner's thread as soon as it arrives, at most `credit` pages ahead of
 * what the runner took. Its event loop does nothing else, so the listing keeps going at the
 * server's pace while the runner's thread is busy with handlers (docs/encord-requests.md).
 */
import { parentPort, workerData } from "node:worker_threads";
import { EncordHttpClient } from "../http/encord-http-client.js";
import { BearerToken, type EncordSettings } from "../settings.js";
import { ed25519KeyFromKeyObject } from "../ssh-key.js";
import type { FromReader, ReaderThreadData, ToReader } from "./reader-messages.js";

const port = parentPort!;
const data = workerData as ReaderThreadData;
const post = (message: FromReader): void => port.postMessage(message);

const settings: EncordSettings = {
  domain: data.domain,
  credentials:
    data.credentials.kind === "ssh"
      ? { kind: "ssh", key: ed25519KeyFromKeyObject(data.credentials.privateKey) }
      : { kind: "bearer", token: new BearerToken(data.credentials.token) },
  warnings: [],
};
// One request at a time: a listing is a chain of pages.
const client = new EncordHttpClient({ ...data.client, settings, maxInFlight: 1, connections: 1 });
client.onRequest((event) => post({ kind: "request", event }));
client.onBackOff((event) => post({ kind: "back-off", event }));

const stopping = new AbortController();
let credit = 0;
let tasksLeft = Number.POSITIVE_INFINITY;
let creditArrived: (() => void) | undefined;

port.on("message", (message: ToReader) => {
  if (message.kind === "start") {
    credit = message.credit;
    tasksLeft = message.maxTasks;
    void read(message.pageToken);
  } else if (message.kind === "credit") {
    credit += 1;
    creditArrived?.();
  } else {
    stopping.abort();
    creditArrived?.();
    port.close();
  }
});
post({ kind: "ready" });

async function read(firstToken: string | undefined): Promise<void> {
  let pageToken = firstToken;
  try {
    for (;;) {
      while (credit <= 0 && !stopping.signal.aborted) await new Promise<void>((resolve) => (creditArrived = resolve));
      if (stopping.signal.aborted) return;
      if (tasksLeft <= 0) break;
      const page = await client.v2<unknown>("GET", data.path, { query: { pageToken }, signal: stopping.signal });
      credit -= 1;
      post({ kind: "page", page });
      const results = isRecord(page) && Array.isArray(page["results"]) ? page["results"] : [];
      tasksLeft -= results.length;
      const next = isRecord(page) ? page["nextPageToken"] : undefined;
      // The last page, or one the runner's thread will refuse when it checks it.
      if (typeof next !== "string" || next === "") return;
      pageToken = next;
    }
  } catch {
    if (stopping.signal.aborted) return;
  } finally {
    await client.close();
  }
  // Past maxTasks, or reading the next page failed: the runner's thread reads it itself.
  post({ kind: "handback" });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
