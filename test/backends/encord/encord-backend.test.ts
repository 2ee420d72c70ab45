/**
 * The Encord backend against the fake Encord server (real HTTP on 127.0.0.1, signatures
 * verified): what each Backend method sends, how it maps Encord's answers and failures, and how
 * few requests a batch costs.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { encordBackend, type EncordBackend } from "../../../src/backends/encord/encord-backend.js";
import { ed25519KeyFromSeed, type Ed25519Key } from "../../../src/backends/encord/ssh-key.js";
import { loadProjectSpec } from "../../../src/backends/local/project-spec.js";
import type { LabelRowJson } from "../../../src/domain/label-row-json.js";
import { isConfigurationError } from "../../../src/domain/errors.js";
import { labelRow, Runner, storageItem } from "../../../src/index.js";
import {
  startFakeEncord,
  type AddProjectOptions,
  type AddedProject,
  type FakeEncord,
  type FakeItemSpec,
  type FakeStage,
  type RecordedRequest,
} from "../../support/fake-encord/index.js";
import { paths } from "../../support/paths.js";
import { failure } from "../../support/failure.js";

function newKey(): Ed25519Key {
  const { privateKey } = generateKeyPairSync("ed25519");
  return ed25519KeyFromSeed(Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url"));
}

function images(count: number, prefix: string): FakeItemSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    title: `${prefix}-${String(i).padStart(3, "0")}.png`,
    dataType: "image" as const,
    mimeType: "image/png",
    width: 64,
    height: 48,
    clientMetadata: { index: i },
    fileBytes: Buffer.from(`png bytes of ${prefix} ${i}`),
  }));
}

let fake: FakeEncord;
let key: Ed25519Key;
let otherKey: Ed25519Key;
const open: EncordBackend[] = [];

beforeAll(async () => {
  key = newKey();
  otherKey = newKey();
  fake = await startFakeEncord({ publicKeys: [key.publicKeyHex, otherKey.publicKeyHex], seed: 11 });
});

afterAll(async () => {
  await fake.close();
});

afterEach(async () => {
  fake.faults.clear();
  await Promise.all(open.splice(0).map((backend) => backend.close()));
});

/** A backend on the fake with no rate limit and no waiting between retries. */
function backendWith(signingKey: Ed25519Key = key): EncordBackend {
  const backend = encordBackend({
    settings: { credentials: { kind: "ssh", key: signingKey }, domain: fake.url, warnings: [] },
    requestsPerSecond: Infinity,
    sleep: () => Promise.resolve(),
  });
  open.push(backend);
  return backend;
}

interface DemoProject extends AddedProject {
  readonly agent: FakeStage;
  readonly annotate: FakeStage;
  readonly complete: FakeStage;
  /** Pathway UUID by name ("annotate", "skip"). */
  readonly pathway: Record<"annotate" | "skip", string>;
}

/** The demo project (Pre-label → annotate: Annotate, skip: Complete) with `count` images. */
function demoProject(count: number, prefix: string, options: AddProjectOptions = {}): DemoProject {
  const added = fake.addProject(loadProjectSpec(paths.demoSpec), images(count, prefix), options);
  const stage = (title: string) => added.stages.find((s) => s.title === title)!;
  const agent = stage("Pre-label");
  const pathway = (name: string) => agent.pathways.find((p) => p.title === name)!.uuid;
  return { ...added, agent, annotate: stage("Annotate"), complete: stage("Complete"), pathway: { annotate: pathway("annotate"), skip: pathway("skip") } };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** `"v1 labelrow POST"`, `"POST /projects/{id}/priorities"`. */
function kindOf(request: RecordedRequest): string {
  if (request.api === "v1") return `v1 ${request.queryType} ${request.queryMethod}`;
  return `${request.method} ${request.path.replace("/v2/public", "").replace(UUID, "{id}")}`;
}

const LIST = "GET /projects/{id}/workflow/stages/{id}/tasks";
const ACTIONS = "POST /projects/{id}/workflow/stages/{id}/actions";
const PRIORITIES = "POST /projects/{id}/priorities";
const GET_BULK = "POST /storage/items/get-bulk";

/** The requests the fake received from now on. */
function recorder(): () => RecordedRequest[] {
  const start = fake.requests.length;
  return () => fake.requests.slice(start);
}

function tally(requests: readonly RecordedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) counts[kindOf(request)] = (counts[kindOf(request)] ?? 0) + 1;
  return counts;
}

