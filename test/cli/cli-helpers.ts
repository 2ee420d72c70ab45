import { join } from "node:path";
import { expect } from "vitest";
import { cli, cliOk, type CliResult } from "../support/run-cli.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";

/** A fresh folder with a store path inside it (the store file is created on first use). */
export function freshStore(): { dir: string; store: string; [Symbol.dispose](): void } {
  const dir = tempDir();
  return { dir: dir.path, store: join(dir.path, "store.db"), [Symbol.dispose]: () => dir[Symbol.dispose]() };
}

/** Creates the demo project and returns its hash. */
export async function createDemoProject(store: string): Promise<string> {
  return (await cliOk(store, ["project", "create", paths.demoSpec])).trim();
}

/** Creates the demo project, adds examples/data (3 PNGs and a text file) and returns its hash. */
export async function demoProjectWithData(store: string, actor = "tester"): Promise<string> {
  const hash = await createDemoProject(store);
  await cliOk(store, ["data", "add", hash, paths.demoData, "--actor", actor]);
  return hash;
}

/** Parses output holding one JSON value per line. */
export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** One task as `tasks list --json` prints it. */
export interface TaskLine {
  uuid: string;
  stageUuid: string;
  stage: string;
  status: string;
  priority: number | null;
  dataHash: string;
  dataTitle: string;
  labelBranchName: string;
  lastActionedBy: string | null;
}

/** `tasks list --json`, parsed. */
export async function listTasks(store: string, hash: string, stage?: string): Promise<TaskLine[]> {
  return jsonLines<TaskLine>(await cliOk(store, ["--json", "tasks", "list", hash, ...(stage === undefined ? [] : ["--stage", stage])]));
}

/** One stage as `project show --json` prints it. */
export interface StageJson {
  uuid: string;
  title: string;
  type: string;
  taskCount: number;
  pathways: { uuid: string; name: string; destinationUuid: string; destinationTitle: string }[];
}

/** `project show --json`, parsed. */
export async function showProject(store: string, hash: string): Promise<{ uuid: string; title: string; taskCount: number; stages: StageJson[] }> {
  return JSON.parse(await cliOk(store, ["--json", "project", "show", hash])) as { uuid: string; title: string; taskCount: number; stages: StageJson[] };
}

/** Task count per stage title. */
export async function stageCounts(store: string, hash: string): Promise<Record<string, number>> {
  const shown = await showProject(store, hash);
  return Object.fromEntries(shown.stages.map((s) => [s.title, s.taskCount]));
}

/**
 * Asserts a user error in text mode: exit 1, nothing on stdout, one `error: …` message on stderr
 * matching every pattern, and no stack trace.
 */
export function expectUserError(result: CliResult, ...patterns: (string | RegExp)[]): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/unexpected failure/);
  for (const pattern of patterns) expect(result.stderr).toMatch(pattern);
}

/**
 * Asserts a user error in --json mode: exit 1, nothing on stdout, and stderr exactly one line
 * `{"error":{"code","message"}}` with the given code. Returns the message.
 */
export function expectJsonError(result: CliResult, code: string): string {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr.endsWith("\n")).toBe(true);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  const parsed = JSON.parse(lines[0]!) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(["error"]);
  expect(parsed.error.code).toBe(code);
  expect(typeof parsed.error.message).toBe("string");
  expect(parsed.error.message).not.toMatch(/^\s+at /m);
  return parsed.error.message;
}

export { cli, cliOk, paths };
