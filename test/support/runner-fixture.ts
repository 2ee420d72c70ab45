import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import {
  ConfigurationError,
  isTaskAgentsError,
  localBackend,
  type ClassificationInstance,
  type LabelRow,
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
      {
        title: "First",
        type: "AGENT",
        pathways: [
          { name: "next", to: "Second" },
          { name: "finish", to: "Done" },
        ],
      },
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

/** Feature node hashes of {@link notesSpec}'s ontology. */
export const notesHashes = { cat: "Y2F0Ym94", note: "bm90ZXM=", noteText: "bm90ZXRleHQ=" } as const;

/**
 * The demo project (examples/demo-project.yaml: the "Cat" box, the same workflow) with a text
 * classification "Note" added, so handlers can mark a row as edited through the label model.
 */
export const notesSpec = {
  title: "Demo with notes",
  ontology: {
    objects: [{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: notesHashes.cat }],
    classifications: [
      {
        id: "2",
        featureNodeHash: notesHashes.note,
        attributes: [{ id: "2.1", name: "Note", type: "text", featureNodeHash: notesHashes.noteText, required: false }],
      },
    ],
  },
  workflow: {
    stages: [
      { title: "Start", type: "START", to: "Pre-label" },
      {
        title: "Pre-label",
        type: "AGENT",
        pathways: [
          { name: "annotate", to: "Annotate" },
          { name: "skip", to: "Complete" },
        ],
      },
      { title: "Annotate", type: "ANNOTATION", to: "Review" },
      { title: "Review", type: "REVIEW", approve: "Complete", reject: "Annotate" },
      { title: "Complete", type: "DONE" },
    ],
  },
} as const;

/** Adds a "Note" classification (of {@link notesSpec}) on frame 0 of the row, answered with `text`. */
export function addNote(row: LabelRow, text: string, options: { classificationHash?: string } = {}): ClassificationInstance {
  const note = row.ontology.getChildByTitle("Note", "classification").createInstance(options);
  note.setForFrames({ frames: 0 });
  note.setAnswer(text);
  row.addClassificationInstance(note);
  return note;
}

/**
 * The "Note" answers of a saved row, read from the wire JSON (not through the label model), in
 * the order of `classification_answers`. Each note must also be on a frame of a data unit.
 */
export function notesOf(row: LabelRowJson): string[] {
  const onFrames = new Set<unknown>();
  for (const unit of Object.values(row.data_units) as { labels?: { classifications?: { classificationHash?: unknown }[] } }[]) {
    for (const entry of unit.labels?.classifications ?? []) onFrames.add(entry.classificationHash);
  }
  const notes: string[] = [];
  for (const [hash, entry] of Object.entries(row.classification_answers) as [
    string,
    { featureHash?: unknown; classifications?: { featureHash?: unknown; answers?: unknown }[] },
  ][]) {
    if (entry.featureHash !== notesHashes.note) continue;
    if (!onFrames.has(hash)) throw new Error(`note ${hash} is in classification_answers but on no frame of data_units`);
    const answer = entry.classifications?.find((c) => c.featureHash === notesHashes.noteText)?.answers;
    if (typeof answer !== "string") throw new Error(`note ${hash} has no text answer: ${JSON.stringify(entry)}`);
    notes.push(answer);
  }
  return notes;
}

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
 * and adds `items`: `"demo"` for the four files of examples/data, a list of file paths, or a
 * number of URL items (`https://example.com/i-1.png`, … titled `i-1.png`, …) that need no files.
 */
export async function runnerStore(options: { spec?: string | object; items?: number | "demo" | readonly string[] } = {}): Promise<RunnerStore> {
  const dir = tempDir();
  const backend = localBackend({ storePath: join(dir.path, "store.db") });
  const projectHash = backend.createProject(options.spec ?? paths.demoSpec);
  const items = options.items ?? "demo";
  if (items === "demo") {
    await backend.addData(projectHash, { paths: [paths.demoData], actor: "tester" });
  } else if (typeof items !== "number") {
    await backend.addData(projectHash, { paths: items, actor: "tester" });
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

export { rejectionOf } from "./failure.js";

/**
 * Expects the configuration error of a handler that returned the unknown pathway `bad` in the
 * demo project's "Pre-label" stage: it names what was returned and every accepted name and UUID.
 */
export function expectUnknownPathwayError(
  error: Error & { code?: string },
  bad: string,
  project: { pathway(stageTitle: string, name: string): Pathway },
): void {
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(isTaskAgentsError(error)).toBe(true);
  expect(error.code).toBe("TA_UNKNOWN_PATHWAY");
  expect(error.message).toContain(JSON.stringify(bad));
  for (const name of ["annotate", "skip"]) {
    expect(error.message).toContain(`"${name}"`);
    expect(error.message).toContain(project.pathway("Pre-label", name).uuid);
  }
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