/** The `values` of a v1 request. */
function v1Values(request: RecordedRequest): { uid: unknown; payload: Record<string, unknown> } {
  return (request.body as { values: { uid: unknown; payload: Record<string, unknown> } }).values;
}

/** Every page of a stage, in order. */
async function allPages(backend: EncordBackend, project: DemoProject) {
  const pages = [];
  let pageToken: string | undefined;
  do {
    const page = await backend.listStageTasks(project.projectHash, project.agent.uuid, pageToken === undefined ? {} : { pageToken });
    pages.push(page);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken !== undefined);
  return pages;
}

describe("getProject", () => {
  test("reads the stages in order, AGENT pathways with their destinations, and the ontology from the ontology endpoint", async () => {
    const demo = demoProject(1, "project");
    const requests = recorder();
    const project = await backendWith().getProject(demo.projectHash);
    expect(project).toMatchObject({ uuid: demo.projectHash, title: "Demo", projectType: "workflow" });
    expect(project.stages.map((s) => [s.title, s.type])).toEqual([
      ["Pre-label", "AGENT"],
      ["Annotate", "ANNOTATION"],
      ["Review", "REVIEW"],
      ["Complete", "DONE"],
    ]);
    expect(project.stages[0]!.pathways).toEqual([
      { uuid: demo.pathway.annotate, name: "annotate", destinationUuid: demo.annotate.uuid },
      { uuid: demo.pathway.skip, name: "skip", destinationUuid: demo.complete.uuid },
    ]);
    // Only AGENT stages carry pathways on the wire (§4.3).
    expect(project.stages.slice(1).map((s) => s.pathways)).toEqual([[], [], []]);
    expect(project.ontology).toEqual(fake.state.projects.get(demo.projectHash)!.ontology);
    expect(requests().map(kindOf)).toEqual(["GET /projects/{id}", "GET /ontologies/{id}"]);
  });

  test("keeps stages of types it does not know (router stages) instead of failing", async () => {
    const demo = demoProject(1, "router");
    const router = { uuid: randomUUID(), title: "Split", type: "USER_ROUTER", pathways: [] } as unknown as FakeStage;
    (fake.state.projects.get(demo.projectHash)!.stages as FakeStage[]).splice(1, 0, router);
    const project = await backendWith().getProject(demo.projectHash);
    expect(project.stages.map((s) => s.type)).toEqual(["AGENT", "USER_ROUTER", "ANNOTATION", "REVIEW", "DONE"]);
    expect(project.stages[1]).toEqual({ uuid: router.uuid, title: "Split", type: "USER_ROUTER", pathways: [] });
  });

  test("an unknown project: NotFoundError (a configuration error) naming the hash, the domain and what to check", async () => {
    const hash = randomUUID();
    const error = await failure(backendWith().getProject(hash));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.name).toBe("NotFoundError");
    expect(error.code).toBe("TA_UNKNOWN_PROJECT");
    expect(error.message).toContain(hash);
    expect(error.message).toContain(fake.url);
    expect(error.message).toMatch(/ENCORD_DOMAIN/);
  });

  test("a key Encord does not know (401): a configuration error saying to register the key", async () => {
    const demo = demoProject(1, "unregistered");
    const error = await failure(backendWith(newKey()).getProject(demo.projectHash));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.code).toBe("TA_ENCORD_AUTH");
    expect(error.message).toMatch(/did not accept the credentials/);
    expect(error.message).toMatch(/registered in your Encord account/);
    expect(error.message).not.toMatch(/encord-sig=|Signature:|Authorization:/);
  });

  test("a key whose user may not use the project (403): a configuration error naming the project and the fix", async () => {
    const demo = demoProject(1, "private", { allowed: [otherKey.publicKeyHex] });
    await expect(backendWith(otherKey).getProject(demo.projectHash)).resolves.toMatchObject({ uuid: demo.projectHash });
    const error = await failure(backendWith().getProject(demo.projectHash));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.code).toBe("TA_ENCORD_FORBIDDEN");
    expect(error.message).toContain(`no access to project ${demo.projectHash}`);
    expect(error.message).toMatch(/Ask an admin of the project to add that user/);
  });

  test("a project that is not a workflow project: a configuration error", async () => {
    const demo = demoProject(1, "manual", { projectType: "manual_qa" });
    const error = await failure(backendWith().getProject(demo.projectHash));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.code).toBe("TA_NOT_WORKFLOW_PROJECT");
    expect(error.message).toMatch(/is a manual_qa project, not a workflow project/);
  });

  test("a project hash that is no UUID is refused before any request", async () => {
    const requests = recorder();
    const error = await failure(backendWith().getProject("Demo"));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.code).toBe("TA_INVALID_PROJECT_HASH");
    expect(error.message).toMatch(/"Demo" is not a UUID/);
    expect(requests()).toEqual([]);
  });
});

