/**
 * One project, the same on every backend: the runner suites run each test on the local store and
 * on the fake Encord server (test/support/fake-encord) through {@link backends}:
 *
 * ```ts
 * describe.each(backends)("on $name", ({ create }) => {
 *   test("…", async () => {
 *     await using store = await create({ spec: notesSpec, items: 4 });
 *     const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
 *     …
 *     expect(await store.tasksIn("Annotate")).toHaveLength(4);
 *   });
 * });
 * ```
 *
 * The accessors (`tasksIn`, `labelRow`, `priority`, `moveHistory`, `moveTask`, `addItem`) never go
 * through `backend`, so its recorded calls stay the runner's own.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { imageSize } from "image-size";
import * as mupdf from "mupdf";
import { encordBackend, type EncordBackend } from "../../src/backends/encord/encord-backend.js";
import type { EncordSettings } from "../../src/backends/encord/settings.js";
import { ed25519KeyFromSeed } from "../../src/backends/encord/ssh-key.js";
import { loadProjectSpec } from "../../src/backends/local/project-spec.js";
import { localBackend, type Backend, type LabelRowJson, type Pathway, type Project, type Stage, type WorkflowTask } from "../../src/index.js";
import { countingBackend, type CountingBackend } from "./counting-backend.js";
import { startFakeEncord, type FakeEncord, type FakeItemSpec, type FakeTaskRef } from "./fake-encord/index.js";
import { paths } from "./paths.js";
import { tempDir } from "./temp-dir.js";

/** What a project is made of: a spec file path or an inline spec (the demo project by default), and its items. */
export interface ProjectOptions {
  readonly spec?: string | object;
  /**
   * `"demo"` for the four files of examples/data, a list of file paths, or a number of URL items
   * titled `i-1.png`, `i-2.png`, … (on the local store `https://example.com/i-1.png`, …).
   */
  readonly items?: number | "demo" | readonly string[];
}

/** One task move, with stage titles and the pathway name (null when none was taken). */
export interface MoveLine {
  readonly taskUuid: string;
  /** null for the local store's first placement of a task. */
  readonly fromStage: string | null;
  readonly toStage: string;
  readonly pathway: string | null;
}

/** A project on one backend, with what the runner tests need to set up and to check. */
export interface BackendProject extends AsyncDisposable {
  readonly kind: "local" | "encord";
  readonly projectHash: string;
  readonly project: Project;
  /** Give this one to the Runner: every call is recorded (`backend.count("commit")`, …). */
  readonly backend: CountingBackend;
  /** The local store's file (for the CLI); null on Encord. */
  readonly storePath: string | null;
  stage(title: string): Stage;
  pathway(stageTitle: string, name: string): Pathway;
  /** Every task now in the stage, in listing order (as the backend lists them). */
  tasksIn(stageTitle: string): Promise<WorkflowTask[]>;
  /** The label row as saved (as the backend returns it). */
  labelRow(dataHash: string): Promise<LabelRowJson>;
  /** The task's priority now. */
  priority(dataHash: string): Promise<number | null>;
  /** Every move of the project's tasks, oldest first. */
  moveHistory(): Promise<MoveLine[]>;
  /** Moves a task the way a person (or another worker) would, outside the runner. */
  moveTask(taskUuid: string, stageTitle: string, pathwayName: string): Promise<void>;
  /** A new URL item arrives in the project (its task starts where new tasks start). */
  addItem(title: string): Promise<void>;
  close(): Promise<void>;
}

/** How to make a {@link BackendProject} on one backend. */
export interface BackendFixture {
  readonly name: "local" | "encord";
  readonly create: (options?: ProjectOptions) => Promise<BackendProject>;
}

function finder(project: Project): Pick<BackendProject, "stage" | "pathway"> {
  const stage = (title: string): Stage => {
    const found = project.stages.find((s) => s.title === title);
    if (!found) throw new Error(`no stage ${title} in ${project.stages.map((s) => s.title).join(", ")}`);
    return found;
  };
  return {
    stage,
    pathway: (stageTitle, name) => {
      const found = stage(stageTitle).pathways.find((p) => p.name === name);
      if (!found) throw new Error(`no pathway ${name} in ${stageTitle}`);
      return found;
    },
  };
}

