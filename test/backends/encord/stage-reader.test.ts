/**
 * The Encord backend's stage reader (`readStageAhead`): a stage's listing read on a thread of its
 * own. The thread's module exists only in the build, so these tests use dist/ (`npm run build`).
 * What they check from outside: pages keep being read while nobody asks for them (only a second
 * thread can do that), each page once and in order, never past `maxTasks`, errors met as without
 * the thread, and nothing read after `close()`.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type * as BackendModule from "../../../src/backends/encord/encord-backend.js";
import type * as KeyModule from "../../../src/backends/encord/ssh-key.js";
import type * as ReaderModule from "../../../src/backends/encord/listing/threaded-stage-reader.js";
import { loadProjectSpec } from "../../../src/backends/local/project-spec.js";
import { rejectionOf } from "../../support/failure.js";
import { startFakeEncord, type FakeEncord, type FakeItemSpec } from "../../support/fake-encord/index.js";
import { paths } from "../../support/paths.js";

const dist = new URL("../../../dist/", import.meta.url);
if (!existsSync(fileURLToPath(new URL("backends/encord/listing/reader-thread.js", dist))))
  throw new Error("dist/ is missing the stage reader: run `npm run build` before this test.");
type Built = typeof BackendModule;
type BuiltKeys = typeof KeyModule;
type BuiltReader = typeof ReaderModule;
const { encordBackend } = (await import(new URL("backends/encord/encord-backend.js", dist).href)) as Built;
const { threadAfterTasks } = (await import(new URL("backends/encord/listing/threaded-stage-reader.js", dist).href)) as BuiltReader;
const { ed25519KeyFromSeed } = (await import(new URL("backends/encord/ssh-key.js", dist).href)) as BuiltKeys;
type Backend = ReturnType<Built["encordBackend"]>;

const pageSize = 7;
const taskCount = 150;
let fake: FakeEncord;
let key: ReturnType<BuiltKeys["ed25519KeyFromSeed"]>;
const open: Backend[] = [];

beforeAll(async () => {
  const { privateKey } = generateKeyPairSync("ed25519");
  key = ed25519KeyFromSeed(Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url"));
  fake = await startFakeEncord({ publicKeys: [key.publicKeyHex], seed: 5 });
});

afterAll(async () => {
  await fake.close();
});

afterEach(async () => {
  fake.faults.clear();
  await Promise.all(open.splice(0).map((backend) => backend.close()));
});

function project(tasks = taskCount): { projectHash: string; stageUuid: string; taskUuids: string[] } {
  const items: FakeItemSpec[] = Array.from({ length: tasks }, (_, i) => ({
    title: `img-${String(i).padStart(3, "0")}.png`,
    dataType: "image",
    mimeType: "image/png",
    width: 8,
    height: 8,
    fileBytes: Buffer.from(`png ${i}`),
  }));
  const added = fake.addProject(loadProjectSpec(paths.demoSpec), items, { pageSize });
  const stage = added.stages.find((s) => s.title === "Pre-label")!;
  return { projectHash: added.projectHash, stageUuid: stage.uuid, taskUuids: added.tasks.filter((t) => t.stageUuid === stage.uuid).map((t) => t.uuid) };
}

function backend(): Backend {
  const made = encordBackend({ settings: { credentials: { kind: "ssh", key }, domain: fake.url, warnings: [] } });
  open.push(made);
  return made;
}

const listings = (stageUuid: string): number => fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/stages/${stageUuid}/tasks`)).length;

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Pages read here before the reader thread is started. */
const pagesHere = Math.ceil(threadAfterTasks / pageSize);

/** Reads the first pages on this thread, gives the reader thread time to start, and hands it the listing. */
async function handOver(reader: { next(): Promise<{ tasks: readonly { uuid: string }[] }> }): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < pagesHere; i++) seen.push(...(await reader.next()).tasks.map((t) => t.uuid));
  await new Promise((resolve) => setTimeout(resolve, 400));
  seen.push(...(await reader.next()).tasks.map((t) => t.uuid));
  return seen;
}

