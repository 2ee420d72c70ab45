import { createHash, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, test } from "vitest";
import { EncordApiError, EncordHttpClient, type EncordHttpClientOptions } from "../../../src/backends/encord/http/index.js";
import { withoutNulls } from "../../../src/backends/encord/http/without-nulls.js";
import { pythonJsonDumps } from "../../../src/backends/encord/python-wire.js";
import { BearerToken, type EncordSettings } from "../../../src/backends/encord/settings.js";
import { ed25519KeyFromSeed } from "../../../src/backends/encord/ssh-key.js";
import { packageInfo } from "../../../src/shared/package-info.js";
import { deferred, type Deferred } from "../../support/deferred.js";

// ---------------------------------------------------------------------------------------------
// A tiny Encord stand-in that records raw requests

interface Recorded {
  readonly method: string;
  /** The request target exactly as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

type Handler = (request: Recorded, response: ServerResponse, index: number) => void | Promise<void>;

interface FakeServer {
  readonly origin: string;
  readonly requests: Recorded[];
  /** Requests currently being handled, and the most there ever were. */
  readonly concurrency: { now: number; max: number };
  close(): Promise<void>;
}

const servers: FakeServer[] = [];
const clients: EncordHttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(handler: Handler): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const concurrency = { now: 0, max: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: Recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      const index = requests.push(recorded) - 1;
      concurrency.now += 1;
      concurrency.max = Math.max(concurrency.max, concurrency.now);
      const done = (): void => {
        concurrency.now -= 1;
      };
      res.once("close", done);
      void Promise.resolve(handler(recorded, res, index)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeServer = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    concurrency,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

// ---------------------------------------------------------------------------------------------
// Client set-up

const seed = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");
const key = ed25519KeyFromSeed(seed);
const token = "bearer-token-s3cr3t-value";

function sshSettings(domain: string): EncordSettings {
  return { credentials: { kind: "ssh", key }, domain, warnings: [] };
}

/** A sleep that records what it was asked to wait and returns at once. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

function makeClient(domain: string, options: Partial<EncordHttpClientOptions> = {}): EncordHttpClient {
  const client = new EncordHttpClient({ settings: sshSettings(domain), sleep: async () => {}, ...options });
  clients.push(client);
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<EncordApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EncordApiError);
    return error as EncordApiError;
  }
  throw new Error("expected a rejection");
}

async function until(condition: () => boolean, what = "condition"): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

// ---------------------------------------------------------------------------------------------
// Checking a request the way Encord does

function headerText(request: Recorded, name: string): string {
  const value = request.headers[name];
  if (typeof value !== "string") throw new Error(`missing header ${name}`);
  return value;
}

/**
 * Rebuilds the v2 signature base from the received `Signature-Input` with the raw `req.url` as
 * `@request-target` and verifies it: passes only if what was signed is what went on the wire.
 */
function verifyV2Request(request: Recorded): { created: number; keyId: string } {
  const digest = `sha-256=:${createHash("sha256").update(request.body).digest("base64")}:`;
  expect(headerText(request, "content-digest")).toBe(digest);
  const input = headerText(request, "signature-input");
  expect(input).toMatch(/^encord-sig=\("@method" "@request-target" "content-digest"\);created=\d+;keyid="[0-9a-f]{64}";alg="ed25519"$/);
  const params = input.slice("encord-sig=".length);
  const base = [`"@method": ${request.method}`, `"@request-target": ${request.url}`, `"content-digest": ${digest}`, `"@signature-params": ${params}`].join(
    "\n",
  );
  const signature = /^encord-sig=:([A-Za-z0-9+/=]+):$/.exec(headerText(request, "signature"))?.[1] ?? "";
  expect(verify(null, Buffer.from(base, "utf8"), key.verifyKey, Buffer.from(signature, "base64"))).toBe(true);
  expect(request.headers.authorization).toBeUndefined();
  return { created: Number(/;created=(\d+);/.exec(params)?.[1]), keyId: /keyid="([0-9a-f]+)"/.exec(params)?.[1] ?? "" };
}

function verifyV1Request(request: Recorded): void {
  const [keyId = "", signatureHex = ""] = headerText(request, "authorization").split(":");
  expect(keyId).toBe(key.publicKeyHex);
  const digest = createHash("sha256").update(request.body).digest();
  expect(verify(null, digest, key.verifyKey, Buffer.from(signatureHex, "hex"))).toBe(true);
}

// ---------------------------------------------------------------------------------------------

describe("v2 requests on the wire", () => {
  test("URL building: leading and trailing slashes, path '/', a domain with a trailing slash or a path", async () => {
    const server = await startServer((_req, res) => json(res, 200, { ok: true }));
    const client = makeClient(`${server.origin}/`);
    await client.v2("GET", "projects/p1");
    await client.v2("GET", "/projects/p1/");
    await client.v2("GET", "/");
    await client.v2("GET", "projects/p1/", { query: { a: "1" } });
    const withPath = makeClient(`${server.origin}/api/`);
    await withPath.v2("GET", "/projects/p1");
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v2/public/projects/p1",
      "/v2/public/projects/p1",
      "/v2/public",
      "/v2/public/projects/p1?a=1",
      "/api/v2/public/projects/p1",
    ]);
    server.requests.forEach(verifyV2Request);
  });

  test("the query on the wire is the query that was signed (Python requests encoding)", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const client = makeClient(server.origin);
    await client.v2("GET", "projects/p/tasks", {
      query: { pageToken: "tok/+=", statuses: ["NEW", "ASSIGNED"], dataTitleContains: "a b", signUrl: true, skipped: null, gone: undefined, title: "é&x" },
    });
    const [request] = server.requests;
    expect(request?.url).toBe(
      "/v2/public/projects/p/tasks?pageToken=tok%2F%2B%3D&statuses=NEW&statuses=ASSIGNED&dataTitleContains=a+b&signUrl=True&title=%C3%A9%26x",
    );
    verifyV2Request(request!);
  });

  test("matches the protocol notes' signature vector A byte for byte", async () => {
    const server = await startServer((_req, res) => json(res, 200, { results: [] }));
    const client = makeClient(server.origin, { now: () => 1_700_000_030_000 });
    await client.v2("GET", "projects/00000000-0000-0000-0000-0000000000aa/workflow/stages/00000000-0000-0000-0000-0000000000bb/tasks", {
      query: { pageToken: "tok/+=", statuses: ["NEW", "ASSIGNED"], dataTitleContains: "a b" },
    });
    const [request] = server.requests;
    expect(request?.headers["content-digest"]).toBe("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
    expect(request?.headers["signature-input"]).toBe(
      'encord-sig=("@method" "@request-target" ' +
        '"content-digest");created=1700000000;keyid="03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";alg="ed25519"',
    );
    expect(request?.headers.signature).toBe("encord-sig=:bqZcXKOVzmFl3CxPcOw4ZZx/DmmGhkTQL9GqrkxZE/FbnckWe4cfnAgMF5U2uOb+aY6tbrEdTozVhqhahFQKAQ==:");
  });

  test("the body is pythonJsonDumps of the value without null fields, and is what was signed", async () => {
    const server = await startServer((_req, res) => json(res, 200, { done: 1 }));
    const client = makeClient(server.origin);
    const value = { itemUuids: ["u1"], signUrls: false, skip: null, nested: { gone: undefined, title: "é", inner: { drop: null, keep: 0 } }, list: [null, 1] };
    const result = await client.v2<{ done: number }>("POST", "storage/items/get-bulk", { body: value });
    expect(result).toEqual({ done: 1 });
    const [request] = server.requests;
    expect(request?.body.toString("utf8")).toBe(pythonJsonDumps(withoutNulls(value)));
    expect(request?.body.toString("utf8")).toBe(
      '{"itemUuids": ["u1"], "signUrls": false, "nested": {"title": "\\u00e9", "inner": {"keep": 0}}, "list": [null, 1]}',
    );
    expect(request?.headers["content-type"]).toBe("application/json");
    verifyV2Request(request!);
  });

  test("headers: User-Agent, X-Cloud-Trace-Context; one trace id per call", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const client = makeClient(server.origin);
    await client.v2("GET", "a");
    await client.v2("GET", "b");
    const [first, second] = server.requests;
    expect(first?.headers["user-agent"]).toBe(`task-agents/${packageInfo.version} node/${process.versions.node}`);
    expect(first?.headers["x-cloud-trace-context"]).toMatch(/^[0-9a-f]{32}\/1;o=1$/);
    expect(second?.headers["x-cloud-trace-context"]).not.toBe(first?.headers["x-cloud-trace-context"]);
    const custom = makeClient(server.origin, { userAgent: "my-app/1.0" });
    await custom.v2("GET", "c");
    expect(server.requests[2]?.headers["user-agent"]).toBe("my-app/1.0");
  });

  test("bearer credentials send Authorization: Bearer and no signature", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const client = new EncordHttpClient({ settings: { credentials: { kind: "bearer", token: new BearerToken(token) }, domain: server.origin, warnings: [] } });
    clients.push(client);
    await client.v2("GET", "x");
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(server.requests[0]?.headers.signature).toBeUndefined();
  });
});