describe("listStageTasks", () => {
  test("pages through 250 tasks with Encord's page tokens, oldest first", async () => {
    const demo = demoProject(250, "paged");
    const requests = recorder();
    const pages = await allPages(backendWith(), demo);
    expect(pages.map((p) => p.tasks.length)).toEqual([100, 100, 50]);
    expect(pages.map((p) => p.nextPageToken === null)).toEqual([false, false, true]);
    expect(pages.flatMap((p) => p.tasks.map((t) => t.uuid))).toEqual(demo.tasks.map((t) => t.uuid));
    expect(pages[0]!.tasks[0]).toMatchObject({
      uuid: demo.tasks[0]!.uuid,
      dataHash: demo.tasks[0]!.dataHash,
      dataTitle: "paged-000.png",
      status: "NEW",
      stageUuid: demo.agent.uuid,
      labelBranchName: "main",
      priority: null,
    });
    expect(pages[0]!.tasks[0]!.createdAt).toBeInstanceOf(Date);
    // The token (base64 with + / =) went back percent-encoded, exactly as received.
    expect(requests()[1]!.query).toBe(`pageToken=${encodeURIComponent(pages[0]!.nextPageToken!)}`);
  });

  test("dataHashes lists only those items' tasks; an empty list asks nothing", async () => {
    const demo = demoProject(250, "filtered");
    const backend = backendWith();
    const wanted = [demo.tasks[200]!, demo.tasks[3]!, demo.tasks[7]!];
    const requests = recorder();
    const page = await backend.listStageTasks(demo.projectHash, demo.agent.uuid, { dataHashes: wanted.map((t) => t.dataHash) });
    expect(page.tasks.map((t) => t.uuid)).toEqual([demo.tasks[3]!.uuid, demo.tasks[7]!.uuid, demo.tasks[200]!.uuid]);
    expect(page.nextPageToken).toBeNull();
    expect(requests()).toHaveLength(1);
    expect(await backend.listStageTasks(demo.projectHash, demo.agent.uuid, { dataHashes: [] })).toEqual({ tasks: [], nextPageToken: null });
    expect(requests()).toHaveLength(1);
  });
});

describe("getLabelRowMetadata", () => {
  test("answers in the order asked and leaves unknown data hashes out", async () => {
    const demo = demoProject(3, "meta");
    const [a, b, c] = demo.tasks;
    const requests = recorder();
    const metadata = await backendWith().getLabelRowMetadata(demo.projectHash, [c!.dataHash, randomUUID(), a!.dataHash, b!.dataHash]);
    expect(metadata.map((m) => m.data_hash)).toEqual([c!.dataHash, a!.dataHash, b!.dataHash]);
    expect(metadata[0]).toMatchObject({
      label_hash: null,
      backing_item_uuid: c!.itemUuid,
      task_uuid: c!.uuid,
      data_title: "meta-002.png",
      workflow_graph_node: { uuid: demo.agent.uuid, title: "Pre-label" },
    });
    expect(requests().map(kindOf)).toEqual(["v1 labelrowmetadata GET"]);
    expect(v1Values(requests()[0]!).payload).toMatchObject({ include_uninitialised_labels: true, include_workflow_graph_node: true });
  });

  test('a server that sends the string "None" for null: the metadata holds null, and its label rows read as usual', async () => {
    const demo = demoProject(2, "none", { nullAsNone: true });
    const backend = backendWith();
    const hashes = demo.tasks.map((t) => t.dataHash);
    const metadata = await backend.getLabelRowMetadata(demo.projectHash, hashes);
    expect(metadata).toHaveLength(2);
    for (const entry of metadata) {
      expect(Object.values(entry)).not.toContain("None");
      expect(entry).toMatchObject({ label_hash: null, group_hash: null, audio_codec: null, data_hash: expect.any(String) as unknown });
    }
    const rows = await backend.getLabelRows(demo.projectHash, hashes);
    expect(rows.map((row) => row.data_hash)).toEqual(hashes);
  });

  test("2,500 data hashes go in 3 requests of at most 1,000", async () => {
    const demo = demoProject(250, "chunked");
    const hashes = Array.from({ length: 2500 }, (_, i) => (i % 10 === 0 ? demo.tasks[i / 10]!.dataHash : randomUUID()));
    const requests = recorder();
    const metadata = await backendWith().getLabelRowMetadata(demo.projectHash, hashes);
    expect(metadata.map((m) => m.data_hash)).toEqual(demo.tasks.map((t) => t.dataHash));
    expect(requests().map((r) => (v1Values(r).payload["data_hashes"] as string[]).length)).toEqual([1000, 1000, 500]);
  });
});

