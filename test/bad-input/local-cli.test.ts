/**
 * Bad-input corpus, local store: project specs, manifests, CLI options and agent files, one row
 * per case. Each row runs `task-agents` in-process and asserts the exit code, the error code
 * (the same command with --json), a message that names the problem, no stack trace, and that the
 * store is as it was (a logical digest), or that no store was created when there was none.
 * Agent files import "task-agents": run `npm run build` first.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ErrorCode } from "../../src/index.js";
import { cli, cliOk, type CliResult } from "../support/run-cli.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";
import { expectCleanMessage, storeDigest, storeFiles } from "./support.js";

const dir = tempDir("task-agents-bad-input-");
/** The shared store: the demo project with examples/data (4 items); no case may change it. */
const store = join(dir.path, "demo", "store.db");
let hash = "";
let taskUuid = "";

const file = (name: string): string => join(dir.path, "files", name);
const write = (name: string, text: string): string => {
  writeFileSync(file(name), text);
  return file(name);
};
const agent = (name: string): string => fileURLToPath(new URL(`../fixtures/bad-input/agents/${name}`, import.meta.url));
const demoFile = (name: string): string => join(paths.demoData, name);
const manifest = (name: string, lines: readonly (string | Record<string, unknown>)[]): string =>
  write(name, lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n");

const stages = (list: string): string => `title: T\nworkflow:\n  stages:\n${list}`;
const minimalStages = "    - { title: Start, type: START, to: Done }\n    - { title: Done, type: DONE }\n";

beforeAll(async () => {
  mkdirSync(join(dir.path, "demo"));
  mkdirSync(join(dir.path, "files"));
  mkdirSync(join(dir.path, "files", "a-folder.ts"));
  hash = (await cliOk(store, ["project", "create", paths.demoSpec])).trim();
  await cliOk(store, ["data", "add", hash, paths.demoData, "--actor", "tester"]);
  taskUuid = (JSON.parse((await cliOk(store, ["--json", "tasks", "list", hash, "--stage", "Pre-label"])).split("\n")[0]!) as { uuid: string }).uuid;
  // Agent files that tsc and eslint must not see: written at test time (they need no import of task-agents).
  write("syntax-error.mts", "const runner = {\n  stage: (title: string) => title,\n  run: (2;\n};\nexport default runner;\n");
  write("throws-on-load.mts", 'export const ready = false;\nthrow new Error("the model weights are missing: set MODEL_DIR");\n');
  write("missing-import.mts", 'import { classify } from "./no-such-helper.js";\nexport default classify;\n');
  write("agent.py", "print('not an agent')\n");
}, 60_000);

afterAll(() => dir[Symbol.dispose]());

/** Where a case runs: on the shared demo store (digest unchanged), or on a path with no store (none created). */
type StoreKind = "demo" | "none";

interface CliCase {
  readonly name: string;
  /** Arguments after `--store <path>`; built when the case runs (the project hash is known by then). */
  readonly args: () => string[];
  readonly stores: readonly StoreKind[];
  /** Exit code; every case here is a user error (1). */
  readonly exit: 1;
  /** `error.code` of the --json run. */
  readonly code: ErrorCode;
  /** What the message must say (each must match). */
  readonly message: readonly RegExp[];
}

const both: readonly StoreKind[] = ["demo", "none"];
const demo: readonly StoreKind[] = ["demo"];

const run = (agentPath: string, ...flags: string[]) => ["run", agentPath, "--project-hash", hash, ...flags];
const good = () => agent("plain-runner.ts");

const cases: Record<string, readonly CliCase[]> = {
  "project spec": [
    {
      name: "not YAML",
      args: () => ["project", "create", write("not-yaml.yaml", "title: [unclosed\nworkflow: {\n")],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/not-yaml\.yaml is invalid/, /not valid YAML: .*line \d+, column \d+/],
    },
    {
      name: "not JSON (.json)",
      args: () => ["project", "create", write("not-json.json", '{"title": "T", "workflow": ')],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/not-json\.json is invalid/, /not valid JSON/],
    },
    {
      name: "a list, not a mapping",
      args: () => ["project", "create", write("list.yaml", "- title: T\n- workflow: {}\n")],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/\(top level\): expected a mapping, got a list/],
    },
    {
      name: "an empty file",
      args: () => ["project", "create", write("empty.yaml", "")],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/\(top level\): expected a mapping, got null/],
    },
    {
      name: "a duplicate YAML key",
      args: () => ["project", "create", write("dup-key.yaml", `title: A\ntitle: B\nworkflow:\n  stages:\n${minimalStages}`)],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/Map keys must be unique at line 2/],
    },
    // JSON.parse keeps the last of two equal keys; a JSON spec is as strict as a YAML one.
    {
      name: "a duplicate JSON key (.json)",
      args: () => [
        "project",
        "create",
        write(
          "dup-key.json",
          '{\n  "title": "A",\n  "workflow": {"stages": [{"title": "Start", "type": "START", ' +
            '"to": "Done", "to": "Start"}, {"title": "Done", "type": "DONE"}]},\n  "title": "B"\n}\n',
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [
        /dup-key\.json is invalid/,
        /not a usable JSON spec: key "to" appears twice in workflow\.stages\[0\] \(the second time at line 3, column 77\); give each key once/,
      ],
    },
    {
      name: "duplicate stage titles",
      args: () => ["project", "create", write("dup-title.yaml", stages(`${minimalStages}    - { title: Done, type: DONE }\n`))],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/workflow\.stages\[2\]\.title: duplicate title "Done" \(also workflow\.stages\[1\]\)/],
    },
    {
      name: "unknown stage type",
      args: () => [
        "project",
        "create",
        write(
          "bad-type.yaml",
          stages("    - { title: Start, type: START, to: Bot }\n    - { title: Bot, type: agent, pathways: [] }\n    - { title: Done, type: DONE }\n"),
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/workflow\.stages\[1\]\.type: "agent" is not accepted; accepted: "START", "AGENT"/, /Did you mean "AGENT"\?/],
    },
    {
      name: "a pathway to a missing stage",
      args: () => [
        "project",
        "create",
        write(
          "dangling.yaml",
          stages(
            "    - { title: Start, type: START, to: Bot }\n    - { title: Bot, type: AGENT, " +
              "pathways: [ { name: go, to: Nowhere } ] }\n    - { title: Done, type: DONE }\n",
          ),
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/pathways\[0\]\.to: "Nowhere" names no stage; stages: "Start", "Bot" or "Done"/],
    },
    {
      name: "a stage UUID that is not a UUID",
      args: () => [
        "project",
        "create",
        write("bad-uuid.yaml", stages("    - { title: Start, type: START, to: Done, uuid: start-1 }\n    - { title: Done, type: DONE }\n")),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/workflow\.stages\[0\] \("Start"\)\.uuid: "start-1" is not a UUID; accepted: 8-4-4-4-12 hexadecimal digits/],
    },
    {
      name: "the same UUID on two stages",
      args: () => [
        "project",
        "create",
        write(
          "dup-uuid.yaml",
          stages(
            "    - { title: Start, type: START, to: Done, uuid: 0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b }\n" +
              "    - { title: Done, type: DONE, uuid: 0B2C7E3A-5D1F-4C8E-9A6B-2F4D8E1C3A5B }\n",
          ),
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/is already used by workflow\.stages\[0\] \("Start"\)\.uuid; UUIDs must be unique/],
    },
    {
      name: "no START stage",
      args: () => ["project", "create", write("no-start.yaml", stages("    - { title: Done, type: DONE }\n"))],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/no START stage; exactly one stage must have type "START"/],
    },
    {
      name: "an unknown key (typo)",
      args: () => ["project", "create", write("typo.yaml", `title: T\nworkflow:\n  stage:\n${minimalStages}`)],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/workflow: unknown key "stage"; accepted keys: "stages"/, /Did you mean "stages"\?/],
    },
    {
      name: "an AGENT stage with `to` instead of pathways",
      args: () => [
        "project",
        "create",
        write(
          "agent-to.yaml",
          stages("    - { title: Start, type: START, to: Bot }\n    - { title: Bot, type: AGENT, to: Done }\n    - { title: Done, type: DONE }\n"),
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/\("Bot"\)\.to: not accepted on an AGENT stage; AGENT accepts "pathways"/, /\("Bot"\)\.pathways: missing/],
    },
    {
      name: "ontology of the wrong shape (objects a string)",
      args: () => ["project", "create", write("onto-shape.yaml", `title: T\nontology: { objects: nope }\nworkflow:\n  stages:\n${minimalStages}`)],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/ontology\.objects: expected a list, got string "nope"/],
    },
    {
      name: "ontology attribute of an unknown type",
      args: () => [
        "project",
        "create",
        write(
          "onto-attr.yaml",
          `title: T\nontology:\n  objects:\n    - { id: "1", name: Cat, color: "#D33115", shape: ` +
            `bounding_box, featureNodeHash: aaaa0001, attributes: [ { id: "1.1", name: Size, type: slider, ` +
            `required: false, featureNodeHash: aaaa0002 } ] }\nworkflow:\n  stages:\n${minimalStages}`,
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/ontology\.objects\[0\]\.attributes\[0\]\.type is string "slider"; accepted attribute types: radio, checklist, text, numeric/],
    },
    {
      name: "ontology with a duplicate feature node hash",
      args: () => [
        "project",
        "create",
        write(
          "onto-dup.yaml",
          `title: T\nontology:\n  objects:\n    - { id: "1", name: Cat, color: "#D33115", shape: ` +
            `bounding_box, featureNodeHash: aaaa0001 }\n  classifications:\n    - { id: "2", ` +
            `featureNodeHash: aaaa0001, attributes: [ { id: "2.1", name: Note, type: text, ` +
            `required: false, featureNodeHash: aaaa0003 } ] }\nworkflow:\n  stages:\n${minimalStages}`,
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/ontology\.classifications\[0\]\.featureNodeHash: "aaaa0001" is already used by ontology\.objects\[0\]/],
    },
    {
      name: "a YAML alias bomb (billion laughs)",
      args: () => [
        "project",
        "create",
        write(
          "laughs.yaml",
          [
            "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
            ...["b", "c", "d", "e", "f", "g"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`),
            "title: T",
            "",
          ].join("\n"),
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/laughs\.yaml is invalid/, /aliases \(\*name\) expand to too much data/],
    },
    {
      name: "a stage title that is a UUID",
      args: () => [
        "project",
        "create",
        write(
          "uuid-title.yaml",
          stages(
            "    - { title: Start, type: START, to: 0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b }\n" +
              "    - { title: 0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b, type: DONE }\n",
          ),
        ),
      ],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/\.title: "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b" is a UUID; a stage title must not be one/],
    },
    {
      name: "a spec file that does not exist",
      args: () => ["project", "create", file("nope.yaml")],
      stores: both,
      exit: 1,
      code: "TA_FILE_NOT_FOUND",
      message: [/Project spec ".*nope\.yaml" does not exist/],
    },
    {
      name: "a spec with an unsupported extension",
      args: () => ["project", "create", write("spec.toml", 'title = "T"\n')],
      stores: both,
      exit: 1,
      code: "TA_INVALID_SPEC",
      message: [/has extension "\.toml"; accepted: \.json, \.yaml, \.yml/],
    },
  ],
  manifest: [
    {
      name: "a line that is not JSON (after a good line)",
      args: () => ["data", "add", hash, "--manifest", manifest("bad-json.jsonl", [{ path: demoFile("red-square.png") }, '{"path": "x.png"'])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/bad-json\.jsonl:2: not valid JSON/, /Each line must be a JSON object like/],
    },
    {
      name: "a line that is a JSON array",
      args: () => ["data", "add", hash, "--manifest", manifest("array.jsonl", ['["red-square.png"]'])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/array\.jsonl:1: not a JSON object/],
    },
    {
      name: "a line without path or url",
      args: () => ["data", "add", hash, "--manifest", manifest("no-path.jsonl", [{ title: "cat" }])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/no-path\.jsonl:1: no "path" or "url"/],
    },
    {
      name: "a line with both path and url",
      args: () => ["data", "add", hash, "--manifest", manifest("both.jsonl", [{ path: demoFile("red-square.png"), url: "https://example.com/a.png" }])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/both\.jsonl:1: both "path" and "url"; give one/],
    },
    {
      name: "a URL with an unknown scheme",
      args: () => ["data", "add", hash, "--manifest", manifest("scheme.jsonl", [{ url: "sftp://example.com/a.png" }])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/scheme\.jsonl:1: "url" scheme "sftp:" is not accepted; accepted: http, https, s3, gs, az, file/],
    },
    {
      name: "a missing file on line 3: the whole manifest is refused",
      args: () => [
        "data",
        "add",
        hash,
        "--manifest",
        manifest("missing.jsonl", [{ path: demoFile("red-square.png") }, { path: demoFile("blue-tall.png") }, { path: "gone.png" }]),
      ],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/missing\.jsonl:3: File ".*gone\.png" does not exist/],
    },
    {
      name: "clientMetadata that is not an object",
      args: () => ["data", "add", hash, "--manifest", manifest("metadata.jsonl", [{ path: demoFile("red-square.png"), clientMetadata: "urgent" }])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/metadata\.jsonl:1: "clientMetadata" must be a JSON object/],
    },
    {
      name: "a key given twice",
      args: () => [
        "data",
        "add",
        hash,
        "--manifest",
        manifest("dup.jsonl", [{ path: demoFile("red-square.png") }, `{"path": ${JSON.stringify(demoFile("red-square.png"))}, "path": "gone.png"}`]),
      ],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/dup\.jsonl:2: key "path" appears twice in the top-level object \(the second time at column \d+\); give each key once/],
    },
    {
      name: "a clientMetadata key given twice",
      args: () => [
        "data",
        "add",
        hash,
        "--manifest",
        manifest("dup-meta.jsonl", [`{"url": "https://example.com/a.png", "clientMetadata": {"split": "train", "split": "test"}}`]),
      ],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/dup-meta\.jsonl:1: key "split" appears twice in clientMetadata \(the second time at column 75\)/],
    },
    {
      name: "an unknown key",
      args: () => ["data", "add", hash, "--manifest", manifest("key.jsonl", [{ file: demoFile("red-square.png") }])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/key\.jsonl:1: unknown key "file"; accepted keys: "title", "path", "url", "clientMetadata"/],
    },
    {
      name: "a file task-agents cannot add (no media type)",
      args: () => ["data", "add", hash, "--manifest", manifest("media.jsonl", [{ path: write("blob.bin", "\u0000\u0001\u0002 not media") }])],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_MANIFEST",
      message: [/media\.jsonl:1: .*blob\.bin.* which task-agents cannot add\. Accepted: images, videos/],
    },
    {
      name: "a manifest that does not exist",
      args: () => ["data", "add", hash, "--manifest", file("nope.jsonl")],
      stores: demo,
      exit: 1,
      code: "TA_FILE_NOT_FOUND",
      message: [/Manifest ".*nope\.jsonl" does not exist or cannot be read/],
    },
    {
      name: "a data path that does not exist (with good ones)",
      args: () => ["data", "add", hash, demoFile("red-square.png"), file("nope.png")],
      stores: demo,
      exit: 1,
      code: "TA_FILE_NOT_FOUND",
      message: [/".*nope\.png" does not exist; give files or folders that do/],
    },
  ],
  "CLI option": [
    {
      name: "an unknown flag",
      args: () => ["project", "list", "--frobnicate"],
      stores: both,
      exit: 1,
      code: "TA_USAGE",
      message: [/unknown option '--frobnicate'/],
    },
    { name: "an unknown command", args: () => ["projects", "list"], stores: both, exit: 1, code: "TA_USAGE", message: [/unknown command 'projects'/] },
    {
      name: "--concurrency 0",
      args: () => run(good(), "--concurrency", "0"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Invalid run options: concurrency must be at least 1 \(got 0\)/],
    },
    // 1e20 is a whole number, only too big: the message gives the range, not "must be a whole number".
    {
      name: "--concurrency 1e20",
      args: () => run(good(), "--concurrency", "1e20"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Invalid run options: concurrency must be between 1 and 1000 \(got 100000000000000000000\)\.$/m],
    },
    {
      name: "--task-batch-size 1e20",
      args: () => run(good(), "--task-batch-size", "1e20"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/taskBatchSize must be between 1 and 9007199254740991 \(got 100000000000000000000\)\.$/m],
    },
    {
      name: "--max-tasks-per-stage 1e300",
      args: () => run(good(), "--max-tasks-per-stage", "1e300"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/maxTasksPerStage must be between 1 and 9007199254740991/],
    },
    {
      name: "--num-retries 1e20",
      args: () => run(good(), "--num-retries", "1e20"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/numRetries must be between 0 and 9007199254740991 \(got 100000000000000000000\)\.$/m],
    },
    {
      name: "queue work --concurrency 1e20",
      args: () => ["queue", "work", agent("queue-runner.ts"), "--concurrency", "1e20"],
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/--concurrency takes a whole number from 1 to 1000, got "1e20"/],
    },
    {
      name: "queue work --max-stalled 1e20",
      args: () => ["queue", "work", agent("queue-runner.ts"), "--max-stalled", "1e20"],
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/--max-stalled takes a whole number from 1 to 9007199254740991, got "1e20"/],
    },
    {
      name: "demo --concurrency 1e20",
      args: () => ["demo", "--concurrency", "1e20"],
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/--concurrency takes a whole number from 1 to 1000, got "1e20"/],
    },
    {
      name: "--num-retries -1",
      args: () => run(good(), "--num-retries", "-1"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/numRetries must be 0 or more \(got -1\)/],
    },
    {
      name: "--task-batch-size abc",
      args: () => run(good(), "--task-batch-size", "abc"),
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/--task-batch-size takes a number, got "abc"/],
    },
    {
      name: "--refresh-every 0",
      args: () => run(good(), "--refresh-every", "0"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/refreshEvery must be more than 0 seconds \(got 0\)/],
    },
    {
      name: "--grace-period -5",
      args: () => run(good(), "--grace-period", "-5"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/gracePeriod must be 0 or more seconds \(got -5\)/],
    },
    // Node's timers wait at most 2^31 − 1 ms; a longer duration would fire after 1 ms.
    {
      name: "--task-timeout past a timer's range",
      args: () => run(good(), "--task-timeout", "3000000"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/taskTimeout must be at most 2147483 seconds \(about 24\.8 days\) \(got 3000000\)/],
    },
    {
      name: "--refresh-every 1e10",
      args: () => run(good(), "--refresh-every", "1e10"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/refreshEvery must be at most 2147483 seconds/],
    },
    {
      name: "--grace-period 3e6",
      args: () => run(good(), "--grace-period", "3e6"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/gracePeriod must be at most 2147483 seconds/],
    },
    {
      name: "--retry-failed-after -1",
      args: () => run(good(), "--retry-failed-after", "-1"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/retryFailedAfter must be 0 or more seconds \(got -1\)/],
    },
    {
      name: "--retry-failed-after soon",
      args: () => run(good(), "--retry-failed-after", "soon"),
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/--retry-failed-after takes a number, got "soon"/],
    },
    {
      name: "--claim-lease 0.5",
      args: () => run(good(), "--claim-lease", "0.5"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/claimLease must be at least 1 second \(got 0\.5\)/],
    },
    {
      name: "--claim-lease 3e6",
      args: () => run(good(), "--claim-lease", "3e6"),
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/claimLease must be at most 2147483 seconds/],
    },
    {
      name: "--claim-lease a while",
      args: () => run(good(), "--claim-lease", "a while"),
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/--claim-lease takes a number, got "a while"/],
    },
    {
      name: "queue work --lock-duration 1e12",
      args: () => ["queue", "work", agent("queue-runner.ts"), "--lock-duration", "1e12"],
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/--lock-duration takes at most 2147483 seconds/],
    },
    {
      name: "queue work --queue ''",
      args: () => ["queue", "work", agent("queue-runner.ts"), "--queue", ""],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/The queue name "" is not accepted; accepted: a non-empty name without ":"/],
    },
    {
      name: "queue enqueue --queue a:b",
      args: () => ["queue", "enqueue", agent("queue-runner.ts"), "--queue", "a:b"],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/The queue name "a:b" is not accepted/],
    },
    {
      name: "--backend with an unknown kind",
      args: () => ["--backend", "cloud", "project", "list"],
      stores: both,
      exit: 1,
      code: "TA_USAGE",
      message: [/argument 'cloud' is invalid\. Allowed choices are local, encord/],
    },
    {
      name: "an unknown project hash",
      args: () => ["project", "show", "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b"],
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_PROJECT",
      message: [/No project "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b" in this store/, /task-agents project list/],
    },
    {
      name: "a project hash that is not a UUID",
      args: () => ["tasks", "list", "Demo"],
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_PROJECT",
      message: [/Not a project hash: a project hash is a UUID, and there is no project "Demo"/],
    },
    {
      name: "a project of a store that does not exist",
      args: () => ["project", "show", "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b"],
      stores: ["none"],
      exit: 1,
      code: "TA_NO_STORE",
      message: [/There is no task-agents store at ".*store\.db"/],
    },
    {
      name: "an unknown stage in tasks list --stage",
      args: () => ["tasks", "list", hash, "--stage", "Prelabel"],
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_STAGE",
      message: [/Project "Demo" has no stage "Prelabel"\. Stages \(title or UUID\): "Start" \(START, /],
    },
    {
      name: "tasks proceed with an unknown pathway",
      args: () => ["tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotated", "--all"],
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_PATHWAY",
      message: [/Stage "Pre-label" has no pathway "annotated"/, /"annotate"/],
    },
    {
      name: "tasks proceed with a pathway of another stage type",
      args: () => ["tasks", "proceed", hash, "--stage", "Annotate", "--pathway", "approve", "--all"],
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_PATHWAY",
      message: [/Stage "Annotate" has no pathway "approve"\. Accepted: "submit"/],
    },
    {
      name: "tasks proceed with neither --task nor --all",
      args: () => ["tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate"],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Say which tasks to move: either --task <uuid> .* or --all/],
    },
    {
      name: "tasks proceed with --task and --all",
      args: () => ["tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--all", "--task", taskUuid],
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/option '--task <uuid>' cannot be used with option '--all'/],
    },
    {
      name: "tasks proceed without --pathway",
      args: () => ["tasks", "proceed", hash, "--stage", "Pre-label", "--all"],
      stores: demo,
      exit: 1,
      code: "TA_USAGE",
      message: [/required option '--pathway <pathway>' not specified/],
    },
    {
      name: "tasks proceed with a task that is not in the project",
      args: () => ["tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--task", "task-1"],
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_TASK",
      message: [/Project "Demo" has no task "task-1"; a task is given by its UUID/],
    },
    {
      name: "labels export --out to a folder",
      args: () => ["labels", "export", hash, "--out", join(dir.path, "files")],
      stores: demo,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Cannot write ".*files": it is a folder; give a file path such as ".*labels\.json"/],
    },
  ],
  "agent file": [
    {
      name: "no export",
      args: () => run(agent("no-export.ts")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Agent file ".*no-export\.ts" exports no Runner or QueueRunner/, /export default runner/],
    },
    {
      name: "default export and `runner` that are not Runners",
      args: () => run(agent("wrong-export.ts")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Agent file ".*wrong-export\.ts" exports no Runner or QueueRunner/],
    },
    {
      name: "a syntax error",
      args: () => run(file("syntax-error.mts")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Agent file ".*syntax-error\.mts" failed to load: /, /:3:\d+: ERROR: Expected "\)" but found ";"/],
    },
    {
      name: "throws while loading",
      args: () => run(file("throws-on-load.mts")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/failed to load: the model weights are missing: set MODEL_DIR \(at .*throws-on-load\.mts:\d+:\d+\)/],
    },
    {
      name: "imports a module that does not exist",
      args: () => run(file("missing-import.mts")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/missing-import\.mts" failed to load: Cannot find module '.*no-such-helper\.js'/],
    },
    {
      name: "a file that does not exist",
      args: () => run(file("nope.ts")),
      stores: both,
      exit: 1,
      code: "TA_FILE_NOT_FOUND",
      message: [/Agent file ".*nope\.ts" does not exist/],
    },
    {
      name: "a folder named like an agent file",
      args: () => run(file("a-folder.ts")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/Agent file ".*a-folder\.ts" is a folder; give the agent's file/],
    },
    {
      name: "a Python file",
      args: () => run(file("agent.py")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/has extension "\.py"; accepted: \.ts, \.mts/],
    },
    {
      name: ".ts agent registering an unknown stage",
      args: () => run(agent("unknown-stage.ts")),
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_STAGE",
      message: [/Project "Demo" has no stage "Prelabel"\. Agent stages: "Pre-label"/, /Did you mean "Pre-label"\?/],
    },
    {
      name: ".ts agent with an unknown onFailure pathway",
      args: () => run(agent("unknown-on-failure.ts")),
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_PATHWAY",
      message: [/runner\.stage\("Pre-label", \{ onFailure \}, …\): Stage "Pre-label" has no pathway "failed"\. Accepted: "annotate" or "skip" or their UUIDs/],
    },
    {
      name: ".ts agent registering a human stage",
      args: () => run(agent("human-stage.ts")),
      stores: demo,
      exit: 1,
      code: "TA_UNKNOWN_STAGE",
      message: [/Stage "Annotate" is an ANNOTATION stage; handlers run only in AGENT stages/],
    },
    {
      name: "a QueueRunner given to run",
      args: () => run(agent("queue-runner.ts")),
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/A QueueRunner does not run tasks itself/, /task-agents queue enqueue/],
    },
    {
      name: "a Runner given to queue enqueue",
      args: () => ["queue", "enqueue", agent("plain-runner.ts")],
      stores: both,
      exit: 1,
      code: "TA_INVALID_ARGUMENT",
      message: [/plain-runner\.ts" exports a Runner; queue commands need a QueueRunner/],
    },
  ],
};

/** Runs a case on one kind of store and checks the store afterwards. */
async function runCase(c: CliCase, kind: StoreKind, json: boolean): Promise<CliResult> {
  const storePath = kind === "demo" ? store : join(dir.path, `none-${Math.random().toString(36).slice(2)}`, "store.db");
  const before = kind === "demo" ? storeDigest(storePath) : undefined;
  const result = await cli(["--store", storePath, ...(json ? ["--json"] : []), ...c.args()]);
  if (kind === "demo") expect(storeDigest(storePath), "the store changed").toEqual(before);
  else expect(storeFiles(join(storePath, "..")), "a store was created").toEqual([]);
  return result;
}

for (const [family, rows] of Object.entries(cases)) {
  describe(`bad ${family}`, () => {
    const runs = rows.flatMap((c) =>
      c.stores.map((kind) => ({ ...c, kind, title: `${c.name}${c.stores.length > 1 ? ` (${kind === "demo" ? "existing store" : "no store"})` : ""}` })),
    );
    test.each(runs)("$title", async (c) => {
      const text = await runCase(c, c.kind, false);
      expect(text.code, text.stderr).toBe(c.exit);
      expect(text.stderr).toMatch(/^error: /);
      for (const pattern of c.message) expect(text.stderr).toMatch(pattern);
      expectCleanMessage(text.stdout + text.stderr);
      // Errors go to stderr; a failed command prints no result.
      expect(text.stdout).toBe("");

      const json = await runCase(c, c.kind, true);
      expect(json.code, json.stderr).toBe(c.exit);
      expect(json.stdout).toBe("");
      const lines = json.stderr.trimEnd().split("\n");
      expect(lines, json.stderr).toHaveLength(1);
      const { error } = JSON.parse(lines[0]!) as { error: { code: string; message: string } };
      expect(error.code).toBe(c.code);
      for (const pattern of c.message) expect(error.message).toMatch(pattern);
      expectCleanMessage(error.message);
    });
  });
}

test("the corpus is at least 40 local cases", () => {
  expect(Object.values(cases).flat().length).toBeGreaterThanOrEqual(40);
});