describe("v2 responses", () => {
  test("pages: follows nextPageToken (and next_page_token) over 3 pages", async () => {
    const server = await startServer((req, res) => {
      const token = new URL(req.url, "http://x").searchParams.get("pageToken");
      if (token === null) json(res, 200, { results: [1, 2], nextPageToken: "t 1" });
      else if (token === "t 1") json(res, 200, { results: [3], next_page_token: "t2" });
      else json(res, 200, { results: [4], nextPageToken: null });
    });
    const client = makeClient(server.origin);
    const pages: number[][] = [];
    for await (const page of client.v2Pages<number>("projects/p/tasks", { statuses: ["NEW"] })) pages.push(page);
    expect(pages).toEqual([[1, 2], [3], [4]]);
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v2/public/projects/p/tasks?statuses=NEW",
      "/v2/public/projects/p/tasks?statuses=NEW&pageToken=t+1",
      "/v2/public/projects/p/tasks?statuses=NEW&pageToken=t2",
    ]);
    server.requests.forEach(verifyV2Request);
  });

  test("204 → null; an empty 200 → null; 200 with invalid JSON → TA_ENCORD_TRANSPORT", async () => {
    const server = await startServer((req, res) => {
      if (req.url.endsWith("/none")) {
        res.writeHead(204);
        res.end();
      } else if (req.url.endsWith("/empty")) res.end();
      else res.end("<html>not json");
    });
    const client = makeClient(server.origin);
    expect(await client.v2("POST", "none", { body: {} })).toBeNull();
    expect(await client.v2("GET", "empty")).toBeNull();
    const error = await rejection(client.v2("GET", "bad"));
    expect(error.code).toBe("TA_ENCORD_TRANSPORT");
    expect(error.message).toContain("not valid JSON");
  });

  test.each([
    [400, "TA_ENCORD_INVALID_REQUEST"],
    [401, "TA_ENCORD_AUTH"],
    [403, "TA_ENCORD_FORBIDDEN"],
    [404, "TA_ENCORD_NOT_FOUND"],
    [405, "TA_ENCORD_INVALID_REQUEST"],
    [413, "TA_ENCORD_INVALID_REQUEST"],
    [422, "TA_ENCORD_INVALID_REQUEST"],
    [429, "TA_ENCORD_RATE_LIMITED"],
    [500, "TA_ENCORD_SERVER"],
    [502, "TA_ENCORD_SERVER"],
    [503, "TA_ENCORD_SERVER"],
    [418, "TA_ENCORD_SERVER"],
  ] as const)("HTTP %i → %s, with the server's message, the endpoint and the domain", async (status, code) => {
    const server = await startServer((_req, res) => json(res, status, { message: `server says ${status}` }));
    const client = makeClient(server.origin);
    const error = await rejection(client.v2("GET", "projects/0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b", { query: { signUrl: true } }));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.endpoint).toBe("GET /v2/public/projects/0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b");
    expect(error.domain).toBe(server.origin);
    expect(error.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(error.message).toContain(`server says ${status}`);
    expect(error.message).toContain(server.origin);
    expect(error.message).toContain(error.traceId);
    expect(error.message).not.toContain("signUrl");
    expect(error.retryable).toBe(["TA_ENCORD_RATE_LIMITED", "TA_ENCORD_SERVER"].includes(code));
  });

  test("messages say what to do: 401 key registration, 403 access, 404 what was not found", async () => {
    const server = await startServer((req, res) => json(res, Number(req.url.split("/")[3]), { detail: "nope" }));
    const client = makeClient(server.origin);
    const auth = await rejection(client.v2("GET", "401/projects/0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b"));
    expect(auth.message).toContain("Check that the SSH key is registered in your Encord account (Settings → Public keys) and ENCORD_DOMAIN is right");
    expect(auth.message).toContain("nope");
    const forbidden = await rejection(client.v2("GET", "403/projects/0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b"));
    expect(forbidden.message).toContain("the key's user has no access to this project");
    const missing = await rejection(
      client.v2("GET", "404/projects/0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b/workflow/stages/9a7e0000-0000-4000-8000-000000000001/tasks"),
    );
    expect(missing.message).toContain(
      'Encord found no workflow stage "9a7e0000-0000-4000-8000-000000000001" of project "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b"',
    );
  });
});

