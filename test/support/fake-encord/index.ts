/**
 * A fake Encord server for tests: plain `node:http` on 127.0.0.1 (port 0), speaking Encord's wire
 * formats as docs/encord-protocol.md describes them, and verifying every request's signature the
 * way the real service does (see ./verify.ts). No fetch mocking: point a client's ENCORD_DOMAIN at
 * `fake.url`.
 *
 * ```ts
 * const fake = await startFakeEncord({ publicKeys: [hex], bearerTokens: ["t"], seed: 1 });
 * const { projectHash, stages, tasks } = fake.addProject(loadProjectSpec(paths.demoSpec), items, { pageSize: 100 });
 * const twin = fake.addProject(loadProjectSpec(paths.twinSpec), []);
 * fake.attachData(twin.projectHash, tasks.map((t) => t.dataHash)); // the same data in a second project
 * … fake.state.tasksByUuid.get(uuid)?.stageUuid, fake.state.labelRows.of(projectHash, dataHash), fake.state.history, fake.requests …
 * fake.faults.failNext(1, { status: 503, retryAfter: 1 });
 * await fake.close();
 * ```
 *
 * Endpoints: v2 `GET /v2/public/projects/{p}`, `GET /v2/public/ontologies/{o}`,
 * `GET …/projects/{p}/workflow/stages/{s}/tasks`, `POST …/stages/{s}/actions`,
 * `POST …/stages/{s}/move-tasks`, `POST …/projects/{p}/priorities`,
 * `POST /v2/public/storage/items/get-bulk`, `PATCH /v2/public/storage/items/patch-bulk`,
 * `GET /v2/public/storage/items/{uuid}?signUrl=True|False`,
 * `PATCH /v2/public/storage/folders/{f}/items/{uuid}`,
 * `GET /v2/public/storage/folders/{f}/items/{uuid}/child-items?signUrls=True|False`,
 * `GET /v2/public/user/bearer-token`;
 * v1 `POST /public` (`labelrowmetadata` GET, `labelrow` GET/PUT/POST) and `POST /public/user`
 * (authenticated, but no query is implemented); `GET|HEAD /files/{itemUuid}?sig=…&expires=…`
 * (signed URLs, no auth).
 *
 * Data shared by projects: on Encord a dataset may be attached to several projects, and its data
 * items then have the same data hash in each, with a label row and a task per project.
 * `attachData(projectHash, dataHashes)` attaches items other projects hold (the same storage
 * items, no copies) and gives the project its own new task and uninitialised label row for each.
 * Label rows are kept by project and data hash (`state.labelRows.of(projectHash, dataHash)`;
 * `state.labelRows.get(dataHash)` is for data one project holds and throws otherwise), and every
 * label-row, priority and task endpoint reads the requested project's. The items keep the folder
 * and dataset they were added with (`dataset_hash` is the item's, in every project, and so is
 * the `datasetHashes` task filter), and a credential allowed on any project holding an item may
 * read it.
 *
 * Behaviours chosen where the protocol document is silent or UNCONFIRMED:
 *
 * Authentication
 * * v2 failures: HTTP 401 `{"message": "…"}`. v1 failures: HTTP 401 with the envelope
 *   `{"status": 401, "response": ["AUTHENTICATION_ERROR"], "payload": "…"}`, except a
 *   well-formed signature by an unregistered key: HTTP 401 with
 *   `{"status": 400, "response": ["SSH_KEY_NOT_FOUND_ERROR"], …}` (the SDK's own fixture).
 * * A valid credential not allowed on the project (`addProject(…, { allowed })`): v2 HTTP 403
 *   `{"message"}`; v1 HTTP 403 `{"status": 403, "response": ["AUTHORISATION_ERROR"], …}`.
 *   Storage items of such a project answer like unknown ones (get-bulk 403, single GET 404).
 * * `Signature-Input` must be exactly the SDK's form (component list and parameter order
 *   `created;keyid;alg`, lowercase hex keyid); `created` within ±300 s of the server clock;
 *   `Content-Digest` must equal the digest of the raw body; `@request-target` is the raw request
 *   target as received (so the signed query must byte-match the sent one).
 * * Authentication is checked before routing: an unsigned request to an unknown v2 path is 401.
 *
 * v2
 * * Unknown query parameters → 400; booleans only `True`/`False` (Python spelling, as the SDK
 *   sends); a body needs `Content-Type: application/json` (else 415); body keys are camelCase and
 *   unknown keys are ignored (so snake_case bodies fail as "missing" fields).
 * * Task pages: `pageSize` per project (default 100), no page-size query parameter. The page token
 *   is opaque standard base64 that always contains `+`, `/` and `=` (clients must percent-encode
 *   it); it encodes the stage, the filters and the position of the last task returned, so pages
 *   stay valid while tasks leave the stage (nothing is skipped). Tasks keep their creation order;
 *   a task that enters the stage during paging is listed only if its position is after the token.
 *   `nextPageToken` is null exactly when no further task matches. A token for another stage or
 *   other filters → 400. `dataTitleContains` is case-insensitive; DONE stages refuse `statuses`
 *   and `userEmails` (400).
 * * Task DTOs follow the stage type: AGENT tasks have `lastActionedBy`, ANNOTATION/REVIEW not,
 *   DONE tasks are `{uuid, createdAt, updatedAt, dataHash, dataTitle}`. New tasks are `NEW`.
 * * Actions: only `PATHWAY_ACTION` on AGENT stages. The whole request is validated first and
 *   applied atomically: a task not in the stage (or unknown, or listed twice) → 400
 *   `{"message": "Task <uuid> is not in stage <s>."}` and nothing moves; an unknown pathway
 *   uuid/name → 400; `pathwayUuid` and `pathwayName` together must name the same pathway;
 *   more than 1000 actions → 413 (move-tasks: 500; priorities, get-bulk, patch-bulk: 1000).
 *   A moved task becomes `NEW` (`COMPLETED` in DONE), unassigned, `lastActionedBy` = the
 *   caller's fake e-mail (`key-<first 8 hex>@fake-encord.invalid`).
 * * actions, move-tasks and priorities answer 204 without body (option `emptyResponseStatus: 200`
 *   gives 200 with `null`).
 * * Priorities: `[dataHash, 0.0–1.0]` pairs; an unknown data hash or a value out of range → 400,
 *   nothing applied. The initial priority is 0.5 (or the item's `priority`).
 * * Storage: get-bulk answers in request order (duplicates repeated), any unknown uuid → 403 and
 *   nothing returned; patch-bulk validates all, then applies; `clientMetadata` in a patch must be an
 *   object and **replaces** the stored metadata; responses carry `clientMetadata` as a JSON
 *   string (Python `json.dumps` style). `signedUrl` is null for image groups and DICOM, and when
 *   not requested. Storage item uuids differ from data hashes (join through
 *   `backing_item_uuid`).
 * * Image groups: each image is a child storage item of its own (type `image`, `image/png`, the
 *   group's folder and size, named `<group> (n)`), whose uuid is the group's data-unit hash for
 *   that frame; its signed URL serves `FakeItemSpec.frames[n]` (404 when not given). Children are
 *   in no task or label row, but get-bulk and single GET find them. `child-items` lists them in
 *   frame order, `pageSize` per page (the project's, as for tasks) with an opaque `pageToken`;
 *   an item with no children (image, video, …) lists none (200, empty `results`); a folder that
 *   is not the item's `parent` → 404.
 * * DICOM series: each slice is a child storage item of type `dicomFile` (`application/dicom`,
 *   the series' folder, named `<series> (n).dcm`, a uuid of its own: the series is one data unit),
 *   listed by `child-items` in frame order; its signed URL serves `FakeItemSpec.frames[n]`. The
 *   series itself has no signed URL.
 * * Unknown project/stage/ontology/item → 404 `{"message"}`; unknown route → 404; known route,
 *   wrong method → 405.
 *
 * v1
 * * Application errors are HTTP 200 with a non-200 envelope `status` (§3.2; the SDK ignores the
 *   HTTP status): `INVALID_ARGUMENTS_ERROR` (400), `RESOURCE_NOT_FOUND_ERROR` (404),
 *   `MULTI_LABEL_LIMIT_ERROR` (400, payload `{"maximum_labels_allowed": N}`, N =
 *   `maxLabelsPerRequest`, default 1000), `METHOD_NOT_ALLOWED_ERROR` (405) for unimplemented
 *   query types. Unknown payload keys → INVALID_ARGUMENTS_ERROR (missing ones take defaults).
 * * `labelrowmetadata` lists rows in task-creation order; `include_uninitialised_labels` defaults
 *   to false; `label_statuses` match `annotation_task_status` (always `QUEUED`); `priority` is null
 *   in DONE.
 * * `labelrow` PUT on a row that already exists returns the existing row (idempotent, so two
 *   workers racing to initialise get the same label hash); new rows are empty, shaped as in §7.2/7.3.
 * * `labelrow` GET: unknown label hash → RESOURCE_NOT_FOUND_ERROR; feature-hash filters are not
 *   implemented (non-null → INVALID_ARGUMENTS_ERROR); `get_signed_url` puts signed URLs in
 *   `data_units[*].data_link`.
 * * `labelrow` POST (save): the whole call is validated first (label_hash = uid[i], same data_hash as
 *   stored, required keys present) and then every row is stored as sent (last writer wins);
 *   response `{"status": 200, "response": {"success": true}}`.
 *
 * Faults (`fake.faults`): decided after the body is read and before authentication, so a faulted
 * request changes nothing, except a "drop" with `dropAfterHandling` (handled, then the socket is
 * destroyed without a response). 429 carries `Retry-After`; 503 carries it when `retryAfter` is
 * given. Fault bodies: `{"message": "…"}` JSON, 502 an HTML page. "slow" waits, then answers
 * normally. "drop" destroys the socket (the client sees a reset / "other side closed").
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { validateProjectSpec, type ProjectSpec } from "../../../src/backends/local/project-spec.js";
import type { HandlerContext, Reply } from "./context.js";
import { json, v1Error, v2Error } from "./context.js";
import { Faults, type Api, type Fault } from "./faults.js";
import {
  buildStages,
  emptyState,
  fileSignature,
  groupImage,
  seriesSlice,
  type FakeItemSpec,
  type FakeStage,
  type FakeState,
  type ProjectState,
  type StorageItemState,
  type TaskState,
  type UrlSigner,
} from "./state.js";
import { isRecord, prng, uuidFrom } from "./util.js";
import { handleV1, envelopeKind } from "./v1.js";
import { handleV2 } from "./v2.js";
import { verifyV1Request, verifyV2Request, type Identity, type KnownCredentials } from "./verify.js";

export type { FakeItemSpec, FakeStage, FakeState, LabelRowState, LabelRowTable, TaskState, StorageItemState, ProjectState } from "./state.js";
export type { Api, FaultKind, FaultMatch, FaultSettings, TargetedFault } from "./faults.js";
export type { Identity } from "./verify.js";

export interface FakeEncordOptions {
  /** Registered Ed25519 public keys, raw 32 bytes as hex. */
  readonly publicKeys?: readonly string[];
  readonly bearerTokens?: readonly string[];
  /** Seeds generated ids and random faults (default 1). */
  readonly seed?: number;
  /** The server clock in ms (default Date.now); used for `created`, signed URLs and timestamps. */
  readonly now?: () => number;
  /** Lifetime of signed URLs (default 3600 s). */
  readonly signedUrlTtlSeconds?: number;
  /** Status of actions / move-tasks / priorities answers: 204 (default, no body) or 200 (`null`). */
  readonly emptyResponseStatus?: 200 | 204;
  /** Default v1 label-row limit per call (default 1000). */
  readonly maxLabelsPerRequest?: number;
  /** Bodies above this answer 413 (default 32 MiB). */
  readonly maxBodyBytes?: number;
}