describe("getLabelRows", () => {
  test("fetches existing rows (GET), creates missing ones (PUT), keeps the order, and lists no metadata twice", async () => {
    const demo = demoProject(4, "rows");
    const [t0, t1, t2, t3] = demo.tasks;
    const created = await backendWith().getLabelRows(demo.projectHash, [t0!.dataHash, t1!.dataHash]);
    expect(created.map((r) => r.label_hash)).toEqual([fake.state.labelRows.get(t0!.dataHash)!.labelHash, fake.state.labelRows.get(t1!.dataHash)!.labelHash]);

    const backend = backendWith();
    const requests = recorder();
    await backend.getLabelRowMetadata(
      demo.projectHash,
      demo.tasks.map((t) => t.dataHash),
    );
    const rows = await backend.getLabelRows(demo.projectHash, [t3!.dataHash, t0!.dataHash, t2!.dataHash, t1!.dataHash]);
    expect(rows.map((r) => r.data_hash)).toEqual([t3!.dataHash, t0!.dataHash, t2!.dataHash, t1!.dataHash]);
    expect(rows.map((r) => r.label_hash)).toEqual([t3, t0, t2, t1].map((t) => fake.state.labelRows.get(t!.dataHash)!.labelHash));
    expect(rows[1]!.label_hash).toBe(created[0]!.label_hash);
    expect(requests().map(kindOf)).toEqual(["v1 labelrowmetadata GET", "v1 labelrow GET", "v1 labelrow PUT"]);
    expect(v1Values(requests()[1]!).uid).toEqual([created[0]!.label_hash, created[1]!.label_hash]);
    expect(v1Values(requests()[2]!).uid).toEqual([t3!.dataHash, t2!.dataHash]);
  });

  test("without metadata listed before, one listing finds the label hashes", async () => {
    const demo = demoProject(2, "fresh");
    await backendWith().getLabelRows(demo.projectHash, [demo.tasks[0]!.dataHash]);
    const requests = recorder();
    const rows = await backendWith().getLabelRows(
      demo.projectHash,
      demo.tasks.map((t) => t.dataHash),
    );
    expect(rows.map((r) => r.data_hash)).toEqual(demo.tasks.map((t) => t.dataHash));
    expect(requests().map(kindOf)).toEqual(["v1 labelrowmetadata GET", "v1 labelrow GET", "v1 labelrow PUT"]);
  });
});