async function allTasks(backend: Pick<Backend, "listStageTasks">, projectHash: string, stageUuid: string): Promise<WorkflowTask[]> {
  const tasks: WorkflowTask[] = [];
  for (let pageToken: string | null | undefined; ;) {
    const page = await backend.listStageTasks(projectHash, stageUuid, pageToken ? { pageToken } : {});
    tasks.push(...page.tasks);
    if (page.nextPageToken === null) return tasks;
    pageToken = page.nextPageToken;
  }
}

// ---- the local store -----------------------------------------------------------------------

/** A fresh store file per project. */
export const localFixture: BackendFixture = {
  name: "local",
  async create(options = {}) {
    const dir = tempDir();
    const store = localBackend({ storePath: join(dir.path, "store.db") });
    const projectHash = store.createProject(options.spec ?? paths.demoSpec);
    const items = options.items ?? "demo";
    let manifests = 0;
    const addUrls = async (titles: readonly string[]) => {
      const manifest = join(dir.path, `items-${++manifests}.jsonl`);
      writeFileSync(manifest, titles.map((title) => JSON.stringify({ url: `https://example.com/${title}` })).join("\n") + "\n");
      await store.addData(projectHash, { manifest, actor: "tester" });
    };
    if (items === "demo") await store.addData(projectHash, { paths: [paths.demoData], actor: "tester" });
    else if (typeof items !== "number") await store.addData(projectHash, { paths: items, actor: "tester" });
    else if (items > 0) await addUrls(Array.from({ length: items }, (_, i) => `i-${i + 1}.png`));
    const project = await store.getProject(projectHash);
    const { stage, pathway } = finder(project);
    const close = async () => {
      await store.close();
      dir[Symbol.dispose]();
    };
    return {
      kind: "local",
      projectHash,
      project,
      backend: countingBackend(store),
      storePath: store.storePath,
      stage,
      pathway,
      tasksIn: (title) => allTasks(store, projectHash, stage(title).uuid),
      async labelRow(dataHash) {
        const [row] = await store.getLabelRows(projectHash, [dataHash]);
        if (!row) throw new Error(`no label row for ${dataHash}`);
        return row;
      },
      async priority(dataHash) {
        const [metadata] = await store.getLabelRowMetadata(projectHash, [dataHash]);
        if (!metadata) throw new Error(`no label row metadata for ${dataHash}`);
        return metadata.priority ?? null;
      },
      async moveHistory() {
        return [...store.history(projectHash)].flat().map((m) => ({ taskUuid: m.taskUuid, fromStage: m.fromStage, toStage: m.toStage, pathway: m.pathway }));
      },
      async moveTask(taskUuid, stageTitle, pathwayName) {
        store.proceed(projectHash, { stage: stageTitle, pathway: pathwayName, taskUuid, actor: "person" });
      },
      addItem: (title) => addUrls([title]),
      close,
      [Symbol.asyncDispose]: close,
    };
  },
};

// ---- the fake Encord server ----------------------------------------------------------------

/** The key the Encord backend signs with, registered on every fake server. */
const key = ed25519KeyFromSeed(new Uint8Array(32).fill(7));

/** Settings of an Encord backend that talks to `fake`. */
export function fakeEncordSettings(fake: FakeEncord): EncordSettings {
  return { credentials: { kind: "ssh", key }, domain: fake.url, warnings: [] };
}

/** An Encord backend on `fake` that never waits: no rate limit, and retries follow at once. */
export function fastEncordBackend(fake: FakeEncord): EncordBackend {
  return encordBackend({ settings: fakeEncordSettings(fake), requestsPerSecond: Infinity, sleep: noWait });
}

/** Resolves at once; rejects with the signal's reason when it is aborted (the `sleep` contract). */
function noWait(_ms: number, signal?: AbortSignal): Promise<void> {
  return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
}

/** The fake's item for a file: title, type, size; the bytes are what its signed URL serves. */
function fileItem(path: string): FakeItemSpec {
  const fileBytes = readFileSync(path);
  const title = basename(path);
  if (/\.nii(\.gz)?$/i.test(title)) return { title, dataType: "nifti", mimeType: "application/x-nifti", ...niftiSize(fileBytes), fileBytes };
  switch (extname(path).toLowerCase()) {
    case ".pdf":
      return { title, dataType: "pdf", mimeType: "application/pdf", frameCount: pdfPageCount(fileBytes), fileBytes };
    case ".dcm":
      return { title, dataType: "dicom_file", mimeType: "application/dicom", frameCount: 1, fileBytes };
    case ".png": {
      const { width, height } = imageSize(fileBytes);
      return { title, dataType: "image", mimeType: "image/png", width, height, fileBytes };
    }
    case ".txt":
      return { title, dataType: "plain_text", mimeType: "text/plain", fileBytes };
    case ".wav":
      return { title, dataType: "audio", mimeType: "audio/wav", fileBytes };
    case ".mp4": {
      const video = probeClip(path);
      return { title, dataType: "video", mimeType: "video/mp4", ...video, fileBytes };
    }
    default:
      throw new Error(`no fake item type for ${path}`);
  }
}