export interface AddProjectOptions {
  /** Task page size (default 100). */
  readonly pageSize?: number;
  /** v1 label-row uids per call (default: the server's, 1000). */
  readonly maxLabelsPerRequest?: number;
  /** Public keys (hex) and bearer tokens allowed on the project; others get 403. Default: all. */
  readonly allowed?: readonly string[];
  readonly title?: string;
  /** The project type Encord reports (default "workflow"); "manual_qa" has no workflow on the wire. */
  readonly projectType?: "workflow" | "manual_qa";
  /** Label-row metadata sends the string "None" for null, as some Encord servers do (§7.1). */
  readonly nullAsNone?: boolean;
}

export interface AddedProject {
  readonly projectHash: string;
  readonly ontologyHash: string;
  readonly datasetHash: string;
  readonly folderUuid: string;
  /** Every Encord-visible stage (no START). AGENT pathways are the wire ones; other stages list the spec's human edges (not on the wire). */
  readonly stages: readonly FakeStage[];
  /** One per item, in item order. */
  readonly tasks: readonly FakeTaskRef[];
}

/** The task (and data item) made for one item. */
export interface FakeTaskRef {
  readonly uuid: string;
  readonly dataHash: string;
  readonly stageUuid: string;
  readonly itemUuid: string;
  readonly title: string;
}