describe("v1 requests", () => {
  const envelopeOf = (request: Recorded): unknown => JSON.parse(request.body.toString("utf8"));

  test("project scope: POST /public with ResourceType/ResourceID, the envelope as pythonJsonDumps, v1 signature", async () => {
    const server = await startServer((_req, res) => json(res, 200, { status: 200, response: [{ label_hash: "l1" }] }));
    const client = makeClient(`${server.origin}/`);
    const rows = await client.v1<{ label_hash: string }[]>(
      { projectHash: "p-1" },
      "labelrow",
      "GET",
      ["l1"],
      { get_signed_url: false, include_reviews: null },
      { retryable: true },
    );
    expect(rows).toEqual([{ label_hash: "l1" }]);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/public");
    expect(request?.headers.resourcetype).toBe("project");
    expect(request?.headers.resourceid).toBe("p-1");
    expect(request?.headers.accept).toBe("application/json");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["accept-encoding"]).toBe("gzip");
    expect(request?.headers["user-agent"]).toMatch(/^task-agents\//);
    expect(request?.headers["x-cloud-trace-context"]).toMatch(/^[0-9a-f]{32}\/1;o=1$/);
    expect(request?.body.toString("utf8")).toBe(
      pythonJsonDumps({ query_type: "labelrow", query_method: "GET", values: { uid: ["l1"], payload: { get_signed_url: false, include_reviews: null } } }),
    );
    expect(request?.body.toString("utf8")).toBe(
      '{"query_type": "labelrow", "query_method": "GET", "values": {"uid": ["l1"], "payload": {"get_signed_url": false, "include_reviews": null}}}',
    );
    verifyV1Request(request!);
  });

  test("user scope: POST /public/user with empty ResourceType/ResourceID; a null uid is sent as null", async () => {
    const server = await startServer((_req, res) => json(res, 200, { status: 200, response: { ok: 1 } }));
    const client = makeClient(server.origin);
    await client.v1("user", "projectwithuserrole", "GET", undefined, null);
    const [request] = server.requests;
    expect(request?.url).toBe("/public/user");
    expect(request?.headers.resourcetype).toBe("");
    expect(request?.headers.resourceid).toBe("");
    expect(envelopeOf(request!)).toEqual({ query_type: "projectwithuserrole", query_method: "GET", values: { uid: null, payload: null } });
    verifyV1Request(request!);
  });

  test("a gzip response is decompressed", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      res.end(gzipSync(Buffer.from(JSON.stringify({ status: 200, response: [{ big: "x".repeat(10_000) }] }))));
    });
    const client = makeClient(server.origin);
    const rows = await client.v1<{ big: string }[]>({ projectHash: "p" }, "labelrow", "GET", ["l"], {}, { retryable: true });
    expect(rows[0]?.big).toHaveLength(10_000);
  });

  test("the SSH_KEY_NOT_FOUND_ERROR fixture (§3.2) → TA_ENCORD_AUTH with the payload, advice and domain", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        '{"status":400,"response":["SSH_KEY_NOT_FOUND_ERROR"],"payload":"Your used SSH key does not exist. Please add this SSH key to your user profile."}',
      );
    });
    const client = makeClient(server.origin);
    const error = await rejection(client.v1({ projectHash: "p" }, "labelrowmetadata", "GET", null, {}, { retryable: true }));
    expect(error.code).toBe("TA_ENCORD_AUTH");
    expect(error.encordCode).toBe("SSH_KEY_NOT_FOUND_ERROR");
    expect(error.status).toBe(400);
    expect(error.endpoint).toBe("POST /public (labelrowmetadata GET)");
    expect(error.message).toContain("Your used SSH key does not exist");
    expect(error.message).toContain("Settings → Public keys");
    expect(error.message).toContain(server.origin);
    expect(server.requests).toHaveLength(1);
  });

  test.each([
    ["AUTHENTICATION_ERROR", "TA_ENCORD_AUTH"],
    ["AUTHORISATION_ERROR", "TA_ENCORD_FORBIDDEN"],
    ["RESOURCE_NOT_FOUND_ERROR", "TA_ENCORD_NOT_FOUND"],
    ["INVALID_ARGUMENTS_ERROR", "TA_ENCORD_INVALID_REQUEST"],
    ["CORRUPTED_LABEL_ERROR", "TA_ENCORD_INVALID_REQUEST"],
    ["MULTI_LABEL_LIMIT_ERROR", "TA_ENCORD_INVALID_REQUEST"],
    ["WRONG_PROJECT_TYPE_ERROR", "TA_ENCORD_INVALID_REQUEST"],
    ["UNKNOWN_ERROR", "TA_ENCORD_SERVER"],
    ["SOMETHING_NEW_ERROR", "TA_ENCORD_SERVER"],
  ] as const)("envelope code %s → %s", async (encordCode, code) => {
    const payload = encordCode === "MULTI_LABEL_LIMIT_ERROR" ? { maximum_labels_allowed: 50 } : `details of ${encordCode}`;
    const server = await startServer((_req, res) => json(res, 200, { status: 400, response: [encordCode], payload }));
    const client = makeClient(server.origin);
    const error = await rejection(client.v1({ projectHash: "p" }, "labelrow", "POST", ["l"], {}, { retryable: true }));
    expect(error.code).toBe(code);
    expect(error.encordCode).toBe(encordCode);
    expect(error.message).toContain(encordCode === "MULTI_LABEL_LIMIT_ERROR" ? "at most 50" : `details of ${encordCode}`);
    expect(error.message).toContain(server.origin);
  });

  test("a null response fails: not found for getters, a server error for setters; a non-envelope 502 maps by status", async () => {
    let mode = "null";
    const server = await startServer((_req, res) => {
      if (mode === "null") json(res, 200, { status: 200, response: null });
      else {
        res.writeHead(502, { "Content-Type": "text/html" });
        res.end("<html>Bad gateway</html>");
      }
    });
    const client = makeClient(server.origin);
    expect((await rejection(client.v1({ projectHash: "p" }, "labelrow", "GET", ["l"], {}))).code).toBe("TA_ENCORD_NOT_FOUND");
    expect((await rejection(client.v1({ projectHash: "p" }, "labelrow", "POST", ["l"], {}))).code).toBe("TA_ENCORD_SERVER");
    mode = "502";
    const gateway = await rejection(client.v1({ projectHash: "p" }, "labelrow", "POST", ["l"], {}));
    expect(gateway.code).toBe("TA_ENCORD_SERVER");
    expect(gateway.status).toBe(502);
  });
});

