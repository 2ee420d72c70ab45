import type { LabelRowJson, WorkflowTask } from "../../src/index.js";
import { notesOf, type RunnerStore } from "./runner-fixture.js";

/**
 * What the crash tests hold a store of `notesSpec` to after every kill: its agent (the fixture
 * agents crash-notes and queue-crash-notes) sends each task of "Pre-label" with an odd number in
 * its title to "Annotate", the others to "Complete", saving the note `note <task uuid>` on the
 * task's label row in the same commit.
 */
export interface CrashInvariantOptions {
  readonly taskCount: number;
  /** Tasks the killed processes said were committed: each must have moved, with its note. */
  readonly committed: ReadonlySet<string>;
  /** The actor the agent's moves are recorded with. */
  readonly actor: string;
}

/** What the store holds, once checked. */
export interface CrashState {
  /** Tasks that have left "Pre-label" (each exactly once). */
  readonly moved: ReadonlySet<string>;
  /** Tasks still in "Pre-label". */
  readonly waiting: number;
  /** Every problem found, at most a few per kind; empty when all invariants hold. */
  readonly problems: readonly string[];
}

/** The note the fixture agents save for a task. */
export function noteFor(taskUuid: string): string {
  return `note ${taskUuid}`;
}

/**
 * Reads the whole store (through the backend API: tasks, move history, label rows) and lists
 * every broken invariant:
 * - there are `taskCount` tasks, each once (no duplicate task or data item), each in one of the
 *   workflow's stages the agent can lead to ("Pre-label", "Annotate", "Complete");
 * - each task has one move from Start to Pre-label (adding the data) and at most one move out
 *   of "Pre-label"; a task in "Pre-label" has none, a task elsewhere has exactly one, to the
 *   stage it is in, along the pathway its title calls for, by `actor`; no other move exists;
 * - the note is saved iff the task moved (save and move are one transaction): a moved task's
 *   row holds exactly its own note, once; a waiting task's row holds no note;
 * - every task in `committed` has moved.
 */
export async function crashInvariants(store: RunnerStore, options: CrashInvariantOptions): Promise<CrashState> {
  const problems = new Map<string, string[]>();
  const problem = (kind: string, detail: string) => {
    const list = problems.get(kind) ?? [];
    list.push(detail);
    problems.set(kind, list);
  };
  const stageTitle = new Map(store.project.stages.map((s) => [s.uuid, s.title]));

  const tasks: WorkflowTask[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.backend.listProjectTasks(store.projectHash, pageToken === undefined ? { pageSize: 1000 } : { pageSize: 1000, pageToken });
    tasks.push(...page.tasks);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken !== undefined);
  if (tasks.length !== options.taskCount) problem("task count", `${tasks.length} tasks, expected ${options.taskCount}`);
  const byUuid = new Map<string, WorkflowTask>();
  const dataHashes = new Set<string>();
  for (const task of tasks) {
    if (byUuid.has(task.uuid)) problem("task listed twice", task.uuid);
    byUuid.set(task.uuid, task);
    if (dataHashes.has(task.dataHash)) problem("data item with two tasks", task.dataHash);
    dataHashes.add(task.dataHash);
    const stage = stageTitle.get(task.stageUuid);
    if (stage !== "Pre-label" && stage !== "Annotate" && stage !== "Complete")
      problem("task in an unexpected stage", `${task.uuid} in ${stage ?? task.stageUuid}`);
  }

  const entered = new Map<string, number>();
  const left = new Map<string, { toStage: string; pathway: string | null; actor: string }[]>();
  for (const page of store.backend.history(store.projectHash)) {
    for (const move of page) {
      if (move.fromStage === "Start" && move.toStage === "Pre-label") entered.set(move.taskUuid, (entered.get(move.taskUuid) ?? 0) + 1);
      else if (move.fromStage === "Pre-label") left.set(move.taskUuid, [...(left.get(move.taskUuid) ?? []), move]);
      else problem("unexpected move", JSON.stringify(move));
    }
  }

  const notes = new Map<string, string[]>();
  for (const text of store.backend.exportLabelRows(store.projectHash)) {
    const row = JSON.parse(text) as LabelRowJson;
    try {
      notes.set(row.data_hash, notesOf(row));
    } catch (error) {
      problem("malformed label row", `${row.data_hash}: ${(error as Error).message}`);
    }
  }

  const moved = new Set<string>();
  let waiting = 0;
  for (const task of byUuid.values()) {
    const stage = stageTitle.get(task.stageUuid);
    const moves = left.get(task.uuid) ?? [];
    const saved = notes.get(task.dataHash);
    if (entered.get(task.uuid) !== 1) problem("not entered Pre-label exactly once", `${task.uuid}: ${entered.get(task.uuid) ?? 0} times`);
    if (saved === undefined) problem("no label row", `${task.uuid} (${task.dataHash})`);
    if (moves.length > 1) problem("moved more than once", `${task.uuid}: ${JSON.stringify(moves)}`);
    if (stage === "Pre-label") {
      waiting++;
      if (moves.length > 0) problem("in Pre-label, but its history says it left", `${task.uuid}: ${JSON.stringify(moves)}`);
      if (saved !== undefined && saved.length > 0) problem("note saved, but not moved", `${task.uuid}: ${JSON.stringify(saved)}`);
      if (options.committed.has(task.uuid)) problem("reported committed, but still in Pre-label", task.uuid);
      continue;
    }
    moved.add(task.uuid);
    const expected =
      Number(/\d+/.exec(task.dataTitle)?.[0] ?? 0) % 2 === 1 ? { stage: "Annotate", pathway: "annotate" } : { stage: "Complete", pathway: "skip" };
    if (stage !== expected.stage) problem("in the wrong stage", `${task.uuid} (${task.dataTitle}) in ${stage}, expected ${expected.stage}`);
    if (moves.length === 0) problem("left Pre-label without a recorded move", `${task.uuid} in ${stage}`);
    const move = moves.at(-1);
    if (move && (move.toStage !== stage || move.pathway !== expected.pathway || move.actor !== options.actor)) {
      problem("move does not match", `${task.uuid} in ${stage}: ${JSON.stringify(move)}, expected pathway ${expected.pathway} by ${options.actor}`);
    }
    if (saved !== undefined && (saved.length !== 1 || saved[0] !== noteFor(task.uuid)))
      problem("moved, but its note is not saved once", `${task.uuid}: ${JSON.stringify(saved)}`);
  }
  for (const uuid of options.committed) if (!byUuid.has(uuid)) problem("reported committed, but no such task", uuid);

  const listed = [...problems].flatMap(([kind, details]) => [`${kind}: ${details.length}×`, ...details.slice(0, 5).map((d) => `  ${d}`)]);
  return { moved, waiting, problems: listed };
}

/**
 * Task UUIDs of the "committed <uuid…>" lines the fixture agents print on stderr. A last line
 * without its newline (the process was killed while writing it) is not counted.
 */
export function committedIn(stderr: string): string[] {
  return stderr
    .split("\n")
    .slice(0, -1)
    .filter((line) => line.startsWith("committed "))
    .flatMap((line) => line.slice("committed ".length).trim().split(" "))
    .filter((uuid) => uuid !== "");
}