export interface RecordedRequest {
  readonly api: Api;
  readonly method: string;
  readonly path: string;
  /** Raw query string without `?` ("" when none). */
  readonly query: string;
  /** Parsed JSON body, or null (empty or not JSON). */
  readonly body: unknown;
  /** Status sent; null when the response was dropped before handling, or not sent yet. */
  status: number | null;
  readonly queryType?: string;
  readonly queryMethod?: string;
  /** Server clock (ms) when the request arrived. */
  readonly at: number;
  /** The client's port: requests over one kept-alive connection share it. */
  readonly remotePort: number | undefined;
  /** The injected fault: "429", "503", …, "slow", "drop", "drop-after-handling". */
  fault?: string;
  /** Who was authenticated: public key hex or bearer token. */
  identity?: string;
}

export interface FakeEncord {
  /** `http://127.0.0.1:<port>`, to use as ENCORD_DOMAIN. */
  readonly url: string;
  readonly state: FakeState;
  readonly requests: RecordedRequest[];
  readonly faults: Faults;
  /** Adds a workflow project: a validated {@link ProjectSpec} (e.g. from `loadProjectSpec`) or a raw spec object (validated here). */
  addProject(spec: unknown, items: readonly FakeItemSpec[], options?: AddProjectOptions): AddedProject;
  /** Adds an item (and its task, in the stage new tasks start in) to a project, as `addProject` does. */
  addItem(projectHash: string, item: FakeItemSpec): FakeTaskRef;
  /**
   * Attaches data that other projects hold to `projectHash`, as attaching a dataset to a second
   * project does on Encord: the same storage items and data hashes, and in this project a task
   * of its own (in the stage new tasks start in, priority 0.5) and an uninitialised label row of
   * its own for each, in the order given. Throws for an unknown project or data hash, and for
   * data the project already holds.
   */
  attachData(projectHash: string, dataHashes: readonly string[]): FakeTaskRef[];
  addPublicKey(hex: string): void;
  addBearerToken(token: string): void;
  /** Moves a task as a person (or the test) would: to a stage given by uuid or title. Recorded with `via: "test"`. */
  moveTask(taskUuid: string, destination: string, pathwayUuid?: string | null): void;
  /** Tasks currently in a stage, in creation order. */
  tasksIn(stageUuid: string): TaskState[];
  close(): Promise<void>;
}