describe("retries", () => {
  test("429 without Retry-After: waits 0, 3, 6 s, re-signs each attempt, then succeeds", async () => {
    let now = 1_700_000_000_000;
    const waits: number[] = [];
    const server = await startServer((_req, res, i) => (i < 3 ? json(res, 429, { message: "slow down" }) : json(res, 200, { ok: true })));
    const client = makeClient(server.origin, {
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    expect(await client.v2("GET", "x")).toEqual({ ok: true });
    expect(waits).toEqual([0, 3000, 6000]);
    expect(server.requests).toHaveLength(4);
    const created = server.requests.map((r) => verifyV2Request(r).created);
    expect(created).toEqual([1_699_999_970, 1_699_999_970, 1_699_999_973, 1_699_999_979]);
    // Ed25519 is deterministic: only the two immediate attempts share a `created`, hence a signature.
    expect(new Set(server.requests.map((r) => r.headers.signature)).size).toBe(3);
    expect(client.stats.requests).toBe(4);
    expect(client.stats.retries).toBe(3);
    expect(client.stats.byEndpoint.get("GET /v2/public/x")).toBe(4);
  });

  test("Retry-After (seconds or HTTP date) is honoured when longer than the backoff; 429 after the last retry → TA_ENCORD_RATE_LIMITED", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const server = await startServer((_req, res, i) => {
      const retryAfter = i === 0 ? "10" : i === 1 ? "1" : new Date(now + 20_000).toUTCString();
      json(res, 429, { message: "rate limited" }, { "Retry-After": retryAfter });
    });
    const { waits, sleep } = recordingSleep();
    const client = makeClient(server.origin, { now: () => now, sleep });
    const error = await rejection(client.v2("POST", "x", { body: {} }));
    // retry 1: max(0, 10 s); retry 2: max(3 s, 1 s); retry 3: max(6 s, 20 s)
    expect(waits).toEqual([10_000, 3000, 20_000]);
    expect(error.code).toBe("TA_ENCORD_RATE_LIMITED");
    expect(error.retryAfterMs).toBe(20_000);
    expect(error.message).toContain("after 3 retries");
    expect(server.requests).toHaveLength(4);
  });

  test("Retry-After is capped at backoffMaxMs and ignored on 500", async () => {
    const server = await startServer((_req, res, i) => json(res, i === 0 ? 503 : 500, {}, { "Retry-After": "3600" }));
    const { waits, sleep } = recordingSleep();
    const client = makeClient(server.origin, { sleep, backoffMaxMs: 5000, maxRetries: 2 });
    expect((await rejection(client.v2("PUT", "x", { body: {} }))).code).toBe("TA_ENCORD_SERVER");
    expect(waits).toEqual([5000, 3000]);
  });

  test("PATCH and DELETE are not retried; allowRetries: false turns retries off", async () => {
    const server = await startServer((_req, res) => json(res, 503, {}));
    const { waits, sleep } = recordingSleep();
    const client = makeClient(server.origin, { sleep });
    expect((await rejection(client.v2("PATCH", "x", { body: { a: 1 } }))).code).toBe("TA_ENCORD_SERVER");
    expect((await rejection(client.v2("DELETE", "x"))).code).toBe("TA_ENCORD_SERVER");
    expect((await rejection(client.v2("GET", "x", { allowRetries: false }))).code).toBe("TA_ENCORD_SERVER");
    expect(server.requests).toHaveLength(3);
    expect(waits).toEqual([]);
  });

  test("v1: retried only when retryable", async () => {
    const server = await startServer((_req, res, i) => (i <= 1 ? json(res, 500, {}) : json(res, 200, { status: 200, response: ["ok"] })));
    const client = makeClient(server.origin);
    expect((await rejection(client.v1({ projectHash: "p" }, "labelrow", "PUT", ["d"], {}, { retryable: false }))).code).toBe("TA_ENCORD_SERVER");
    expect(server.requests).toHaveLength(1);
    expect(await client.v1({ projectHash: "p" }, "labelrow", "GET", ["l"], {}, { retryable: true })).toEqual(["ok"]);
    expect(server.requests).toHaveLength(3);
    // The retry was signed afresh over the same body.
    verifyV1Request(server.requests[2]!);
  });

  test("a destroyed socket is a transport error: retried for GET, not for PATCH", async () => {
    const server = await startServer((req, res, i) => {
      if (i === 0 || req.method === "PATCH") res.socket?.destroy();
      else json(res, 200, { ok: 1 });
    });
    const client = makeClient(server.origin);
    expect(await client.v2("GET", "x")).toEqual({ ok: 1 });
    expect(client.stats.retries).toBe(1);
    const error = await rejection(client.v2("PATCH", "x", { body: {} }));
    expect(error.code).toBe("TA_ENCORD_TRANSPORT");
    expect(error.status).toBeUndefined();
    expect(server.requests).toHaveLength(3);
  });

  test("connection refused is retried for any method (nothing reached the server), then TA_ENCORD_TRANSPORT", async () => {
    const server = await startServer(() => {});
    const origin = server.origin;
    await server.close();
    const { waits, sleep } = recordingSleep();
    const client = makeClient(origin, { sleep });
    const error = await rejection(client.v2("PATCH", "x", { body: {} }));
    expect(error.code).toBe("TA_ENCORD_TRANSPORT");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain(origin);
    expect(waits).toEqual([0, 3000, 6000]);
    expect(client.stats.requests).toBe(4);
  });

  test("an attempt that exceeds timeoutMs is aborted and retried", async () => {
    const server = await startServer((_req, res, i) => {
      if (i > 0) json(res, 200, { late: false });
      // The first request is never answered.
    });
    const client = makeClient(server.origin, { timeoutMs: 150 });
    expect(await client.v2("GET", "x")).toEqual({ late: false });
    expect(server.requests).toHaveLength(2);

    const silent = await startServer(() => {});
    const once = makeClient(silent.origin, { timeoutMs: 100, maxRetries: 1 });
    const error = await rejection(once.v2("GET", "x"));
    expect(error.code).toBe("TA_ENCORD_TRANSPORT");
    expect(error.message).toContain("no complete response within 0.1 s");
    expect(silent.requests).toHaveLength(2);
  });
});

describe("concurrency and rate limits", () => {
  test("never more than maxInFlight requests at once; the rest queue and all complete", async () => {
    const held: Deferred<void>[] = [];
    const server = await startServer(async (_req, res) => {
      const gate = deferred();
      held.push(gate);
      await gate.promise;
      json(res, 200, { ok: true });
    });
    const client = makeClient(server.origin, { maxInFlight: 3, connections: 8 });
    const calls = Array.from({ length: 10 }, (_, i) => client.v2("GET", `x/${i}`));
    for (let released = 0; released < 10; released++) {
      await until(() => held.length > released, `request ${released + 1}`);
      expect(server.concurrency.now).toBeLessThanOrEqual(3);
      held[released]!.resolve();
    }
    await Promise.all(calls);
    expect(server.concurrency.max).toBe(3);
    expect(server.requests).toHaveLength(10);
  });

  test("the token bucket: a burst of requestsPerSecond, then one per 1/rate s (fake clock)", async () => {
    let now = 0;
    const sleeps: { ms: number; wake: Deferred<void> }[] = [];
    const server = await startServer((_req, res) => json(res, 200, {}));
    const client = makeClient(server.origin, {
      requestsPerSecond: 2,
      maxInFlight: 10,
      now: () => now,
      sleep: (ms) => {
        const wake = deferred();
        sleeps.push({ ms, wake });
        return wake.promise;
      },
    });
    const calls = Array.from({ length: 5 }, (_, i) => client.v2("GET", `x/${i}`));
    await until(() => server.requests.length === 2 && sleeps.length === 1, "the burst");
    for (let sent = 2; sent < 5; sent++) {
      const sleep = sleeps[sleeps.length - 1]!;
      expect(sleep.ms).toBe(500);
      expect(server.requests).toHaveLength(sent);
      now += sleep.ms;
      sleep.wake.resolve();
      await until(() => server.requests.length === sent + 1, `request ${sent + 1}`);
    }
    await Promise.all(calls);
    expect(sleeps.map((s) => s.ms)).toEqual([500, 500, 500]);
    // After a quiet second the bucket refilled: two go at once again.
    now += 1000;
    await Promise.all([client.v2("GET", "y/1"), client.v2("GET", "y/2")]);
    expect(sleeps).toHaveLength(3);
  });

  test("no fixed rate by default: 40 calls at once never wait for a token", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const { waits, sleep } = recordingSleep();
    const client = makeClient(server.origin, { sleep, now: () => 0 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.v2("GET", `x/${i}`)));
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(40);
  });

  test("a 429 burst halves the window down to 1; a window's worth of successes grows it by one, back to maxInFlight", async () => {
    const server = await startServer((_req, res, i) => (i < 4 ? json(res, 429, { message: "slow down" }, { "Retry-After": "0" }) : json(res, 200, {})));
    const backOffs: unknown[] = [];
    const client = makeClient(server.origin, { maxInFlight: 8, maxRetries: 4 });
    client.onBackOff((event) => backOffs.push(event));
    expect(client.window).toBe(8);
    await client.v2("GET", "x");
    expect(backOffs).toEqual(
      [8, 4, 2, 1].map((from) => ({ status: 429, endpoint: "GET /v2/public/x", retryAfterMs: 0, window: { from, to: Math.max(1, from / 2) } })),
    );
    // The success that ended the retries counts: at window 1, one success makes it 2.
    expect(client.window).toBe(2);
    expect(client.stats.throttled).toBe(4);
    const sizes: number[] = [];
    for (let i = 0; i < 40 && client.window < 8; i++) {
      await client.v2("GET", `y/${i}`);
      sizes.push(client.window);
    }
    // Additive increase: 2 successes to reach 3, 3 more to reach 4, … (2+3+4+5+6+7 = 27 calls).
    expect(sizes).toHaveLength(27);
    expect(new Set(sizes)).toEqual(new Set([2, 3, 4, 5, 6, 7, 8]));
    await client.v2("GET", "z");
    expect(client.window).toBe(8);
  });

  test("the shrunken window is enforced: after throttling, only that many requests are in flight", async () => {
    const held: Deferred<void>[] = [];
    const server = await startServer(async (req, res) => {
      if (req.url.endsWith("/throttle")) return json(res, 503, {}, { "Retry-After": "0" });
      const gate = deferred();
      held.push(gate);
      await gate.promise;
      json(res, 200, {});
    });
    const client = makeClient(server.origin, { maxInFlight: 8, maxRetries: 0 });
    // Two 503s: 8 → 4 → 2.
    for (let i = 0; i < 2; i++) await rejection(client.v2("GET", "throttle"));
    expect(client.window).toBe(2);
    const calls = Array.from({ length: 6 }, (_, i) => client.v2("GET", `x/${i}`));
    await until(() => held.length === 2, "two requests in flight");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.concurrency.now).toBe(2);
    for (let released = 0; released < 6; released++) {
      await until(() => held.length > released, `request ${released + 1}`);
      held[released]!.resolve();
    }
    await Promise.all(calls);
    expect(server.concurrency.max).toBeLessThanOrEqual(3);
  });

  test("500 and transport failures do not shrink the window; Retry-After of a 429 is honoured for its retry", async () => {
    const server = await startServer((_req, res, i) =>
      i === 0 ? json(res, 500, {}) : i === 1 ? json(res, 429, {}, { "Retry-After": "7" }) : json(res, 200, {}),
    );
    const { waits, sleep } = recordingSleep();
    const client = makeClient(server.origin, { sleep });
    await client.v2("GET", "x");
    // Retry 1 after the 500: immediate; retry 2 after the 429: max(3 s backoff, 7 s).
    expect(waits).toEqual([0, 7000]);
    expect(client.stats.throttled).toBe(1);
    expect(client.window).toBe(4);
  });

  test("aborting a call queued for a slot rejects with the abort reason and leaves the queue working", async () => {
    const first = deferred();
    const server = await startServer(async (req, res) => {
      if (req.url.endsWith("/first")) await first.promise;
      json(res, 200, { url: req.url });
    });
    const client = makeClient(server.origin, { maxInFlight: 1 });
    const running = client.v2("GET", "first");
    await until(() => server.requests.length === 1);
    const controller = new AbortController();
    const queued = client.v2("GET", "queued", { signal: controller.signal });
    const after = client.v2("GET", "after");
    const reason = new Error("stop it");
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    first.resolve();
    expect(await running).toEqual({ url: "/v2/public/first" });
    expect(await after).toEqual({ url: "/v2/public/after" });
    expect(server.requests.map((r) => r.url)).toEqual(["/v2/public/first", "/v2/public/after"]);
  });

  test("aborting a call waiting for a rate token, in flight, or in a retry backoff rejects with the reason", async () => {
    const server = await startServer(async (req, res) => {
      if (req.url.endsWith("/hang")) return;
      if (req.url.endsWith("/limited")) json(res, 429, {}, { "Retry-After": "60" });
      else json(res, 200, {});
    });
    const limited = makeClient(server.origin, { requestsPerSecond: 1, now: () => 0, sleep: () => new Promise<void>(() => {}) });
    await limited.v2("GET", "ok");
    const controller = new AbortController();
    const waiting = limited.v2("GET", "ok", { signal: controller.signal });
    controller.abort(new Error("token wait aborted"));
    await expect(waiting).rejects.toThrow("token wait aborted");

    // The real sleep: the 60 s Retry-After wait must end at the abort.
    const real = new EncordHttpClient({ settings: sshSettings(server.origin) });
    clients.push(real);
    const inFlight = new AbortController();
    const hanging = real.v2("GET", "hang", { signal: inFlight.signal });
    await until(() => server.requests.some((r) => r.url.endsWith("/hang")));
    inFlight.abort(new Error("in flight aborted"));
    await expect(hanging).rejects.toThrow("in flight aborted");

    const backoff = new AbortController();
    const retrying = real.v2("GET", "limited", { signal: backoff.signal });
    await until(() => server.requests.some((r) => r.url.endsWith("/limited")));
    backoff.abort(new Error("backoff aborted"));
    await expect(retrying).rejects.toThrow("backoff aborted");
  });

  test("close() is idempotent; calls after it fail with TA_ENCORD_TRANSPORT", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const client = makeClient(server.origin);
    await client.v2("GET", "x");
    await Promise.all([client.close(), client.close()]);
    expect((await rejection(client.v2("GET", "x"))).code).toBe("TA_ENCORD_TRANSPORT");
  });
});

