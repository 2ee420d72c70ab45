import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  localBackend,
  type LabelRowJson,
  type LabelRowMetadataJson,
  type LocalBackend,
  type Pathway,
  type Project,
  type Stage,
  type WorkflowTask,
} from "../../src/index.js";
import { countingBackend, type CountingBackend } from "./counting-backend.js";
import { paths } from "./paths.js";
import { tempDir } from "./temp-dir.js";

/** Start → First (AGENT: next → Second, finish → Done) → Second (AGENT: finish → Done) → Done. */
export const twoAgentSpec = {
  title: "Two agents",
  workflow: {
    stages: [
      { title: "Start", type: "START", to: "First" },
      { title: "First", type: "AGENT", pathways: [{ name: "next", to: "Second" }, { name: "finish", to: "Done" }] },
      { title: "Second", type: "AGENT", pathways: [{ name: "finish", to: "Done" }] },
      { title: "Done", type: "DONE" },
    ],
  },
} as const;

/** A workflow with people only: Start → Annotate → Done. */
export const noAgentSpec = {
  title: "People only",
  workflow: {
    stages: [
      { title: "Start", type: "START", to: "Annotate" },
      { title: "Annotate", type: "ANNOTATION", to: "Done" },
      { title: "Done", type: "DONE" },
    ],
  },
} as const;

/** A store in a fresh folder with one project, seen both directly and through a counting wrapper. */
export interface RunnerStore {
  /** The store itself: use it to set up and check, so the counts stay the runner's. */
  readonly backend: LocalBackend;
  /** The same store with every call recorded: give this one to the Runner. */
  readonly counting: CountingBackend;
  readonly projectHash: string;
  readonly project: Project;
  stage(title: string): Stage;
  pathway(stageTitle: string, name: string): Pathway;
  /** Every task now in the stage, in listing order. */
  tasksIn(stageTitle: string): Promise<WorkflowTask[]>;
  labelRow(dataHash: string): Promise<LabelRowJson>;
  metadata(dataHash: string): Promise<LabelRowMetadataJson>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates a project from `spec` (a spec file path or an inline spec; the demo project by default)
 * and adds `items`: `"demo"` for the four files of examples/data, or a number of URL items
 * (`https://example.com/i-1.png`, … titled `i-1.png`, …) that need no files.
 */
export async function runnerStore(options: { spec?: string | object; items?: number | "demo" } = {}): Promise<RunnerStore> {
  const dir = tempDir();
  const backend = localBackend({ storePath: join(dir.path, "store.db") });
  const projectHash = backend.createProject(options.spec ?? paths.demoSpec);
  const items = options.items ?? "demo";
  if (items === "demo") {
    await backend.addData(projectHash, { paths: [paths.demoData], actor: "tester" });
  } else if (items > 0) {
    const manifest = join(dir.path, "items.jsonl");
    writeFileSync(manifest, Array.from({ length: items }, (_, i) => JSON.stringify({ url: `https://example.com/i-${i + 1}.png` })).join("\n") + "\n");
    await backend.addData(projectHash, { manifest, actor: "tester" });
  }
  const project = await backend.getProject(projectHash);
  const stage = (title: string): Stage => {
    const found = project.stages.find((s) => s.title === title);
    if (!found) throw new Error(`no stage ${title}`);
    return found;
  };
  return {
    backend,
    counting: countingBackend(backend),
    projectHash,
    project,
    stage,
    pathway: (stageTitle, name) => {
      const found = stage(stageTitle).pathways.find((p) => p.name === name);
      if (!found) throw new Error(`no pathway ${name} in ${stageTitle}`);
      return found;
    },
    async tasksIn(stageTitle) {
      const tasks: WorkflowTask[] = [];
      let pageToken: string | undefined;
      for (;;) {
        const page = await backend.listStageTasks(projectHash, stage(stageTitle).uuid, pageToken === undefined ? {} : { pageToken });
        tasks.push(...page.tasks);
        if (page.nextPageToken === null) return tasks;
        pageToken = page.nextPageToken;
      }
    },
    async labelRow(dataHash) {
      const [row] = await backend.getLabelRows(projectHash, [dataHash]);
      if (!row) throw new Error(`no label row for ${dataHash}`);
      return row;
    },
    async metadata(dataHash) {
      const [row] = await backend.getLabelRowMetadata(projectHash, [dataHash]);
      if (!row) throw new Error(`no label row metadata for ${dataHash}`);
      return row;
    },
    async [Symbol.asyncDispose]() {
      await backend.close();
      dir[Symbol.dispose]();
    },
  };
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the promise to reject, but it resolved");
}

/** The error a function throws; fails when it returns. */
export function thrownBy(action: () => unknown): Error & { code?: string } {
  try {
    action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the call to throw, but it returned");
}