/** Size, rate and length of a clip, as Encord reads them when a video is uploaded. */
function probeClip(path: string): { width: number; height: number; fps: number; frameCount: number; duration: number } {
  const output = execFileSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=width,height,r_frame_rate,nb_read_frames", "-of", "json", path],
    { encoding: "utf8" },
  );
  const stream = (JSON.parse(output) as { streams: { width: number; height: number; r_frame_rate: string; nb_read_frames: string }[] }).streams[0]!;
  const [num, den] = stream.r_frame_rate.split("/").map(Number);
  const fps = num! / (den ?? 1);
  const frameCount = Number(stream.nb_read_frames);
  return { width: stream.width, height: stream.height, fps, frameCount, duration: frameCount / fps };
}

/** A slice's size and the slice count of a NIfTI-1 file, from its header (dim[1..3], little-endian), as Encord reads them on upload. */
function niftiSize(bytes: Buffer): { width: number; height: number; frameCount: number } {
  const header = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const dim = (i: number) => Math.max(1, header.readInt16LE(40 + i * 2));
  return { width: dim(1), height: dim(2), frameCount: dim(3) };
}

function pdfPageCount(bytes: Buffer): number {
  const document = mupdf.Document.openDocument(bytes, "application/pdf");
  try {
    return document.countPages();
  } finally {
    document.destroy();
  }
}

/**
 * A folder of `.dcm` files is one DICOM series on Encord (a `dicomSeries` item whose children are
 * the slices); the fake takes them in file-name order, so name test slices in frame order.
 */
function seriesItem(folder: string): FakeItemSpec | undefined {
  const names = readdirSync(folder).sort();
  if (names.length === 0 || !names.every((name) => extname(name).toLowerCase() === ".dcm")) return undefined;
  return { title: basename(folder), dataType: "dicom", mimeType: "application/dicom", frames: names.map((name) => readFileSync(join(folder, name))) };
}

function filesOf(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .map((name) => join(path, name))
    : [path];
}

function fakeItems(items: ProjectOptions["items"]): FakeItemSpec[] {
  if (items === undefined || items === "demo") return filesOf(paths.demoData).map(fileItem);
  if (typeof items === "number") return Array.from({ length: items }, (_, i) => urlItem(`i-${i + 1}.png`));
  return items.flatMap((path) => {
    const series = statSync(path).isDirectory() ? seriesItem(path) : undefined;
    return series ? [series] : filesOf(path).map(fileItem);
  });
}

function urlItem(title: string): FakeItemSpec {
  return { title, dataType: "image", mimeType: "image/png" };
}

/** Options of {@link createEncordProject} beyond the project's. */
export interface EncordProjectOptions extends ProjectOptions {
  /** Task page size of the fake (default 100). */
  readonly pageSize?: number;
  /** Seeds the fake's ids and random faults (default 1). */
  readonly seed?: number;
}

/** A {@link BackendProject} on the fake Encord server, with the fake itself for tests that need it (faults, requests). */
export interface EncordProject extends BackendProject {
  readonly kind: "encord";
  readonly fake: FakeEncord;
  /** The Encord backend inside {@link BackendProject.backend}. */
  readonly encord: EncordBackend;
}

/**
 * A fake Encord server of its own holding the project. The runner's backend and the checking one
 * (used by `tasksIn`, `labelRow`) are separate EncordBackends, so checks never fill the runner's
 * caches.
 */
export async function createEncordProject(options: EncordProjectOptions = {}): Promise<EncordProject> {
  return createEncordProjectFromItems(fakeItems(options.items), options);
}

/**
 * {@link createEncordProject} with the fake's items given as they are, for media no file of
 * `items` expresses (image groups with their images, items without bytes…); `options.items` is
 * not used.
 */
