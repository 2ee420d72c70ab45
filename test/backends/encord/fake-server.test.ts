/**
 * The fake Encord server (test/support/fake-encord) against a tiny hand-made client: signatures
 * built from the protocol document's rules, plain fetch.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadProjectSpec } from "../../../src/backends/local/project-spec.js";
import { startFakeEncord, type AddedProject, type FakeEncord, type FakeItemSpec } from "../../support/fake-encord/index.js";
import { pythonJson } from "../../support/fake-encord/util.js";
import { verifyV2Request } from "../../support/fake-encord/verify.js";
import { paths } from "../../support/paths.js";

// ---- a tiny client ---------------------------------------------------------------------------

interface Key {
  readonly hex: string;
  readonly privateKey: KeyObject;
}

function newKey(): Key {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { hex: publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex"), privateKey };
}

function keyFromSeed(seedHex: string): Key {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]),
    format: "der",
    type: "pkcs8",
  });
  const publicKey = Buffer.from(privateKey.export({ format: "jwk" }).x!, "base64url");
  return { hex: publicKey.toString("hex"), privateKey };
}

/** §1.4: Content-Digest, Signature-Input, Signature. */
function v2SignatureHeaders(key: Key, method: string, target: string, body: Buffer, created = Math.floor(Date.now() / 1000) - 30): Record<string, string> {
  const digest = `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
  const params = `("@method" "@request-target" "content-digest");created=${created};keyid="${key.hex}";alg="ed25519"`;
  const base = [`"@method": ${method}`, `"@request-target": ${target}`, `"content-digest": ${digest}`, `"@signature-params": ${params}`].join("\n");
  return {
    "Content-Digest": digest,
    "Signature-Input": `encord-sig=${params}`,
    Signature: `encord-sig=:${sign(null, Buffer.from(base), key.privateKey).toString("base64")}:`,
  };
}

/** §1.5: `<pubkey hex>:<hex(Ed25519(sha256(body)))>`. */
function v1Authorization(key: Key, body: Buffer): string {
  return `${key.hex}:${sign(null, createHash("sha256").update(body).digest(), key.privateKey).toString("hex")}`;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : (JSON.parse(text) as unknown);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

interface RawV2 {
  readonly method?: string;
  readonly target: string;
  readonly body?: unknown;
  readonly auth?: { key: Key; created?: number } | { bearer: string } | null;
  /** What goes on the wire if it differs from what was signed (tampering). */
  readonly sentTarget?: string;
  readonly sentBody?: Buffer;
}

let fake: FakeEncord;
let key: Key;

async function v2(request: RawV2): Promise<Answer> {
  const method = request.method ?? "GET";
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(pythonJson(request.body), "utf8");
  const headers: Record<string, string> = { Accept: "application/json" };
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  const auth = request.auth === undefined ? { key } : request.auth;
  if (auth && "key" in auth) Object.assign(headers, v2SignatureHeaders(auth.key, method, request.target, body, auth.created));
  if (auth && "bearer" in auth) headers["Authorization"] = `Bearer ${auth.bearer}`;
  const sent = request.sentBody ?? body;
  return answer(
    await fetch(fake.url + (request.sentTarget ?? request.target), { method, headers, ...(sent.length > 0 ? { body: new Uint8Array(sent) } : {}) }),
  );
}

interface RawV1 {
  readonly projectHash: string;
  readonly queryType: string;
  readonly queryMethod: string;
  readonly uid: unknown;
  readonly payload: unknown;
  readonly auth?: { key: Key } | { bearer: string } | null;
  readonly tamper?: boolean;
}

async function v1(request: RawV1): Promise<Answer> {
  const body = Buffer.from(
    pythonJson({ query_type: request.queryType, query_method: request.queryMethod, values: { uid: request.uid, payload: request.payload } }),
    "utf8",
  );
  const headers: Record<string, string> = {
    Accept: "application/json",
    "Content-Type": "application/json",
    ResourceType: "project",
    ResourceID: request.projectHash,
  };
  const auth = request.auth === undefined ? { key } : request.auth;
  if (auth && "key" in auth) headers["Authorization"] = v1Authorization(auth.key, body);
  if (auth && "bearer" in auth) headers["Authorization"] = `Bearer ${auth.bearer}`;
  const sent = request.tamper ? Buffer.from(body.toString("utf8").replace('"labelrowmetadata"', '"labelrowmetadatA"')) : body;
  return answer(await fetch(`${fake.url}/public`, { method: "POST", headers, body: sent }));
}

const metadataPayload = (dataHashes: string[] | null) => ({
  edited_before: null,
  edited_after: null,
  label_statuses: null,
  shadow_data_state: null,
  include_uninitialised_labels: true,
  data_hashes: dataHashes,
  label_hashes: null,
  data_title_eq: null,
  data_title_like: null,
  workflow_graph_node_title_eq: null,
  workflow_graph_node_title_like: null,
  include_client_metadata: false,
  include_images_data: false,
  include_children: false,
  include_workflow_graph_node: true,
  include_all_label_branches: false,
  branch_name: null,
});

const tasksPath = (project: AddedProject, stageUuid: string) => `/v2/public/projects/${project.projectHash}/workflow/stages/${stageUuid}/tasks`;
const record = (value: unknown) => value as Record<string, unknown>;
const anyNumber: unknown = expect.any(Number);
const anyString: unknown = expect.any(String);
const list = (value: unknown) => value as Record<string, unknown>[];

function images(count: number, prefix = "cat"): FakeItemSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    title: `${prefix}-${String(i).padStart(3, "0")}.png`,
    dataType: "image" as const,
    mimeType: "image/png",
    width: 640,
    height: 480,
    clientMetadata: { index: i, note: "é" },
    fileBytes: Buffer.from(`png bytes of ${prefix} ${i}`),
  }));
}

const bearer = "test-bearer-token";
let other: Key;
let demo: AddedProject;
let agentStage: string;

beforeAll(async () => {
  key = newKey();
  other = newKey();
  fake = await startFakeEncord({ publicKeys: [key.hex, other.hex], bearerTokens: [bearer], seed: 7 });
  demo = fake.addProject(loadProjectSpec(paths.demoSpec), images(250));
  agentStage = demo.stages.find((s) => s.type === "AGENT")!.uuid;
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.faults.clear();
});

describe("signature verification", () => {
  it("accepts the protocol document's known-answer vector A, and the test signer reproduces it", () => {
    const vectorKey = keyFromSeed("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    expect(vectorKey.hex).toBe("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
    const target =
      "/v2/public/projects/00000000-0000-0000-0000-0000000000aa/workflow/stages/" +
      "00000000-0000-0000-0000-0000000000bb/tasks?pageToken=tok%2F%2B%3D&" +
      "statuses=NEW&statuses=ASSIGNED&dataTitleContains=a+b";
    const headers = {
      "content-digest": "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:",
      "signature-input": `encord-sig=("@method" "@request-target" "content-digest");created=1700000000;keyid="${vectorKey.hex}";alg="ed25519"`,
      signature: "encord-sig=:bqZcXKOVzmFl3CxPcOw4ZZx/DmmGhkTQL9GqrkxZE/FbnckWe4cfnAgMF5U2uOb+aY6tbrEdTozVhqhahFQKAQ==:",
    };
    const known = { publicKeys: new Set([vectorKey.hex]), bearerTokens: new Set<string>() };
    const verdict = verifyV2Request({ method: "GET", target, headers, body: Buffer.alloc(0) }, known, 1700000030);
    expect(verdict).toEqual({ ok: true, identity: { kind: "key", publicKeyHex: vectorKey.hex } });
    const ours = v2SignatureHeaders(vectorKey, "GET", target, Buffer.alloc(0), 1700000000);
    expect(ours["Signature"]).toBe(headers.signature);
    // Off by one character of the query, or outside the ±300 s window: refused.
    expect(verifyV2Request({ method: "GET", target: target.replace("a+b", "a%20b"), headers, body: Buffer.alloc(0) }, known, 1700000030).ok).toBe(false);
    expect(verifyV2Request({ method: "GET", target, headers, body: Buffer.alloc(0) }, known, 1700000301).ok).toBe(false);
  });

  it("refuses unsigned and tampered v2 requests with 401 and a message", async () => {
    const target = `/v2/public/projects/${demo.projectHash}`;
    const unsigned = await v2({ target, auth: null });
    expect(unsigned.status).toBe(401);
    expect(typeof record(unsigned.json)["message"]).toBe("string");

    const query = `${tasksPath(demo, agentStage)}?dataTitleContains=cat-001`;
    expect((await v2({ target: query })).status).toBe(200);
    expect((await v2({ target: query, sentTarget: `${tasksPath(demo, agentStage)}?dataTitleContains=cat-002` })).status).toBe(401);

    const action = [{ taskUuid: demo.tasks[0]!.uuid, action: "PATHWAY_ACTION", pathwayName: "annotate" }];
    const body = Buffer.from(pythonJson(action));
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf("annotate")] = "A".charCodeAt(0);
    const actionPath = `/v2/public/projects/${demo.projectHash}/workflow/stages/${agentStage}/actions`;
    const refused = await v2({ method: "POST", target: actionPath, body: action, sentBody: tampered });
    expect(refused.status).toBe(401);
    expect(record(refused.json)["message"]).toMatch(/Content-Digest/);
    expect(fake.state.tasksByUuid.get(demo.tasks[0]!.uuid)!.stageUuid).toBe(agentStage);

    const stale = await v2({ target, auth: { key, created: Math.floor(Date.now() / 1000) - 400 } });
    expect(stale.status).toBe(401);
    const stranger = await v2({ target, auth: { key: newKey() } });
    expect(stranger.status).toBe(401);
  });

  it("refuses unsigned, tampered and unknown-key v1 requests", async () => {
    const base = {
      projectHash: demo.projectHash,
      queryType: "labelrowmetadata",
      queryMethod: "GET",
      uid: null,
      payload: metadataPayload([demo.tasks[0]!.dataHash]),
    };
    const unsigned = await v1({ ...base, auth: null });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json).toMatchObject({ status: 401, response: ["AUTHENTICATION_ERROR"] });
    const tampered = await v1({ ...base, tamper: true });
    expect(tampered.json).toMatchObject({ status: 401, response: ["AUTHENTICATION_ERROR"] });
    const stranger = await v1({ ...base, auth: { key: newKey() } });
    expect(stranger.json).toMatchObject({ status: 400, response: ["SSH_KEY_NOT_FOUND_ERROR"] });
    expect((await v1(base)).json).toMatchObject({ status: 200 });
  });

  it("accepts bearer tokens on v2 and v1, and refuses unknown ones", async () => {
    expect((await v2({ target: `/v2/public/projects/${demo.projectHash}`, auth: { bearer } })).status).toBe(200);
    expect((await v2({ target: `/v2/public/projects/${demo.projectHash}`, auth: { bearer: "nope" } })).status).toBe(401);
    const listed = await v1({
      projectHash: demo.projectHash,
      queryType: "labelrowmetadata",
      queryMethod: "GET",
      uid: null,
      payload: metadataPayload([demo.tasks[1]!.dataHash]),
      auth: { bearer },
    });
    expect(listed.json).toMatchObject({ status: 200 });
    expect(fake.requests.at(-1)!.identity).toBe(bearer);
  });

  it("answers 403 to a valid key that is not allowed on the project", async () => {
    const restricted = fake.addProject(loadProjectSpec(paths.demoSpec), images(2, "private"), { allowed: [key.hex] });
    expect((await v2({ target: `/v2/public/projects/${restricted.projectHash}` })).status).toBe(200);
    const denied = await v2({ target: `/v2/public/projects/${restricted.projectHash}`, auth: { key: other } });
    expect(denied.status).toBe(403);
    expect(typeof record(denied.json)["message"]).toBe("string");
    const deniedV1 = await v1({
      projectHash: restricted.projectHash,
      queryType: "labelrowmetadata",
      queryMethod: "GET",
      uid: null,
      payload: metadataPayload(null),
      auth: { key: other },
    });
    expect(deniedV1.status).toBe(403);
    expect(deniedV1.json).toMatchObject({ status: 403, response: ["AUTHORISATION_ERROR"] });
    const items = await v2({
      method: "POST",
      target: "/v2/public/storage/items/get-bulk",
      body: { itemUuids: [restricted.tasks[0]!.itemUuid], signUrls: false },
      auth: { key: other },
    });
    expect(items.status).toBe(403);
  });
});

describe("project, ontology and workflow", () => {
  it("serves the ProjectDTO with the workflow graph without START", async () => {
    const project = await v2({ target: `/v2/public/projects/${demo.projectHash}` });
    expect(project.status).toBe(200);
    const dto = record(project.json);
    expect(dto).toMatchObject({ projectHash: demo.projectHash, projectType: "workflow", ontologyHash: demo.ontologyHash, title: "Demo" });
    const stages = list(record(dto["workflow"])["stages"]);
    expect(stages.map((s) => [s["stageType"], s["title"]])).toEqual([
      ["AGENT", "Pre-label"],
      ["ANNOTATION", "Annotate"],
      ["REVIEW", "Review"],
      ["DONE", "Complete"],
    ]);
    const byTitle = new Map(stages.map((s) => [s["title"], s]));
    expect(byTitle.get("Pre-label")!["pathways"]).toEqual([
      { uuid: anyString, title: "annotate", destinationUuid: byTitle.get("Annotate")!["uuid"] },
      { uuid: anyString, title: "skip", destinationUuid: byTitle.get("Complete")!["uuid"] },
    ]);
    expect("pathways" in byTitle.get("Annotate")!).toBe(false);
    expect(record(dto["editorOntology"])["objects"]).toHaveLength(1);
    expect(demo.tasks.every((t) => t.stageUuid === agentStage)).toBe(true);

    const ontology = await v2({ target: `/v2/public/ontologies/${demo.ontologyHash}` });
    expect(ontology.status).toBe(200);
    expect(record(ontology.json)).toMatchObject({ ontologyUuid: demo.ontologyHash, editor: dto["editorOntology"] });
  });

  it("answers 404 for unknown resources and 400 for unknown query parameters", async () => {
    expect((await v2({ target: "/v2/public/projects/00000000-0000-0000-0000-000000000000" })).status).toBe(404);
    expect((await v2({ target: tasksPath(demo, "00000000-0000-0000-0000-000000000000") })).status).toBe(404);
    expect((await v2({ target: "/v2/public/ontologies/nope" })).status).toBe(404);
    expect((await v2({ target: "/v2/public/nothing-here" })).status).toBe(404);
    const unknownParam = await v2({ target: `${tasksPath(demo, agentStage)}?pageSize=5` });
    expect(unknownParam.status).toBe(400);
    expect(record(unknownParam.json)["message"]).toMatch(/pageSize/);
  });
});

describe("tasks", () => {
  it("pages over 250 tasks with opaque page tokens that survive tasks leaving the stage", async () => {
    const project = fake.addProject(loadProjectSpec(paths.demoSpec), images(250, "page"));
    const stage = project.stages.find((s) => s.type === "AGENT")!;
    const first = record((await v2({ target: tasksPath(project, stage.uuid) })).json);
    const firstResults = list(first["results"]);
    expect(firstResults).toHaveLength(100);
    expect(Object.keys(firstResults[0]!).sort()).toEqual([
      "assignee",
      "createdAt",
      "dataHash",
      "dataTitle",
      "labelBranchName",
      "lastActionedBy",
      "status",
      "updatedAt",
      "uuid",
    ]);
    expect(firstResults[0]).toMatchObject({
      uuid: project.tasks[0]!.uuid,
      status: "NEW",
      dataHash: project.tasks[0]!.dataHash,
      dataTitle: "page-000.png",
      labelBranchName: "main",
      assignee: null,
      lastActionedBy: null,
    });
    const token = first["nextPageToken"] as string;
    expect(token).toMatch(/[+/=]/);

    // Every task of page 1 leaves the stage before page 2 is read.
    const actions = firstResults.map((t) => ({ taskUuid: t["uuid"], action: "PATHWAY_ACTION", pathwayUuid: stage.pathways[0]!.uuid }));
    const moved = await v2({ method: "POST", target: `/v2/public/projects/${project.projectHash}/workflow/stages/${stage.uuid}/actions`, body: actions });
    expect(moved.status).toBe(204);

    const seen = firstResults.map((t) => t["uuid"]);
    let next: string | null = token;
    while (next !== null) {
      const page = record((await v2({ target: `${tasksPath(project, stage.uuid)}?${new URLSearchParams({ pageToken: next }).toString()}` })).json);
      seen.push(...list(page["results"]).map((t) => t["uuid"]));
      next = page["nextPageToken"] as string | null;
    }
    expect(seen).toEqual(project.tasks.map((t) => t.uuid));

    // A raw "+" in the token is a space once form-decoded: refused.
    const raw = await v2({ target: `${tasksPath(project, stage.uuid)}?pageToken=${token}` });
    expect(raw.status).toBe(400);

    const filtered = record(
      (
        await v2({
          target: `${tasksPath(project, stage.uuid)}?${new URLSearchParams([
            ["dataHashes", project.tasks[200]!.dataHash],
            ["dataHashes", project.tasks[3]!.dataHash],
          ]).toString()}`,
        })
      ).json,
    );
    expect(list(filtered["results"]).map((t) => t["uuid"])).toEqual([project.tasks[200]!.uuid]);
    expect(filtered["nextPageToken"]).toBeNull();
  });

  it("proceeds tasks along a pathway and refuses, atomically, a task not in the stage", async () => {
    const project = fake.addProject(loadProjectSpec(paths.demoSpec), images(3, "act"));
    const stage = project.stages.find((s) => s.type === "AGENT")!;
    const annotate = project.stages.find((s) => s.title === "Annotate")!;
    const done = project.stages.find((s) => s.type === "DONE")!;
    const path = `/v2/public/projects/${project.projectHash}/workflow/stages/${stage.uuid}/actions`;
    const [a, b, c] = project.tasks;

    expect((await v2({ method: "POST", target: path, body: [{ taskUuid: a!.uuid, action: "PATHWAY_ACTION", pathwayName: "annotate" }] })).status).toBe(204);
    expect(fake.state.tasksByUuid.get(a!.uuid)).toMatchObject({ stageUuid: annotate.uuid, status: "NEW" });
    expect(fake.state.history.filter((h) => h.taskUuid === a!.uuid)).toEqual([
      {
        taskUuid: a!.uuid,
        projectHash: project.projectHash,
        from: stage.uuid,
        to: annotate.uuid,
        pathwayUuid: stage.pathways[0]!.uuid,
        at: anyNumber,
        via: "action",
      },
    ]);

    const refused = await v2({
      method: "POST",
      target: path,
      body: [
        { taskUuid: b!.uuid, action: "PATHWAY_ACTION", pathwayName: "skip" },
        { taskUuid: a!.uuid, action: "PATHWAY_ACTION", pathwayName: "skip" },
      ],
    });
    expect(refused.status).toBe(400);
    expect(record(refused.json)["message"]).toBe(`Task ${a!.uuid} is not in stage ${stage.uuid}.`);
    expect(fake.state.tasksByUuid.get(b!.uuid)!.stageUuid).toBe(stage.uuid);

    const unknownPathway = await v2({ method: "POST", target: path, body: [{ taskUuid: b!.uuid, action: "PATHWAY_ACTION", pathwayName: "nowhere" }] });
    expect(unknownPathway.status).toBe(400);

    expect(
      (await v2({ method: "POST", target: path, body: [{ taskUuid: b!.uuid, action: "PATHWAY_ACTION", pathwayUuid: stage.pathways[1]!.uuid }] })).status,
    ).toBe(204);
    expect(fake.state.tasksByUuid.get(b!.uuid)!.stageUuid).toBe(done.uuid);
    const doneTasks = list(record((await v2({ target: tasksPath(project, done.uuid) })).json)["results"]);
    expect(Object.keys(doneTasks[0]!).sort()).toEqual(["createdAt", "dataHash", "dataTitle", "updatedAt", "uuid"]);

    const tooMany = Array.from({ length: 1001 }, () => ({ taskUuid: c!.uuid, action: "PATHWAY_ACTION", pathwayName: "skip" }));
    expect((await v2({ method: "POST", target: path, body: tooMany })).status).toBe(413);
  });

  it("sets priorities by data hash", async () => {
    const [t0, t1] = demo.tasks.slice(10, 12);
    const path = `/v2/public/projects/${demo.projectHash}/priorities`;
    expect(
      (
        await v2({
          method: "POST",
          target: path,
          body: {
            priorities: [
              [t0!.dataHash, 0.9],
              [t1!.dataHash, 0.1],
            ],
          },
        })
      ).status,
    ).toBe(204);
    expect(fake.state.tasksByUuid.get(t0!.uuid)!.priority).toBe(0.9);
    expect(fake.state.tasksByUuid.get(t1!.uuid)!.priority).toBe(0.1);
    expect((await v2({ method: "POST", target: path, body: { priorities: [[t0!.dataHash, 1.5]] } })).status).toBe(400);
    expect(fake.state.tasksByUuid.get(t0!.uuid)!.priority).toBe(0.9);
    const metadata = await v1({
      projectHash: demo.projectHash,
      queryType: "labelrowmetadata",
      queryMethod: "GET",
      uid: null,
      payload: metadataPayload([t0!.dataHash]),
    });
    expect(list(record(metadata.json)["response"])[0]!["priority"]).toBe(0.9);
  });
});

describe("label rows (v1)", () => {
  it("lists metadata, creates rows with PUT, reads them with GET and saves them with POST", async () => {
    const project = fake.addProject(loadProjectSpec(paths.demoSpec), [
      ...images(2, "row"),
      { title: "clip.mp4", dataType: "video", mimeType: "video/mp4", width: 320, height: 240, fps: 25, duration: 2 },
    ]);
    const stage = project.stages.find((s) => s.type === "AGENT")!;
    const hashes = project.tasks.map((t) => t.dataHash);
    const call = (queryType: string, queryMethod: string, uid: unknown, payload: unknown) =>
      v1({ projectHash: project.projectHash, queryType, queryMethod, uid, payload });

    const listed = await call("labelrowmetadata", "GET", null, metadataPayload(hashes));
    expect(listed.status).toBe(200);
    const rows = list(record(listed.json)["response"]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      label_hash: null,
      data_hash: hashes[0],
      data_type: "IMAGE",
      data_title: "row-000.png",
      workflow_graph_node: { uuid: stage.uuid, title: "Pre-label" },
      task_uuid: project.tasks[0]!.uuid,
      priority: 0.5,
      backing_item_uuid: project.tasks[0]!.itemUuid,
      number_of_frames: 1,
      width: 640,
      height: 480,
      branch_name: "main",
    });
    expect(rows[2]).toMatchObject({ data_type: "VIDEO", frames_per_second: 25, duration: 2, number_of_frames: 50 });
    const noUninitialised = await call("labelrowmetadata", "GET", null, { ...metadataPayload(hashes), include_uninitialised_labels: false });
    expect(record(noUninitialised.json)["response"]).toEqual([]);

    const created = await call("labelrow", "PUT", hashes, { multi_request: true, get_signed_url: false, branch_name: null });
    const createdRows = list(record(created.json)["response"]);
    expect(createdRows.map((r) => r["data_hash"])).toEqual(hashes);
    const image = createdRows[0]!;
    expect(Object.keys(image)).toEqual([
      "label_hash",
      "branch_name",
      "created_at",
      "last_edited_at",
      "data_hash",
      "dataset_hash",
      "dataset_title",
      "data_title",
      "data_type",
      "annotation_task_status",
      "is_shadow_data",
      "object_answers",
      "classification_answers",
      "object_actions",
      "label_status",
      "data_units",
      "spaces",
    ]);
    expect(image["data_type"]).toBe("image");
    expect(record(record(image["data_units"])[hashes[0]!])).toMatchObject({
      data_hash: hashes[0],
      data_type: "image/png",
      data_sequence: 0,
      width: 640,
      height: 480,
      labels: { objects: [], classifications: [] },
    });
    expect(record(record(createdRows[2]!["data_units"])[hashes[2]!])).toMatchObject({ data_type: "video/mp4", labels: {}, data_fps: 25, data_duration: 2 });
    const labelHashes = createdRows.map((r) => r["label_hash"] as string);
    expect(fake.state.labelRows.get(hashes[0]!)!.labelHash).toBe(labelHashes[0]);
    // PUT again: the existing rows come back.
    expect(
      list(record((await call("labelrow", "PUT", [hashes[0]], { multi_request: true, get_signed_url: false, branch_name: null })).json)["response"])[0]![
        "label_hash"
      ],
    ).toBe(labelHashes[0]);

    const getPayload = {
      get_signed_url: false,
      multi_request: true,
      include_object_feature_hashes: null,
      include_classification_feature_hashes: null,
      include_reviews: false,
      include_export_history: false,
      include_archived: false,
    };
    const fetched = list(record((await call("labelrow", "GET", labelHashes, getPayload)).json)["response"]);
    expect(fetched).toEqual(createdRows);

    const edited = structuredClone(fetched[0]!);
    const unit = record(record(edited["data_units"])[hashes[0]!]);
    record(unit["labels"])["objects"] = [
      {
        objectHash: "AAAAAAAA",
        featureHash: "Y2F0Ym94",
        name: "Cat",
        value: "cat",
        color: "#D33115",
        shape: "bounding_box",
        boundingBox: { h: 0.1, w: 0.1, x: 0.2, y: 0.2 },
      },
    ];
    edited["object_answers"] = { AAAAAAAA: { objectHash: "AAAAAAAA", classifications: [] } };
    const saved = await call("labelrow", "POST", [labelHashes[0]], { multi_request: true, labels: [edited], validate_before_saving: false });
    expect(saved.json).toEqual({ status: 200, response: { success: true } });
    expect(fake.state.labelRows.get(hashes[0]!)!.row).toEqual(edited);
    expect(list(record((await call("labelrow", "GET", [labelHashes[0]], getPayload)).json)["response"])[0]).toEqual(edited);

    const wrong = await call("labelrow", "POST", [labelHashes[1]], { multi_request: true, labels: [edited], validate_before_saving: false });
    expect(wrong.status).toBe(200);
    expect(wrong.json).toMatchObject({ status: 400, response: ["INVALID_ARGUMENTS_ERROR"] });

    const signed = list(record((await call("labelrow", "GET", [labelHashes[1]], { ...getPayload, get_signed_url: true })).json)["response"])[0]!;
    const link = record(record(signed["data_units"])[hashes[1]!])["data_link"] as string;
    const download = await fetch(link);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe("png bytes of row 1");
  });

  it("refuses more label rows per call than the limit", async () => {
    const project = fake.addProject(loadProjectSpec(paths.demoSpec), images(3, "limit"), { maxLabelsPerRequest: 2 });
    const result = await v1({
      projectHash: project.projectHash,
      queryType: "labelrow",
      queryMethod: "PUT",
      uid: project.tasks.map((t) => t.dataHash),
      payload: { multi_request: true, get_signed_url: false, branch_name: null },
    });
    expect(result.json).toEqual({ status: 400, response: ["MULTI_LABEL_LIMIT_ERROR"], payload: { maximum_labels_allowed: 2 } });
    expect(fake.state.labelRows.get(project.tasks[0]!.dataHash)!.labelHash).toBeNull();
  });
});

describe("storage items", () => {
  it("returns get-bulk results in request order and serves signed URLs", async () => {
    const [a, b, c] = demo.tasks.slice(20, 23);
    const bulk = await v2({
      method: "POST",
      target: "/v2/public/storage/items/get-bulk",
      body: { itemUuids: [c!.itemUuid, a!.itemUuid, b!.itemUuid], signUrls: true },
    });
    expect(bulk.status).toBe(200);
    const results = list(record(bulk.json)["results"]);
    expect(record(bulk.json)["nextPageToken"]).toBeNull();
    expect(results.map((r) => r["uuid"])).toEqual([c!.itemUuid, a!.itemUuid, b!.itemUuid]);
    expect(results[0]).toMatchObject({ itemType: "image", mimeType: "image/png", width: 640, height: 480, name: c!.title, parent: demo.folderUuid });
    expect(results[0]!["clientMetadata"]).toBe('{"index": 22, "note": "\\u00e9"}');

    const signedUrl = results[1]!["signedUrl"] as string;
    const download = await fetch(signedUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe("png bytes of cat 20");
    expect((await fetch(signedUrl.replace(/sig=([0-9a-f])/, (_m, d: string) => `sig=${d === "0" ? "1" : "0"}`))).status).toBe(403);
    expect((await fetch(`${fake.url}/files/${a!.itemUuid}`)).status).toBe(403);

    const unsigned = await v2({ method: "POST", target: "/v2/public/storage/items/get-bulk", body: { itemUuids: [a!.itemUuid], signUrls: false } });
    expect(list(record(unsigned.json)["results"])[0]!["signedUrl"]).toBeNull();
    const unknown = await v2({
      method: "POST",
      target: "/v2/public/storage/items/get-bulk",
      body: { itemUuids: [a!.itemUuid, "00000000-0000-0000-0000-000000000000"], signUrls: true },
    });
    expect(unknown.status).toBe(403);

    const single = await v2({ target: `/v2/public/storage/items/${a!.itemUuid}?signUrl=True` });
    expect(record(single.json)["signedUrl"]).toEqual(expect.stringContaining("/files/"));
    expect((await v2({ target: `/v2/public/storage/items/${a!.itemUuid}?signUrl=true` })).status).toBe(400);

    const patched = await v2({
      method: "PATCH",
      target: "/v2/public/storage/items/patch-bulk",
      body: { itemPatches: { [a!.itemUuid]: { clientMetadata: { fresh: true } } } },
    });
    expect(patched.status).toBe(200);
    expect(list(record(patched.json)["results"])[0]!["clientMetadata"]).toBe('{"fresh": true}');
    expect(fake.state.storageItems.get(a!.itemUuid)!.clientMetadata).toEqual({ fresh: true });
  });
});

describe("faults", () => {
  const projectPath = () => `/v2/public/projects/${demo.projectHash}`;

  it("fails the next requests on demand: 429 with Retry-After, 503, drop", async () => {
    fake.faults.failNext(1, { status: 429, retryAfter: 2 });
    const limited = await v2({ target: projectPath() });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");

    const task = demo.tasks[30]!;
    const actionPath = `/v2/public/projects/${demo.projectHash}/workflow/stages/${agentStage}/actions`;
    const action = [{ taskUuid: task.uuid, action: "PATHWAY_ACTION", pathwayName: "annotate" }];
    fake.faults.failNext(1, { status: 503 });
    expect((await v2({ method: "POST", target: actionPath, body: action })).status).toBe(503);
    expect(fake.state.tasksByUuid.get(task.uuid)!.stageUuid).toBe(agentStage);

    fake.faults.failNext(1, { kind: "drop" });
    await expect(v2({ method: "POST", target: actionPath, body: action })).rejects.toThrow();
    expect(fake.state.tasksByUuid.get(task.uuid)!.stageUuid).toBe(agentStage);
    expect(fake.requests.at(-1)).toMatchObject({ fault: "drop", status: null });

    // A response lost after the move: the task moved once; a retry is refused.
    fake.faults.failNext(1, { kind: "drop", dropAfterHandling: true });
    await expect(v2({ method: "POST", target: actionPath, body: action })).rejects.toThrow();
    expect(fake.state.tasksByUuid.get(task.uuid)!.stageUuid).not.toBe(agentStage);
    expect(fake.state.history.filter((h) => h.taskUuid === task.uuid)).toHaveLength(1);
    expect((await v2({ method: "POST", target: actionPath, body: action })).status).toBe(400);

    fake.faults.failNext(1, { kind: "slow", ms: 150 });
    const started = Date.now();
    expect((await v2({ target: projectPath() })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    fake.faults.failNext(1, { status: 503, match: { api: "v1" } });
    expect((await v2({ target: projectPath() })).status).toBe(200);
    const v1Failed = await v1({ projectHash: demo.projectHash, queryType: "labelrowmetadata", queryMethod: "GET", uid: null, payload: metadataPayload(null) });
    expect(v1Failed.status).toBe(503);
    expect(fake.faults.pending).toBe(0);
  });

  it("fails a seeded, reproducible share of requests", async () => {
    const run = async (server: FakeEncord, project: string): Promise<string> => {
      server.faults.set({ rate: 0.3, kinds: ["429", "500", "502", "503"], retryAfterSeconds: 1 });
      const statuses: number[] = [];
      const previous = fake;
      fake = server;
      try {
        for (let i = 0; i < 40; i++) statuses.push((await v2({ target: `/v2/public/projects/${project}` })).status);
      } finally {
        fake = previous;
      }
      return statuses.join(",");
    };
    const servers = await Promise.all([startFakeEncord({ publicKeys: [key.hex], seed: 42 }), startFakeEncord({ publicKeys: [key.hex], seed: 42 })]);
    try {
      const [one, two] = servers.map((server) => server.addProject(loadProjectSpec(paths.demoSpec), images(1)));
      const first = await run(servers[0], one!.projectHash);
      const second = await run(servers[1], two!.projectHash);
      expect(first).toBe(second);
      const failures = first.split(",").filter((s) => s !== "200").length;
      expect(failures).toBeGreaterThan(3);
      expect(failures).toBeLessThan(25);
      expect(first.split(",").every((s) => ["200", "429", "500", "502", "503"].includes(s))).toBe(true);
      expect(servers[0].requests.filter((r) => r.fault !== undefined)).toHaveLength(failures);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});