describe("getStorageItems", () => {
  test("answers in the order asked, with signed URLs that download the file when asked for", async () => {
    const demo = demoProject(3, "items");
    const uuids = demo.tasks.map((t) => t.itemUuid).reverse();
    const backend = backendWith();
    const signed = await backend.getStorageItems(uuids, { signUrls: true });
    expect(signed.map((i) => i.uuid)).toEqual(uuids);
    expect(signed[0]).toMatchObject({ itemType: "image", name: "items-002.png", mimeType: "image/png", width: 64, height: 48, clientMetadata: { index: 2 } });
    expect(signed.every((i) => i.signedUrl?.startsWith(`${fake.url}/files/`))).toBe(true);
    const download = await fetch(signed[0]!.signedUrl!);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe("png bytes of items 2");
    const unsigned = await backend.getStorageItems(uuids);
    expect(unsigned.map((i) => i.signedUrl)).toEqual([null, null, null]);
  });

  test("an unknown or inaccessible item fails the call, naming it", async () => {
    const demo = demoProject(1, "missing");
    const unknown = randomUUID();
    const error = await failure(backendWith().getStorageItems([demo.tasks[0]!.itemUuid, unknown]));
    expect(error.code).toBe("TA_MISSING_STORAGE_ITEMS");
    expect(error.message).toContain(unknown);
    expect(error.message).toMatch(/do not exist, or the key's user has no access/);
  });
});

describe("updateStorageItems", () => {
  test("patches names and client metadata in one request and answers in the order given", async () => {
    const demo = demoProject(3, "patch");
    const [a, b] = demo.tasks;
    const requests = recorder();
    const items = await backendWith().updateStorageItems([
      { uuid: b!.itemUuid, clientMetadata: { reviewed: true } },
      { uuid: a!.itemUuid, name: "renamed.png" },
      { uuid: b!.itemUuid, description: "second patch of b" },
    ]);
    expect(items.map((i) => i.uuid)).toEqual([b!.itemUuid, a!.itemUuid]);
    expect(items[0]).toMatchObject({ clientMetadata: { reviewed: true }, description: "second patch of b" });
    expect(items[1]).toMatchObject({ name: "renamed.png", clientMetadata: { index: 0 } });
    expect(requests().map(kindOf)).toEqual(["PATCH /storage/items/patch-bulk"]);
    expect(fake.state.storageItems.get(b!.itemUuid)!.clientMetadata).toEqual({ reviewed: true });
  });

  test("an unknown item fails the call and changes nothing", async () => {
    const demo = demoProject(1, "patch-missing");
    const unknown = randomUUID();
    const error = await failure(
      backendWith().updateStorageItems([
        { uuid: demo.tasks[0]!.itemUuid, name: "x.png" },
        { uuid: unknown, name: "y.png" },
      ]),
    );
    expect(error.code).toBe("TA_MISSING_STORAGE_ITEMS");
    expect(fake.state.storageItems.get(demo.tasks[0]!.itemUuid)!.name).toBe("patch-missing-000.png");
  });
});

/** The demo project with its label rows fetched (created) by `backend`, ready to commit. */
async function readyToCommit(count: number, prefix: string) {
  const demo = demoProject(count, prefix);
  const backend = backendWith();
  await backend.getProject(demo.projectHash);
  const rows = await backend.getLabelRows(
    demo.projectHash,
    demo.tasks.map((t) => t.dataHash),
  );
  return { demo, backend, rows };
}

function edited(row: LabelRowJson, note: string): LabelRowJson {
  return {
    ...row,
    label_status: "LABEL_IN_PROGRESS",
    classification_answers: { note: { classificationHash: "note", featureHash: note, classifications: [], spaces: {} } },
  };
}

/** Moves recorded by the fake for a task, through task actions. */
function actionMoves(taskUuid: string) {
  return fake.state.history.filter((m) => m.taskUuid === taskUuid && m.via === "action");
}

describe("commit", () => {
  test("saves, then priorities, then moves: saves and priorities in chunks of 100, moves in one request of up to 1,000", async () => {
    const { demo, backend, rows } = await readyToCommit(250, "commit");
    const requests = recorder();
    const result = await backend.commit(demo.projectHash, {
      labelSaves: rows.map((row, i) => ({ dataHash: row.data_hash, labelRow: edited(row, `n${i}`) })),
      priorities: demo.tasks.map((t, i) => ({ dataHash: t.dataHash, priority: i / 1000 })),
      moves: demo.tasks.map((t, i) => ({
        taskUuid: t.uuid,
        fromStageUuid: demo.agent.uuid,
        pathwayUuid: i % 2 === 0 ? demo.pathway.annotate : demo.pathway.skip,
        dataHash: t.dataHash,
      })),
    });
    expect(result.saved).toBe(250);
    expect(result.prioritised).toBe(250);
    expect(result.refused).toEqual([]);
    expect(result.moved).toEqual(demo.tasks.map((t, i) => ({ taskUuid: t.uuid, toStageUuid: i % 2 === 0 ? demo.annotate.uuid : demo.complete.uuid })));

    const sent = requests();
    expect(sent.map(kindOf)).toEqual([...Array<string>(3).fill("v1 labelrow POST"), ...Array<string>(3).fill(PRIORITIES), ACTIONS]);
    // The chunks of a phase go out together, so they may arrive in any order.
    expect(
      sent
        .slice(0, 3)
        .map((r) => (v1Values(r).uid as string[]).length)
        .sort((a, b) => b - a),
    ).toEqual([100, 100, 50]);
    expect(
      sent
        .slice(3, 6)
        .map((r) => (r.body as { priorities: unknown[] }).priorities.length)
        .sort((a, b) => b - a),
    ).toEqual([100, 100, 50]);
    expect((sent[6]!.body as unknown[]).length).toBe(250);
    expect(sent.every((r) => r.status === 200 || r.status === 204)).toBe(true);

    demo.tasks.forEach((t, i) => {
      const state = fake.state.tasksByUuid.get(t.uuid)!;
      expect(state.stageUuid).toBe(i % 2 === 0 ? demo.annotate.uuid : demo.complete.uuid);
      expect(state.priority).toBe(i / 1000);
      expect(fake.state.labelRows.get(t.dataHash)!.row).toMatchObject({
        label_status: "LABEL_IN_PROGRESS",
        classification_answers: { note: { featureHash: `n${i}` } },
      });
    });
  });

  test("a task that left the stage is refused (not-in-stage) and the others still move", async () => {
    const { demo, backend } = await readyToCommit(3, "left");
    const [t0, t1, t2] = demo.tasks;
    // Someone moves t1 on in the Encord app, to where the agent would have sent it.
    fake.moveTask(t1!.uuid, "Annotate");
    const result = await backend.commit(demo.projectHash, {
      moves: demo.tasks.map((t) => ({ taskUuid: t.uuid, fromStageUuid: demo.agent.uuid, pathwayUuid: demo.pathway.annotate, dataHash: t.dataHash })),
    });
    expect(result.moved).toEqual([t0, t2].map((t) => ({ taskUuid: t!.uuid, toStageUuid: demo.annotate.uuid })));
    expect(result.refused).toEqual([{ taskUuid: t1!.uuid, reason: "not-in-stage", message: expect.stringMatching(/no longer in stage/) as unknown }]);
    expect([t0, t1, t2].map((t) => actionMoves(t!.uuid).length)).toEqual([1, 0, 1]);
  });

  test("a move whose answer was lost after Encord applied it counts as moved, once", async () => {
    const { demo, backend } = await readyToCommit(3, "lost-move");
    fake.faults.failNext(1, { kind: "drop", dropAfterHandling: true, match: { path: /\/actions$/ } });
    const requests = recorder();
    const result = await backend.commit(demo.projectHash, {
      moves: demo.tasks.map((t, i) => ({
        taskUuid: t.uuid,
        fromStageUuid: demo.agent.uuid,
        pathwayUuid: i === 2 ? demo.pathway.skip : demo.pathway.annotate,
        dataHash: t.dataHash,
      })),
    });
    expect(result.refused).toEqual([]);
    expect(result.moved).toEqual(demo.tasks.map((t, i) => ({ taskUuid: t.uuid, toStageUuid: i === 2 ? demo.complete.uuid : demo.annotate.uuid })));
    expect(demo.tasks.map((t) => actionMoves(t.uuid).length)).toEqual([1, 1, 1]);
    // The lost action request, its resend (refused whole: the tasks had left the stage), then one
    // metadata lookup to see where they are (no stage listings): never a second move.
    expect(tally(requests())[ACTIONS]).toBe(2);
    expect(tally(requests())["v1 labelrowmetadata GET"]).toBe(1);
    expect(tally(requests())[LIST]).toBeUndefined();
    expect(requests()[0]!.fault).toBe("drop-after-handling");
    expect(requests()[1]!.status).toBeGreaterThanOrEqual(400);
  });

  test("without data hashes, a lost move is checked by listing the stages instead, and still counts once", async () => {
    const { demo, backend } = await readyToCommit(3, "lost-move-no-hash");
    fake.faults.failNext(1, { kind: "drop", dropAfterHandling: true, match: { path: /\/actions$/ } });
    const requests = recorder();
    const result = await backend.commit(demo.projectHash, {
      moves: demo.tasks.map((t) => ({ taskUuid: t.uuid, fromStageUuid: demo.agent.uuid, pathwayUuid: demo.pathway.annotate })),
    });
    expect(result.refused).toEqual([]);
    expect(result.moved.map((m) => m.taskUuid)).toEqual(demo.tasks.map((t) => t.uuid));
    expect(demo.tasks.map((t) => actionMoves(t.uuid).length)).toEqual([1, 1, 1]);
    expect(tally(requests())[ACTIONS]).toBe(2);
    expect(tally(requests())[LIST]).toBeGreaterThan(0);
    expect(tally(requests())["v1 labelrowmetadata GET"]).toBeUndefined();
  });

  test("a move lost before Encord handled it is sent again at once, without a lookup, as the SDK does", async () => {
    const { demo, backend } = await readyToCommit(2, "lost-early");
    fake.faults.failNext(1, { kind: "drop", match: { path: /\/actions$/ } });
    const requests = recorder();
    const result = await backend.commit(demo.projectHash, {
      moves: demo.tasks.map((t) => ({ taskUuid: t.uuid, fromStageUuid: demo.agent.uuid, pathwayUuid: demo.pathway.annotate, dataHash: t.dataHash })),
    });
    expect(result.moved.map((m) => m.taskUuid)).toEqual(demo.tasks.map((t) => t.uuid));
    expect(demo.tasks.map((t) => actionMoves(t.uuid).length)).toEqual([1, 1]);
    expect(tally(requests())[ACTIONS]).toBe(2);
    expect(tally(requests())["v1 labelrowmetadata GET"]).toBeUndefined();
    expect(tally(requests())[LIST]).toBeUndefined();
  });

  test("a save whose answer was lost is sent again with the same content: nothing is lost", async () => {
    const { demo, backend, rows } = await readyToCommit(2, "lost-save");
    fake.faults.failNext(1, { kind: "drop", dropAfterHandling: true, match: { api: "v1", queryType: "labelrow", queryMethod: "POST" } });
    const saves = rows.map((row, i) => ({ dataHash: row.data_hash, labelRow: edited(row, `kept${i}`) }));
    const requests = recorder();
    const result = await backend.commit(demo.projectHash, { labelSaves: saves });
    expect(result.saved).toBe(2);
    const posts = requests().filter((r) => kindOf(r) === "v1 labelrow POST");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body).toEqual(posts[0]!.body);
    saves.forEach((save) => expect(fake.state.labelRows.get(save.dataHash)!.row).toEqual(save.labelRow));
  });

  test("503 and 429 answers are retried; each task moves once", async () => {
    const { demo, backend, rows } = await readyToCommit(2, "retried");
    fake.faults.failNext(1, { status: 503, match: { api: "v1", queryType: "labelrow", queryMethod: "POST" } });
    fake.faults.failNext(1, { status: 429, retryAfter: 0, match: { path: /\/priorities$/ } });
    fake.faults.failNext(1, { status: 429, retryAfter: 0, match: { path: /\/actions$/ } });
    fake.faults.failNext(1, { status: 503, match: { path: /\/actions$/ } });
    const requests = recorder();
    const result = await backend.commit(demo.projectHash, {
      labelSaves: rows.map((row) => ({ dataHash: row.data_hash, labelRow: edited(row, "x") })),
      priorities: demo.tasks.map((t) => ({ dataHash: t.dataHash, priority: 0.9 })),
      moves: demo.tasks.map((t) => ({ taskUuid: t.uuid, fromStageUuid: demo.agent.uuid, pathwayUuid: demo.pathway.skip, dataHash: t.dataHash })),
    });
    expect(result).toMatchObject({ saved: 2, prioritised: 2, refused: [] });
    expect(result.moved).toHaveLength(2);
    expect(fake.faults.pending).toBe(0);
    expect(tally(requests())).toMatchObject({ "v1 labelrow POST": 2, [PRIORITIES]: 2, [ACTIONS]: 3 });
    // A 503 is sent again at once, as a 429 is: no lookup of where the tasks are.
    expect(tally(requests())["v1 labelrowmetadata GET"]).toBeUndefined();
    expect(demo.tasks.map((t) => actionMoves(t.uuid).length)).toEqual([1, 1]);
    expect(demo.tasks.map((t) => fake.state.tasksByUuid.get(t.uuid)!.priority)).toEqual([0.9, 0.9]);
  });

  test("a pathway that is not the stage's is refused (unknown-pathway) without asking Encord", async () => {
    const { demo, backend } = await readyToCommit(1, "bad-pathway");
    const requests = recorder();
    const result = await backend.commit(demo.projectHash, {
      moves: [{ taskUuid: demo.tasks[0]!.uuid, fromStageUuid: demo.agent.uuid, pathwayUuid: randomUUID() }],
    });
    expect(result.moved).toEqual([]);
    expect(result.refused).toEqual([
      { taskUuid: demo.tasks[0]!.uuid, reason: "unknown-pathway", message: expect.stringMatching(/its pathways: "annotate" .*"skip"/) as unknown },
    ]);
    expect(requests()).toEqual([]);
  });

  test("a save of a row never fetched is refused before anything is sent", async () => {
    const { demo, backend, rows } = await readyToCommit(2, "unsaved");
    const requests = recorder();
    const stranger = { ...rows[1]!, label_hash: null, data_hash: randomUUID() };
    const error = await failure(
      backend.commit(demo.projectHash, {
        labelSaves: [
          { dataHash: rows[0]!.data_hash, labelRow: rows[0]! },
          { dataHash: stranger.data_hash, labelRow: stranger },
        ],
      }),
    );
    expect(error.message).toContain(stranger.data_hash);
    expect(requests()).toEqual([]);
  });
});