const V2_PREFIX = "/v2/";

function apiOf(path: string): Api {
  if (path === "/public" || path.startsWith("/public/")) return "v1";
  if (path.startsWith("/files/")) return "file";
  return "v2";
}

function faultReply(fault: Extract<Fault, { type: "status" }>): Reply {
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
  if (fault.status === 502) {
    return {
      status: 502,
      headers: { "content-type": "text/html; charset=UTF-8", ...headers },
      body: "<html><head><title>502 Server Error</title></head><body><h1>Error: Server Error</h1></body></html>",
    };
  }
  const message = fault.status === 429 ? "Too many requests, please retry later." : `Injected fault: HTTP ${fault.status}.`;
  return json(fault.status, { message }, headers);
}

export async function startFakeEncord(options: FakeEncordOptions = {}): Promise<FakeEncord> {
  const seed = options.seed ?? 1;
  const idRandom = prng(seed);
  const newUuid = () => uuidFrom(idRandom);
  const nowMs = options.now ?? (() => Date.now());
  const publicKeys = new Set((options.publicKeys ?? []).map((k) => k.toLowerCase()));
  const bearerTokens = new Set(options.bearerTokens ?? []);
  const known: KnownCredentials = { publicKeys, bearerTokens };
  const state = emptyState();
  const requests: RecordedRequest[] = [];
  const faults = new Faults(seed);
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  let baseUrl = "";
  const signer: UrlSigner = { baseUrl: () => baseUrl, secret: randomBytes(32), ttlSeconds: options.signedUrlTtlSeconds ?? 3600, nowMs };
  const pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          pendingDelays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      pendingDelays.add(entry);
    });

  const context = (identity: Identity): HandlerContext => ({
    state,
    signer,
    nowMs,
    newUuid,
    identity,
    emptyStatus: options.emptyResponseStatus ?? 204,
    defaultMaxLabelsPerRequest: options.maxLabelsPerRequest ?? 1000,
    addBearerToken: (token) => bearerTokens.add(token),
  });

  const serveFile = (method: string, path: string, query: string): Reply => {
    if (method !== "GET" && method !== "HEAD") return v2Error(405, `Method ${method} is not allowed on signed URLs.`);
    const itemUuid = decodeURIComponent(path.slice("/files/".length));
    const params = new URLSearchParams(query);
    const sig = params.get("sig") ?? "";
    const expires = Number(params.get("expires"));
    const keys = [...params.keys()];
    const denied = (why: string): Reply => ({
      status: 403,
      headers: { "content-type": "application/xml" },
      body: `<Error><Code>AccessDenied</Code><Message>${why}</Message></Error>`,
    });
    if (keys.length !== 2 || !params.has("sig") || !params.has("expires") || !Number.isInteger(expires)) return denied("Malformed signed URL.");
    const expected = Buffer.from(fileSignature(signer.secret, itemUuid, expires));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return denied("Invalid signature.");
    if (expires < Math.floor(nowMs() / 1000)) return denied("Signed URL expired.");
    const item = state.storageItems.get(itemUuid);
    if (!item?.fileBytes) return { status: 404, headers: { "content-type": "application/xml" }, body: "<Error><Code>NoSuchKey</Code></Error>" };
    return {
      status: 200,
      headers: { "content-type": item.mimeType, "content-length": String(item.fileBytes.length) },
      body: method === "HEAD" ? Buffer.alloc(0) : item.fileBytes,
    };
  };

  const authenticateAndHandle = (
    req: IncomingMessage,
    api: Api,
    target: string,
    path: string,
    query: string,
    body: Buffer,
    parsed: unknown,
    record: RecordedRequest,
  ): Reply => {
    const method = req.method ?? "GET";
    if (api === "file") return serveFile(method, path, query);
    if (api === "v1") {
      if (method !== "POST") return v1Error(405, "METHOD_NOT_ALLOWED_ERROR", `The v1 API only accepts POST, not ${method}.`, 405);
      if (path !== "/public" && path !== "/public/user") return v1Error(404, "RESOURCE_NOT_FOUND_ERROR", `No v1 endpoint ${path}.`, 404);
      const result = verifyV1Request({ headers: req.headers, body }, known);
      if (!result.ok) {
        return result.unknownKey
          ? v1Error(400, "SSH_KEY_NOT_FOUND_ERROR", "Your used SSH key does not exist. Please add this SSH key to your user profile.", 401)
          : v1Error(401, "AUTHENTICATION_ERROR", result.reason, 401);
      }
      record.identity = result.identity.kind === "key" ? result.identity.publicKeyHex : result.identity.token;
      return handleV1(context(result.identity), { path, headers: req.headers, parsed });
    }
    if (!path.startsWith(V2_PREFIX)) return v2Error(404, `No route for ${method} ${path}.`);
    const result = verifyV2Request({ method, target, headers: req.headers, body }, known, nowMs() / 1000);
    if (!result.ok) return v2Error(401, result.reason);
    record.identity = result.identity.kind === "key" ? result.identity.publicKeyHex : result.identity.token;
    const contentType = req.headers["content-type"];
    return handleV2(context(result.identity), { method, path, query, body, parsed, contentType });
  };

  const send = (res: ServerResponse, reply: Reply): void => {
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body);
  };

  const readBody = (req: IncomingMessage): Promise<Buffer | "too-large"> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) tooLarge = true;
        else chunks.push(chunk);
      });
      req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
      req.on("error", reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? "" : target.slice(q + 1);
    const api = apiOf(path);
    const method = req.method ?? "GET";
    const body = await readBody(req);
    let parsed: unknown;
    if (body !== "too-large" && body.length > 0) {
      try {
        parsed = JSON.parse(body.toString("utf8")) as unknown;
      } catch {
        parsed = undefined;
      }
    }
    const record: RecordedRequest = {
      api,
      method,
      path,
      query,
      body: parsed ?? null,
      status: null,
      at: nowMs(),
      remotePort: req.socket.remotePort,
      ...(api === "v1" ? envelopeKind(parsed) : {}),
    };
    requests.push(record);

    const fault = faults.pick({
      api,
      method,
      path,
      ...(record.queryType !== undefined ? { queryType: record.queryType } : {}),
      ...(record.queryMethod !== undefined ? { queryMethod: record.queryMethod } : {}),
    });
    if (fault?.type === "status") {
      record.fault = String(fault.status);
      record.status = fault.status;
      send(res, faultReply(fault));
      return;
    }
    if (fault?.type === "drop" && !fault.afterHandling) {
      record.fault = "drop";
      req.socket.destroy();
      return;
    }
    if (fault?.type === "slow") {
      record.fault = "slow";
      await delay(fault.ms);
      if (res.destroyed || req.socket.destroyed) return;
    }

    const reply: Reply =
      body === "too-large"
        ? api === "v1"
          ? v1Error(413, "FILE_SIZE_NOT_SUPPORTED_ERROR", `The body exceeds ${maxBodyBytes} bytes.`, 413)
          : v2Error(413, `The body exceeds ${maxBodyBytes} bytes.`)
        : authenticateAndHandle(req, api, target, path, query, body, parsed, record);
    record.status = reply.status;
    if (fault?.type === "drop") {
      record.fault = "drop-after-handling";
      req.socket.destroy();
      return;
    }
    send(res, reply);
  };

  const sockets = new Set<Socket>();
  const server = createServer({ maxHeaderSize: 64 * 1024, keepAliveTimeout: 5_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      if (!res.headersSent) send(res, v2Error(500, `fake-encord internal error: ${message}`));
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** An item of a project, with its storage item, uninitialised label row and task (in the stage new tasks start in). */
  const addItemTo = (project: ProjectState, spec: FakeItemSpec, created: number): FakeTaskRef => {
    const projectHash = project.projectHash;
    const dataHash = newUuid();
    const itemUuid = newUuid();
    const groupSize = spec.dataType === "img_group" ? Math.max(1, spec.frameCount ?? spec.frames?.length ?? 1) : 0;
    const unitHashes = groupSize > 0 ? Array.from({ length: groupSize }, () => newUuid()) : [dataHash];
    const sliceUuids = spec.dataType === "dicom" ? (spec.frames ?? []).map(() => newUuid()) : [];
    const item: StorageItemState = {
      uuid: itemUuid,
      projectHash,
      projectHashes: new Set([projectHash]),
      datasetHash: project.datasetHash,
      datasetTitle: project.datasetTitle,
      parent: project.folderUuid,
      dataHash,
      name: spec.title,
      description: "",
      dataType: spec.dataType,
      mimeType: spec.mimeType,
      width: spec.width ?? null,
      height: spec.height ?? null,
      fps: spec.fps ?? null,
      duration: spec.duration ?? null,
      frameCount: spec.frameCount ?? (groupSize > 0 && spec.frames !== undefined ? groupSize : sliceUuids.length > 0 ? sliceUuids.length : null),
      clientMetadata: structuredClone(spec.clientMetadata ?? {}),
      fileBytes: spec.fileBytes ?? null,
      createdAt: created,
      lastEditedAt: created,
      url: `fake-encord-storage/${project.folderUuid}/${itemUuid}`,
      unitHashes,
      childUuids: groupSize > 0 ? unitHashes : sliceUuids,
    };
    const child = spec.dataType === "dicom" ? seriesSlice : groupImage;
    item.childUuids.forEach((uuid, index) => state.storageItems.set(uuid, child(item, uuid, index, spec.frames?.[index] ?? null)));
    state.storageItems.set(itemUuid, item);
    return holdItem(project, item, spec.priority ?? 0.5, created);
  };

  /** The project's own label row (uninitialised) and task (in the stage new tasks start in) for an item. */
  const holdItem = (project: ProjectState, item: StorageItemState, priority: number, created: number): FakeTaskRef => {
    const { projectHash } = project;
    const { dataHash, uuid: itemUuid, name: title } = item;
    state.labelRows.add({ dataHash, projectHash, itemUuid, labelHash: null, row: null, createdAt: null, lastEditedAt: null });
    const task: TaskState = {
      uuid: newUuid(),
      projectHash,
      seq: project.nextSeq++,
      stageUuid: project.initialStageUuid,
      dataHash,
      dataTitle: title,
      status: "NEW",
      priority,
      createdAt: created,
      updatedAt: created,
      assignee: null,
      lastActionedBy: null,
    };
    state.tasks.push(task);
    state.tasksByUuid.set(task.uuid, task);
    return { uuid: task.uuid, dataHash, stageUuid: project.initialStageUuid, itemUuid, title };
  };

  const attachData = (projectHash: string, dataHashes: readonly string[]): FakeTaskRef[] => {
    const project = state.projects.get(projectHash);
    if (!project) throw new Error(`no project ${projectHash}`);
    if (new Set(dataHashes).size !== dataHashes.length) throw new Error("attachData: a data hash is listed twice");
    const items = dataHashes.map((dataHash) => {
      // Every row of a data item names the same storage item; an image group's images have none.
      const [held] = state.labelRows.allOf(dataHash);
      if (!held) throw new Error(`no data ${dataHash} in any project (data hashes of image-group images cannot be attached)`);
      if (state.labelRows.of(projectHash, dataHash)) throw new Error(`project ${projectHash} already holds data ${dataHash}`);
      return state.storageItems.get(held.itemUuid)!;
    });
    const created = nowMs();
    return items.map((item) => {
      item.projectHashes.add(projectHash);
      return holdItem(project, item, 0.5, created);
    });
  };

  const addProject = (rawSpec: unknown, items: readonly FakeItemSpec[], projectOptions: AddProjectOptions = {}): AddedProject => {
    const spec: ProjectSpec = isRecord(rawSpec) && Array.isArray(rawSpec["stages"]) ? (rawSpec as unknown as ProjectSpec) : validateProjectSpec(rawSpec);
    const { stages, initialStageUuid } = buildStages(spec);
    const created = nowMs();
    const projectHash = newUuid();
    const title = projectOptions.title ?? spec.title;
    const project: ProjectState = {
      projectHash,
      title,
      description: spec.description,
      ontologyHash: newUuid(),
      ontology: structuredClone(spec.ontology),
      datasetHash: newUuid(),
      datasetTitle: `${title} dataset`,
      folderUuid: newUuid(),
      workflowManagerUuid: newUuid(),
      projectType: projectOptions.projectType ?? "workflow",
      createdAt: created,
      stages,
      initialStageUuid,
      pageSize: projectOptions.pageSize ?? 100,
      nullAsNone: projectOptions.nullAsNone ?? false,
      maxLabelsPerRequest: projectOptions.maxLabelsPerRequest ?? options.maxLabelsPerRequest ?? 1000,
      allowed: projectOptions.allowed ? new Set(projectOptions.allowed.map((a) => (/^[0-9A-F]{64}$/i.test(a) ? a.toLowerCase() : a))) : null,
      nextSeq: 0,
    };
    state.projects.set(projectHash, project);
    const tasks = items.map((spec) => addItemTo(project, spec, created));
    return { projectHash, ontologyHash: project.ontologyHash, datasetHash: project.datasetHash, folderUuid: project.folderUuid, stages, tasks };
  };

  return {
    url: baseUrl,
    state,
    requests,
    faults,
    addProject,
    attachData,
    addItem(projectHash, item) {
      const project = state.projects.get(projectHash);
      if (!project) throw new Error(`no project ${projectHash}`);
      return addItemTo(project, item, nowMs());
    },
    addPublicKey: (hex) => void publicKeys.add(hex.toLowerCase()),
    addBearerToken: (token) => void bearerTokens.add(token),
    moveTask(taskUuid, destination, pathwayUuid = null) {
      const task = state.tasksByUuid.get(taskUuid);
      if (!task) throw new Error(`no task ${taskUuid}`);
      const project = state.projects.get(task.projectHash)!;
      const to = project.stages.find((s) => s.uuid === destination || s.title === destination);
      if (!to) throw new Error(`no stage ${destination} in project ${project.projectHash}`);
      const from = task.stageUuid;
      const at = nowMs();
      Object.assign(task, { stageUuid: to.uuid, status: to.type === "DONE" ? "COMPLETED" : "NEW", assignee: null, updatedAt: at });
      state.history.push({ taskUuid, projectHash: project.projectHash, from, to: to.uuid, pathwayUuid, at, via: "test" });
    },
    tasksIn: (stageUuid) => state.tasks.filter((t) => t.stageUuid === stageUuid),
    async close() {
      for (const entry of pendingDelays) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      pendingDelays.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },
  };
}