test("pages go on being read while nobody asks, each once and in order, and the stage is listed whole", async () => {
  const { projectHash, stageUuid, taskUuids } = project();
  const encord = backend();
  const reader = encord.readStageAhead(projectHash, stageUuid);
  const seen = await handOver(reader);
  const pages = Math.ceil(taskUuids.length / pageSize);
  // Nobody calls next(): only the reader thread can be listing.
  await until("the reader thread to read the whole stage", () => listings(stageUuid) === pages);
  for (;;) {
    const page = await reader.next();
    seen.push(...page.tasks.map((t) => t.uuid));
    if (page.nextPageToken === null) break;
  }
  await reader.close();
  expect(seen).toEqual(taskUuids);
  expect(listings(stageUuid)).toBe(pages);
  // The thread's requests count as this backend's.
  expect(encord.stats.byEndpoint.get("GET /v2/public/projects/{id}/workflow/stages/{id}/tasks")).toBe(pages);
});

test("no page is read ahead past maxTasks; asked for more, the listing goes on here", async () => {
  const { projectHash, stageUuid, taskUuids } = project();
  const reader = backend().readStageAhead(projectHash, stageUuid, { maxTasks: 100 });
  const seen = await handOver(reader);
  // 84 tasks were read here, the thread may read 16 more: three pages.
  await until("the reader thread's three pages", () => listings(stageUuid) === pagesHere + 3);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(listings(stageUuid)).toBe(pagesHere + 3);
  seen.push(...(await reader.next()).tasks.map((t) => t.uuid));
  seen.push(...(await reader.next()).tasks.map((t) => t.uuid));
  seen.push(...(await reader.next()).tasks.map((t) => t.uuid));
  expect(listings(stageUuid)).toBe(pagesHere + 4);
  await reader.close();
  expect(seen).toEqual(taskUuids.slice(0, (pagesHere + 4) * pageSize));
});

test("a short listing is read here, without a thread: every page over the one connection", async () => {
  const { projectHash, stageUuid, taskUuids } = project(60);
  const reader = backend().readStageAhead(projectHash, stageUuid);
  const seen: string[] = [];
  for (;;) {
    const page = await reader.next();
    seen.push(...page.tasks.map((t) => t.uuid));
    // Time a thread would have had to start and take over.
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (page.nextPageToken === null) break;
  }
  await reader.close();
  expect(seen).toEqual(taskUuids);
  const pages = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/stages/${stageUuid}/tasks`));
  expect(pages).toHaveLength(Math.ceil(60 / pageSize));
  expect(new Set(pages.map((r) => r.remotePort)).size).toBe(1);
});

test("a long listing is taken over by the thread, over a connection of its own", async () => {
  const { projectHash, stageUuid } = project();
  const reader = backend().readStageAhead(projectHash, stageUuid);
  await handOver(reader);
  await reader.close();
  const pages = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/stages/${stageUuid}/tasks`));
  const here = new Set(pages.slice(0, pagesHere).map((r) => r.remotePort));
  expect(here.size).toBe(1);
  expect(here.has(pages[pagesHere]!.remotePort)).toBe(false);
});

test("a page that fails on the reader thread is read again here, and a lasting error is the listing's own", async () => {
  const { projectHash, stageUuid } = project();
  const encord = backend();
  const reader = encord.readStageAhead(projectHash, stageUuid);
  for (let i = 0; i < pagesHere; i++) await reader.next();
  await new Promise((resolve) => setTimeout(resolve, 400));
  fake.faults.failNext(2, { status: 400, match: { path: new RegExp(`/stages/${stageUuid}/tasks$`) } });
  const failed = await rejectionOf(reader.next());
  fake.faults.failNext(1, { status: 400, match: { path: new RegExp(`/stages/${stageUuid}/tasks$`) } });
  const direct = await rejectionOf(encord.listStageTasks(projectHash, stageUuid));
  expect(failed).toBeInstanceOf(Error);
  expect(failed.constructor.name).toBe(direct.constructor.name);
  expect(failed.code).toBe(direct.code);
  await reader.close();
});

test("close() stops the reading: no request after it", async () => {
  const { projectHash, stageUuid } = project();
  fake.faults.failNext(200, { kind: "slow", ms: 30, match: { path: new RegExp(`/stages/${stageUuid}/tasks$`) } });
  const reader = backend().readStageAhead(projectHash, stageUuid);
  await handOver(reader);
  await reader.close();
  const after = listings(stageUuid);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(listings(stageUuid)).toBe(after);
  expect(after).toBeLessThan(Math.ceil(taskCount / pageSize));
});