describe("requests for a batch of 300 tasks", () => {
  const minimal = (rows: "v1 labelrow GET" | "v1 labelrow PUT") => ({
    [LIST]: 3, // one page per 100 tasks (the fake's page size)
    "v1 labelrowmetadata GET": 1,
    [rows]: 1,
    [GET_BULK]: 1,
    "v1 labelrow POST": 3,
    [PRIORITIES]: 3,
    [ACTIONS]: 1,
  });

  test.each([
    ["new label rows (created)", "v1 labelrow PUT" as const],
    ["existing label rows (fetched)", "v1 labelrow GET" as const],
  ])("list, label rows, storage items, saves, priorities, moves: the minimal pattern, %s", async (_name, rowsCall) => {
    const demo = demoProject(300, `batch-${rowsCall.slice(-3)}`);
    if (rowsCall === "v1 labelrow GET")
      await backendWith().getLabelRows(
        demo.projectHash,
        demo.tasks.map((t) => t.dataHash),
      );
    const backend = backendWith();
    await backend.getProject(demo.projectHash);
    const requests = recorder();
    const tasks = (await allPages(backend, demo)).flatMap((p) => p.tasks);
    const metadata = await backend.getLabelRowMetadata(
      demo.projectHash,
      tasks.map((t) => t.dataHash),
    );
    const rows = await backend.getLabelRows(
      demo.projectHash,
      tasks.map((t) => t.dataHash),
    );
    const items = await backend.getStorageItems(
      metadata.map((m) => m.backing_item_uuid!),
      { signUrls: true },
    );
    expect([tasks.length, metadata.length, rows.length, items.length]).toEqual([300, 300, 300, 300]);
    const result = await backend.commit(demo.projectHash, {
      labelSaves: rows.map((row) => ({ dataHash: row.data_hash, labelRow: edited(row, "batch") })),
      priorities: tasks.map((t) => ({ dataHash: t.dataHash, priority: 0.25 })),
      moves: tasks.map((t) => ({ taskUuid: t.uuid, fromStageUuid: demo.agent.uuid, pathwayUuid: demo.pathway.annotate, dataHash: t.dataHash })),
    });
    expect(result.moved).toHaveLength(300);
    expect(tally(requests())).toEqual(minimal(rowsCall));
    expect(requests()).toHaveLength(13);
    // getProject (project + ontology) before, no retries.
    expect(backend.stats.requests).toBe(15);
    expect(backend.stats.retries).toBe(0);
  });

  test("the Runner on the Encord backend sends the same pattern", async () => {
    const demo = demoProject(300, "runner");
    const backend = backendWith();
    const requests = recorder();
    const runner = new Runner({ projectHash: demo.projectHash, backend });
    runner.stage("Pre-label", { deps: { labelRow, storageItem } }, ({ labelRow: row, storageItem: item }) => {
      row.setPriority(item.width === 64 ? 0.75 : 0);
      return { pathway: "annotate", labelRow: row };
    });
    const report = await runner.execute({ taskBatchSize: 300, output: "silent" });
    expect(report.stages[0]).toMatchObject({ seen: 300, succeeded: 300, failed: 0, moved: { annotate: 300 } });
    expect(tally(requests())).toEqual({ "GET /projects/{id}": 1, "GET /ontologies/{id}": 1, ...minimal("v1 labelrow PUT") });
    expect(fake.tasksIn(demo.annotate.uuid)).toHaveLength(300);
    expect(fake.tasksIn(demo.annotate.uuid).every((t) => t.priority === 0.75)).toBe(true);
  });
});
