/**
 * Shared pieces of the bad-input corpus (test/bad-input/*.test.ts): a logical digest of a local
 * store, the "nothing leaked" checks every case makes, and a tiny Encord look-alike that answers
 * with whatever a case wants (truncated JSON, wrong types…), which the fake Encord never sends.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { expect } from "vitest";

/** What a store holds, logically: a SHA-256 over every table's rows in a fixed order, and row counts (for readable diffs). */
export interface StoreDigest {
  readonly sha256: string;
  readonly rows: Record<string, number>;
}

/**
 * Digest of a store read through SQLite (read-only), not of the file's bytes: WAL frames and
 * checkpoints change the bytes without changing what the store holds.
 */
export function storeDigest(storePath: string): StoreDigest {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const hash = createHash("sha256");
    const schema = db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").raw().all();
    hash.update(JSON.stringify(schema));
    hash.update(`user_version=${String(db.pragma("user_version", { simple: true }))}`);
    const rows: Record<string, number> = {};
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    for (const table of tables) {
      const columns = db.prepare(`SELECT COUNT(*) FROM pragma_table_info(?)`).pluck().get(table) as number;
      const order = Array.from({ length: columns }, (_, i) => String(i + 1)).join(", ");
      const all = db
        .prepare(`SELECT * FROM "${table.replaceAll('"', '""')}" ORDER BY ${order}`)
        .raw()
        .all();
      rows[table] = all.length;
      hash.update(`\n${table}\n`);
      for (const row of all) hash.update(JSON.stringify(row, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)) + "\n");
    }
    return { sha256: hash.digest("hex"), rows };
  } finally {
    db.close();
  }
}

/** The files in a folder whose names start with the store's file name (the store, its -wal and -shm). */
export function storeFiles(dir: string, name = "store.db"): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(name)) : [];
}

/** Texts that must never appear in any output: key files, their base64 lines, passphrases, tokens. */
export const secrets: string[] = [];

/** Registers a secret, and every line of it long enough to be recognisable. */
export function addSecret(text: string): void {
  secrets.push(text.trim());
  for (const line of text.split("\n")) if (line.trim().length >= 20 && !line.startsWith("-----")) secrets.push(line.trim());
}

/**
 * What every case asserts about what the user sees: no stack trace (a user error is one
 * message, not a crash) and no key material.
 */
export function expectCleanMessage(text: string): void {
  expect(text).not.toMatch(/^\s+at .+[:(]/m);
  expect(text).not.toMatch(/unexpected failure/);
  expect(text).not.toMatch(/PRIVATE KEY-----\s*(\\n|\n)\s*[A-Za-z0-9+/=]{16}/);
  expect(text).not.toMatch(/b3BlbnNzaC1rZXktdjE/); // base64 of "openssh-key-v1": the body of a private key
  expect(text).not.toMatch(/encord-sig=|\b(authorization|signature)["']?\s*[:=]\s*(?!\[removed\])\S/i);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** One request the stub server received. */
export interface StubRequest {
  readonly method: string;
  readonly path: string;
  /** `project`, `ontology`, `tasks`, `v1 <query_type> <query_method>`, or `other`. */
  readonly route: string;
}

/** An answer of the stub server. */
export interface StubAnswer {
  readonly status?: number;
  readonly body: string;
  readonly contentType?: string;
}

/** A routes → answer table; routes not in it answer 404 like Encord. */
export type StubAnswers = Record<string, StubAnswer>;

/**
 * An HTTP server on 127.0.0.1 that answers the Encord endpoints a run uses with canned bodies.
 * It ignores signatures: what is under test is the client's handling of the answers.
 */
export interface StubEncord {
  readonly url: string;
  readonly requests: StubRequest[];
  /** Answers for the next requests; replaced by each case. */
  answers: StubAnswers;
  close(): Promise<void>;
}

function routeOf(method: string, path: string, body: string): string {
  if (/^\/v2\/public\/projects\/[^/]+$/.test(path)) return "project";
  if (/^\/v2\/public\/ontologies\/[^/]+$/.test(path)) return "ontology";
  if (/^\/v2\/public\/projects\/[^/]+\/workflow\/stages\/[^/]+\/tasks$/.test(path)) return "tasks";
  if (path === "/public" && method === "POST") {
    try {
      const envelope = JSON.parse(body) as { query_type?: unknown; query_method?: unknown };
      return `v1 ${String(envelope.query_type)} ${String(envelope.query_method)}`;
    } catch {
      return "v1 ?";
    }
  }
  return "other";
}

async function readBody(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += String(chunk);
  return text;
}

export async function startStubEncord(): Promise<StubEncord> {
  const requests: StubRequest[] = [];
  const stub = { answers: {} as StubAnswers };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const method = request.method ?? "GET";
      const path = (request.url ?? "/").split("?")[0]!;
      const route = routeOf(method, path, body);
      requests.push({ method, path, route });
      const answer = stub.answers[route];
      if (answer === undefined) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: `No route for ${method} ${path}.` }));
        return;
      }
      response.writeHead(answer.status ?? 200, { "content-type": answer.contentType ?? "application/json" });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get answers() {
      return stub.answers;
    },
    set answers(value: StubAnswers) {
      stub.answers = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Requests that would change something on Encord: saves, label-row creation, actions, priorities, patches. */
export function stateChanging(requests: readonly StubRequest[]): StubRequest[] {
  return requests.filter(
    (r) =>
      r.method === "PATCH" ||
      r.method === "PUT" ||
      r.method === "DELETE" ||
      r.route === "v1 labelrow POST" ||
      r.route === "v1 labelrow PUT" ||
      (r.method === "POST" && r.path.startsWith("/v2/") && !r.path.endsWith("/get-bulk")),
  );
}