export async function createEncordProjectFromItems(items: readonly FakeItemSpec[], options: Omit<EncordProjectOptions, "items"> = {}): Promise<EncordProject> {
  const fake = await startFakeEncord({ publicKeys: [key.publicKeyHex], seed: options.seed ?? 1 });
  const spec = typeof options.spec === "string" ? loadProjectSpec(options.spec) : (options.spec ?? loadProjectSpec(paths.demoSpec));
  const added = fake.addProject(spec, items, options.pageSize === undefined ? {} : { pageSize: options.pageSize });
  const { projectHash } = added;
  const encord = fastEncordBackend(fake);
  const checker = fastEncordBackend(fake);
  const close = async () => {
    await encord.close();
    await checker.close();
    await fake.close();
  };
  let project: Project;
  try {
    project = await checker.getProject(projectHash);
  } catch (error) {
    await close();
    throw error;
  }
  const { stage, pathway } = finder(project);
  const stageTitle = (uuid: string) => project.stages.find((s) => s.uuid === uuid)?.title ?? uuid;
  const pathwayName = (uuid: string | null) => (uuid === null ? null : (project.stages.flatMap((s) => s.pathways).find((p) => p.uuid === uuid)?.name ?? uuid));
  const taskOf = (dataHash: string) => {
    const task = fake.state.tasks.find((t) => t.projectHash === projectHash && t.dataHash === dataHash);
    if (!task) throw new Error(`no task of data ${dataHash}`);
    return task;
  };
  return {
    kind: "encord",
    fake,
    encord,
    projectHash,
    project,
    backend: countingBackend(encord),
    storePath: null,
    stage,
    pathway,
    tasksIn: (title) => allTasks(checker, projectHash, stage(title).uuid),
    async labelRow(dataHash) {
      const [row] = await checker.getLabelRows(projectHash, [dataHash]);
      if (!row) throw new Error(`no label row for ${dataHash}`);
      return row;
    },
    async priority(dataHash) {
      return taskOf(dataHash).priority;
    },
    async moveHistory() {
      return fake.state.history
        .filter((m) => m.projectHash === projectHash)
        .map((m) => ({ taskUuid: m.taskUuid, fromStage: stageTitle(m.from), toStage: stageTitle(m.to), pathway: pathwayName(m.pathwayUuid) }));
    },
    async moveTask(taskUuid, fromStageTitle, name) {
      const taken = pathway(fromStageTitle, name);
      fake.moveTask(taskUuid, taken.destinationUuid, taken.uuid);
    },
    async addItem(title) {
      fake.addItem(projectHash, urlItem(title));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Options of {@link addEncordTwin}. */
export interface EncordTwinOptions {
  /** The twin's spec: a spec file path or an inline spec. */
  readonly spec: string | object;
  /** The source's data the twin holds too, in this order. @defaultValue all of it, in task order */
  readonly dataHashes?: readonly string[];
  /** Items only the twin holds, added after the shared ones (as {@link ProjectOptions.items}). @defaultValue none */
  readonly ownItems?: ProjectOptions["items"];
}

/** A project added next to another on the same fake server. */
export interface AddedEncordProject {
  readonly projectHash: string;
  /** Its tasks: the shared data's first, then its own items'. */
  readonly tasks: readonly FakeTaskRef[];
}

/**
 * A second project on the fake server of `source` holding data of `source` too, as when one
 * dataset is attached to two projects on Encord: the same data hashes, a task and a label row
 * of its own for each (see `FakeEncord.attachData`). Closed with `source`.
 */
export function addEncordTwin(source: EncordProject, options: EncordTwinOptions): AddedEncordProject {
  const { fake } = source;
  const spec = typeof options.spec === "string" ? loadProjectSpec(options.spec) : options.spec;
  const dataHashes = options.dataHashes ?? fake.state.tasks.filter((t) => t.projectHash === source.projectHash).map((t) => t.dataHash);
  const { projectHash } = fake.addProject(spec, []);
  const shared = fake.attachData(projectHash, dataHashes);
  const own = options.ownItems === undefined ? [] : fakeItems(options.ownItems).map((item) => fake.addItem(projectHash, item));
  return { projectHash, tasks: [...shared, ...own] };
}

/** A fake Encord server per project; see {@link createEncordProject}. */
export const encordFixture: BackendFixture = {
  name: "encord",
  create: (options) => createEncordProject(options),
};

/** Every backend the runner suites run on. */
export const backends: readonly BackendFixture[] = [localFixture, encordFixture];
