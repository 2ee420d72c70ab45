/**
 * Bad-input corpus, QueueRunner: task specs (JSON strings with the Python field names) given to
 * the function `queueRunner.stage(…)` returns, and QueueRunners set up wrongly, in-process on the
 * local store. As documented in queue-runner.ts: a spec that cannot be used gives a
 * `success: false` result for that entry (never an exception, the handler is not called); a
 * configuration error (bad project, unknown stage, unknown pathway) is thrown. Either way the
 * store is as it was.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pino } from "pino";
import {
  ConfigurationError,
  isConfigurationError,
  QueueRunner,
  toTaskSpec,
  type ErrorCode,
  type QueueHandler,
  type TaskCompletionResult,
  type WorkflowTask,
} from "../../src/index.js";
import { demoStore, type DemoStore } from "../support/project-fixture.js";
import { expectCleanMessage, storeDigest } from "./support.js";

const silent = pino({ level: "silent" });
let store: DemoStore;
let tasks: WorkflowTask[];

beforeAll(async () => {
  store = await demoStore();
  tasks = (await store.backend.listStageTasks(store.project.uuid, store.stage("Pre-label").uuid)).tasks.slice();
  expect(tasks.length).toBeGreaterThanOrEqual(2);
});

afterAll(async () => {
  await store[Symbol.asyncDispose]();
});

/** A task's spec as a producer sends it, with some fields replaced (undefined: removed). */
function spec(task: WorkflowTask, changes: Record<string, unknown> = {}): string {
  const fields: Record<string, unknown> = { ...toTaskSpec(task), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete fields[key];
  return JSON.stringify(fields);
}

/** One expected `success: false` result: which task_uuid it names (null when the spec names none usable) and why. */
interface Failed {
  readonly taskUuid: () => string | null;
  readonly error: RegExp;
}

interface SpecCase {
  readonly name: string;
  readonly input: () => string | string[];
  readonly failed: readonly Failed[];
}

const example = /expected an object like \{"uuid": "<task uuid>", "data_hash": "<data uuid>", …\}/;
const none = () => null;
const first = () => tasks[0]!.uuid;
const absentTask = randomUUID();

const specCases: readonly SpecCase[] = [
  { name: "not JSON", input: () => '{"uuid": "nope"', failed: [{ taskUuid: none, error: /The task spec is not valid JSON \(.+\)/ }] },
  { name: "an empty string", input: () => "", failed: [{ taskUuid: none, error: /The task spec is not valid JSON/ }] },
  { name: "a JSON array of non-objects, as one spec", input: () => "[1, 2, 3]", failed: [{ taskUuid: none, error: /The task spec is not a JSON object/ }] },
  {
    name: "an array of specs that are not objects",
    input: () => ["1", "true", '"a string"', "null"],
    failed: [1, 2, 3, 4].map(() => ({ taskUuid: none, error: /The task spec is not a JSON object/ })),
  },
  { name: "missing uuid", input: () => spec(tasks[0]!, { uuid: undefined }), failed: [{ taskUuid: none, error: /The task spec's "uuid" is missing/ }] },
  {
    name: "uuid not a UUID",
    input: () => spec(tasks[0]!, { uuid: "task-1" }),
    failed: [{ taskUuid: none, error: /The task spec's "uuid" is "task-1", not a UUID/ }],
  },
  // The message says "missing" for a uuid that is not a string (test/runner/queue-runner.failures.test.ts pins that wording).
  { name: "uuid a number", input: () => spec(tasks[0]!, { uuid: 7 }), failed: [{ taskUuid: none, error: /The task spec's "uuid" is missing/ }] },
  {
    name: "data_hash missing",
    input: () => spec(tasks[0]!, { data_hash: undefined }),
    failed: [{ taskUuid: first, error: /The task spec's "data_hash" is missing/ }],
  },
  {
    name: "data_hash not a UUID",
    input: () => spec(tasks[0]!, { data_hash: "red-square.png" }),
    failed: [{ taskUuid: first, error: /The task spec's "data_hash" is "red-square\.png", not a UUID/ }],
  },
  {
    name: "a well-formed spec of a task that does not exist",
    input: () => spec(tasks[0]!, { uuid: absentTask, data_hash: randomUUID() }),
    failed: [
      {
        taskUuid: () => absentTask,
        error: /Task [0-9a-f-]{36} is not in stage "Pre-label" \([0-9a-f-]{36}\) any more; it was moved on or never was there\. Nothing was done\./,
      },
    ],
  },
  {
    name: "uuid of one task, data_hash of another",
    input: () => spec(tasks[0]!, { data_hash: tasks[1]!.dataHash }),
    failed: [{ taskUuid: first, error: /is not in stage "Pre-label" .* any more/ }],
  },
];

describe("bad task specs: a success: false result per bad entry, the handler not called, the store unchanged", () => {
  test.each(specCases)("$name", async ({ input, failed }) => {
    const before = storeDigest(store.storePath);
    let calls = 0;
    const queueRunner = new QueueRunner({ projectHash: store.project.uuid, backend: store.backend, logger: silent });
    const handle = queueRunner.stage("Pre-label", () => {
      calls++;
      return "annotate";
    });
    const given = input();
    const answer = JSON.parse(await handle(given)) as TaskCompletionResult | TaskCompletionResult[];
    // One spec in, one result out; an array in, an array in the same order out.
    const results = Array.isArray(given) ? (answer as TaskCompletionResult[]) : [answer as TaskCompletionResult];
    expect(Array.isArray(answer)).toBe(Array.isArray(given));
    expect(results).toHaveLength(failed.length);
    results.forEach((result, i) => {
      expect(result).toMatchObject({ task_uuid: failed[i]!.taskUuid(), stage_uuid: store.stage("Pre-label").uuid, success: false, pathway: null });
      expect(result.error).toMatch(failed[i]!.error);
      if (/spec/.test(result.error!)) expect(result.error).toMatch(example);
      expectCleanMessage(result.error!);
    });
    expect(calls).toBe(0);
    await queueRunner.close();
    expect(storeDigest(store.storePath)).toEqual(before);
  });
});

interface ThrownCase {
  readonly name: string;
  /** What the case does; it must throw (or reject) a ConfigurationError. */
  readonly act: () => unknown;
  readonly code: ErrorCode;
  readonly message: RegExp;
}

/** A QueueRunner on the demo store, with one handler, and that handler. */
function queueRunnerFor(projectHash: string, stage: string, handler: () => string = () => "annotate"): { queueRunner: QueueRunner; handle: QueueHandler } {
  const queueRunner = new QueueRunner({ projectHash, backend: store.backend, logger: silent });
  return { queueRunner, handle: queueRunner.stage(stage, handler) };
}

const thrownCases: readonly ThrownCase[] = [
  {
    name: "new QueueRunner() without a project hash",
    act: () => new QueueRunner({ projectHash: "", backend: store.backend }),
    code: "TA_INVALID_PROJECT_HASH",
    message: /new QueueRunner\(\) needs \{ projectHash \}/,
  },
  {
    name: "a project hash that is not a UUID (at the first call)",
    act: () => queueRunnerFor("Demo", "Pre-label").handle(spec(tasks[0]!)),
    code: "TA_INVALID_PROJECT_HASH",
    message: /Project hash "Demo" is not a UUID/,
  },
  {
    name: "a project the store does not hold (at the first call)",
    act: () => queueRunnerFor("8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b", "Pre-label").handle(spec(tasks[0]!)),
    code: "TA_UNKNOWN_PROJECT",
    message: /8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b/,
  },
  {
    name: "a handler for an unknown stage (at the first call)",
    act: () => queueRunnerFor(store.project.uuid, "Prelabel").handle(spec(tasks[0]!)),
    code: "TA_UNKNOWN_STAGE",
    message: /no stage "Prelabel"\. Agent stages: "Pre-label"/,
  },
  {
    name: "a handler for a human stage (at the first call)",
    act: () => queueRunnerFor(store.project.uuid, "Review").handle(spec(tasks[0]!)),
    code: "TA_UNKNOWN_STAGE",
    message: /Stage "Review" is a REVIEW stage; handlers run only in AGENT stages/,
  },
  {
    name: "a handler returning an unknown pathway",
    act: () => queueRunnerFor(store.project.uuid, "Pre-label", () => "annotated").handle(spec(tasks[0]!)),
    code: "TA_UNKNOWN_PATHWAY",
    message: /"annotated"[\s\S]*"annotate"/,
  },
  {
    name: "execute() on a QueueRunner",
    act: () => queueRunnerFor(store.project.uuid, "Pre-label").queueRunner.execute(),
    code: "TA_INVALID_ARGUMENT",
    message: /A QueueRunner does not run tasks itself/,
  },
];

describe("a QueueRunner set up wrongly: a ConfigurationError, the store unchanged", () => {
  test.each(thrownCases)("$name", async ({ act, code, message }) => {
    const before = storeDigest(store.storePath);
    let caught: unknown;
    try {
      await act();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect(isConfigurationError(caught)).toBe(true);
    expect((caught as ConfigurationError).code).toBe(code);
    expect((caught as Error).message).toMatch(message);
    expectCleanMessage((caught as Error).message);
    expect(storeDigest(store.storePath)).toEqual(before);
  });
});