describe("no secrets in error messages", () => {
  test("signatures, Authorization values, tokens and signed-URL queries never appear", async () => {
    const signedUrl = "https://storage.googleapis.com/bucket/file.jpg?X-Goog-Signature=deadbeefcafe&X-Goog-Credential=abc";
    const server = await startServer((req, res) => {
      const echo = `Authorization: ${String(req.headers.authorization)} signature=${String(req.headers.signature)} see ${signedUrl}`;
      if (req.url.startsWith("/public")) json(res, 200, { status: 400, response: ["AUTHENTICATION_ERROR"], payload: echo });
      else json(res, Number(req.url.split("/")[3]), { message: echo });
    });
    const ssh = makeClient(server.origin);
    const bearer = new EncordHttpClient({
      settings: { credentials: { kind: "bearer", token: new BearerToken(token) }, domain: server.origin, warnings: [] },
      sleep: async () => {},
    });
    clients.push(bearer);
    const errors: EncordApiError[] = [];
    for (const client of [ssh, bearer]) {
      for (const status of [400, 401, 403, 404, 429, 500])
        errors.push(await rejection(client.v2("GET", `${status}/x`, { query: { signUrl: true, token: "q" } })));
      errors.push(await rejection(client.v1({ projectHash: "p" }, "labelrow", "GET", ["l"], {})));
    }
    const secrets = new Set<string>([token, "X-Goog-Signature=deadbeefcafe", "deadbeefcafe"]);
    for (const request of server.requests) {
      for (const name of ["authorization", "signature"]) {
        const value = request.headers[name];
        if (typeof value === "string") {
          secrets.add(value);
          // The base64 or hex signature proper, without its prefix.
          secrets.add(value.replace(/^(encord-sig=:|Bearer |[0-9a-f]{64}:)/, "").replace(/:$/, ""));
        }
      }
    }
    expect(errors).toHaveLength(14);
    for (const error of errors) {
      for (const secret of secrets) expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain("signUrl");
      expect(error.message).toContain(server.origin);
      expect(JSON.stringify(error)).not.toContain(token);
    }
  });
});
