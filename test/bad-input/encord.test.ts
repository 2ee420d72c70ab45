/**
 * Bad-input corpus, Encord: SSH keys and settings that cannot work, and server answers that are
 * broken (truncated JSON, HTML, wrong types), one row per case. The answers come from a stub
 * server (./support.ts) since the fake Encord never sends them. Each case asserts exit 1, the
 * error code (with --json), a message naming the problem, no stack trace, no key material,
 * nothing sent that would change anything on the server, and no local store created.
 * Keys are made at test time with ssh-keygen. Agent files import "task-agents": `npm run build` first.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { ErrorCode } from "../../src/index.js";
import { cli, type CliResult } from "../support/run-cli.js";
import { tempDir } from "../support/temp-dir.js";
import { addSecret, expectCleanMessage, secrets, startStubEncord, stateChanging, storeFiles, type StubAnswers, type StubEncord } from "./support.js";
import { sshKeygen } from "../support/ssh-keys.js";

const dir = tempDir("task-agents-bad-input-encord-");
const key = (name: string): string => join(dir.path, "keys", name);
const keyText = (name: string): string => readFileSync(key(name), "utf8");
const passphrase = "correct-horse-battery-42";
const agent = (name: string): string => fileURLToPath(new URL(`../fixtures/bad-input/agents/${name}`, import.meta.url));

const keygen = (type: string, name: string, pass: string): void => sshKeygen(key(name), { type, passphrase: pass, comment: "bad-input@example" });

const P = "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b";
const agentStage = "11111111-1111-4111-8111-111111111111";
const doneStage = "22222222-2222-4222-8222-222222222222";
const task = {
  uuid: "55555555-5555-4555-8555-555555555555",
  createdAt: "2024-01-01T00:00:00",
  updatedAt: "2024-01-01T00:00:00",
  status: "NEW",
  dataHash: "66666666-6666-4666-8666-666666666666",
  dataTitle: "a.png",
  labelBranchName: "main",
  assignee: null,
  lastActionedBy: null,
};
const project = {
  projectHash: P,
  projectType: "workflow",
  title: "Stubbed",
  description: "",
  createdAt: "2024-01-01T00:00:00",
  ontologyHash: "88888888-8888-4888-8888-888888888888",
  workflow: {
    stages: [
      {
        stageType: "AGENT",
        uuid: agentStage,
        title: "Pre-label",
        pathways: [{ uuid: "33333333-3333-4333-8333-333333333333", title: "annotate", destinationUuid: doneStage }],
      },
      { stageType: "DONE", uuid: doneStage, title: "Complete" },
    ],
  },
};
const json = (value: unknown) => ({ body: JSON.stringify(value) });
const v1 = (response: unknown) => json({ status: 200, response });

/** Well-formed answers for every call a run makes up to the label rows; each case breaks one. */
const goodAnswers: StubAnswers = {
  project: json(project),
  ontology: json({ editor: { objects: [], classifications: [] } }),
  tasks: json({ results: [task], nextPageToken: null }),
  "v1 labelrowmetadata GET": v1([
    { data_hash: task.dataHash, label_hash: "77777777-7777-4777-8777-777777777777", backing_item_uuid: null, data_title: "a.png", data_type: "image" },
  ]),
};

let stub: StubEncord;

beforeAll(async () => {
  mkdirSync(join(dir.path, "keys"));
  mkdirSync(join(dir.path, "keys", "a-folder"));
  keygen("ed25519", "id_ed25519", "");
  keygen("ed25519", "id_protected", passphrase);
  keygen("rsa", "id_rsa", "");
  keygen("ecdsa", "id_ecdsa", "");
  writeFileSync(key("garbage"), "this is no key at all\n\x00\x01\x02\n");
  for (const name of ["id_ed25519", "id_protected", "id_rsa", "id_ecdsa"]) addSecret(keyText(name));
  secrets.push(passphrase);
  stub = await startStubEncord();
}, 60_000);

afterAll(async () => {
  await stub.close();
  dir[Symbol.dispose]();
});

beforeEach(() => {
  stub.requests.length = 0;
  stub.answers = goodAnswers;
});

/** The environment of a user with a good key, on the stub, with a store path that must stay unused. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ENCORD_DOMAIN: stub.url, ENCORD_SSH_KEY_FILE: key("id_ed25519"), TASK_AGENTS_STORE: join(dir.path, "store", "store.db"), ...extra };
}

/** Runs a case as text and as --json; checks what every case shares and returns both. */
async function runBoth(
  args: readonly string[],
  environment: NodeJS.ProcessEnv,
  code: ErrorCode,
  message: RegExp,
): Promise<{ text: CliResult; json: CliResult }> {
  const text = await cli(args, environment);
  expect(text.code, text.stderr).toBe(1);
  expect(text.stderr).toMatch(/^error: /m);
  expect(text.stderr).toMatch(message);
  expectCleanMessage(text.stdout + text.stderr);

  const asJson = await cli(["--json", ...args], environment);
  expect(asJson.code, asJson.stderr).toBe(1);
  const lines = asJson.stderr.trimEnd().split("\n");
  const { error } = JSON.parse(lines.at(-1)!) as { error: { code: string; message: string } };
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expectCleanMessage(asJson.stdout + asJson.stderr);
  expect(storeFiles(join(dir.path, "store")), "a local store was created").toEqual([]);
  return { text, json: asJson };
}

interface SettingsCase {
  readonly name: string;
  readonly env: () => NodeJS.ProcessEnv;
  readonly code: ErrorCode;
  readonly message: RegExp;
}

const keyCases: readonly SettingsCase[] = [
  {
    name: "an RSA key",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("id_rsa") }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /The file in ENCORD_SSH_KEY_FILE \(".*id_rsa"\) is an RSA key; Encord needs an Ed25519 key/,
  },
  {
    name: "an ECDSA key",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("id_ecdsa") }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /is an ECDSA key; Encord needs an Ed25519 key \(ssh-keygen -t ed25519\)/,
  },
  {
    name: "an RSA key in ENCORD_SSH_KEY",
    env: () => ({ ENCORD_SSH_KEY: keyText("id_rsa"), ENCORD_SSH_KEY_FILE: undefined }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /\bENCORD_SSH_KEY is an RSA key; Encord needs an Ed25519 key/,
  },
  {
    name: "an encrypted key without passphrase",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("id_protected") }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /is protected by a passphrase; set ENCORD_SSH_KEY_PASSPHRASE to it/,
  },
  {
    name: "an encrypted key with a wrong passphrase",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("id_protected"), ENCORD_SSH_KEY_PASSPHRASE: "not-the-passphrase" }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /cannot be decrypted with the passphrase in ENCORD_SSH_KEY_PASSPHRASE: wrong passphrase/,
  },
  {
    name: "a garbage key file",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("garbage") }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /does not hold an OpenSSH private key \(-----BEGIN OPENSSH PRIVATE KEY----- …\)/,
  },
  {
    name: "garbage in ENCORD_SSH_KEY",
    env: () => ({
      ENCORD_SSH_KEY: "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END OPENSSH PRIVATE KEY-----\n",
      ENCORD_SSH_KEY_FILE: undefined,
    }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /ENCORD_SSH_KEY starts with -----BEGIN OPENSSH PRIVATE KEY----- but its content cannot be read/,
  },
  {
    name: "a truncated key (no END line)",
    env: () => ({ ENCORD_SSH_KEY: keyText("id_ed25519").split("\n").slice(0, 3).join("\n"), ENCORD_SSH_KEY_FILE: undefined }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /has no -----END OPENSSH PRIVATE KEY----- line \(truncated\?\)/,
  },
  {
    name: "the public key (.pub) instead of the private one",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("id_ed25519.pub") }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /holds an OpenSSH public key \(the \.pub file\); Encord needs the private key/,
  },
  {
    name: "a path in ENCORD_SSH_KEY",
    env: () => ({ ENCORD_SSH_KEY: key("id_ed25519"), ENCORD_SSH_KEY_FILE: undefined }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /ENCORD_SSH_KEY is a file path \(".*id_ed25519"\)\. ENCORD_SSH_KEY takes the key content/,
  },
  {
    name: "a path to no file in ENCORD_SSH_KEY",
    env: () => ({ ENCORD_SSH_KEY: "~/.ssh/id_ed25519_encord_nope", ENCORD_SSH_KEY_FILE: undefined }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /ENCORD_SSH_KEY looks like a file path, not a key\. .*put a path in ENCORD_SSH_KEY_FILE instead/,
  },
  {
    name: "a missing ENCORD_SSH_KEY_FILE",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("id_nope") }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /ENCORD_SSH_KEY_FILE \(".*id_nope"\) does not exist\. It must name a readable file/,
  },
  {
    name: "a folder in ENCORD_SSH_KEY_FILE",
    env: () => ({ ENCORD_SSH_KEY_FILE: key("a-folder") }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /ENCORD_SSH_KEY_FILE \(".*a-folder"\) is not a regular file/,
  },
  {
    name: "a bearer token with spaces",
    env: () => ({ ENCORD_SSH_KEY_FILE: undefined, ENCORD_BEARER_TOKEN: "tok en-secret-value" }),
    code: "TA_ENCORD_CREDENTIALS",
    message: /ENCORD_BEARER_TOKEN holds spaces, line breaks or non-ASCII characters/,
  },
  {
    name: "ENCORD_DOMAIN without a scheme",
    env: () => ({ ENCORD_DOMAIN: "api.encord.com" }),
    code: "TA_ENCORD_DOMAIN",
    message: /ENCORD_DOMAIN "api\.encord\.com" is not an absolute URL \(it needs https:\/\/ or http:\/\/\)/,
  },
  {
    name: "ENCORD_DOMAIN with another scheme",
    env: () => ({ ENCORD_DOMAIN: "ftp://api.encord.com" }),
    code: "TA_ENCORD_DOMAIN",
    message: /ENCORD_DOMAIN "ftp:\/\/api\.encord\.com" uses ftp, not http or https/,
  },
  {
    name: "ENCORD_DOMAIN with a query (not quoted)",
    env: () => ({ ENCORD_DOMAIN: "https://api.encord.com/?token=domain-secret-1" }),
    code: "TA_ENCORD_DOMAIN",
    message: /ENCORD_DOMAIN "https:\/\/api\.encord\.com\/\?(…|\[query removed\])" has a query string/,
  },
  {
    name: "ENCORD_DOMAIN with a password (not quoted)",
    env: () => ({ ENCORD_DOMAIN: "https://me:domain-secret-2@api.encord.com" }),
    code: "TA_ENCORD_DOMAIN",
    message: /ENCORD_DOMAIN "https:\/\/…@api\.encord\.com" carries a user name or password/,
  },
];

describe("bad Encord keys and settings: exit 1 before any request", () => {
  beforeAll(() => {
    secrets.push("tok en-secret-value", "en-secret-value", "domain-secret-1", "domain-secret-2");
  });

  test.each(keyCases)("$name", async (c) => {
    const { text } = await runBoth(["print", "agent-nodes", P], env(c.env()), c.code, c.message);
    // One line: the message alone.
    expect(text.stderr.trimEnd().split("\n"), text.stderr).toHaveLength(1);
    expect(stub.requests, "a request was sent with bad settings").toEqual([]);
  });
});

interface ResponseCase {
  readonly name: string;
  readonly args: () => string[];
  /** Replaces the good answers of these routes. */
  readonly answers: StubAnswers;
  readonly code: ErrorCode;
  readonly message: RegExp;
  /** The routes the client called, in order: it stopped at the broken answer. */
  readonly calls: readonly string[];
}

const agentNodes = () => ["print", "agent-nodes", P];
const tasksList = () => ["tasks", "list", P];
const runAgent = () => ["run", agent("with-label-row.ts"), "--project-hash", P];
const upToTasks = ["project", "ontology", "tasks"];
const upToMetadata = [...upToTasks, "v1 labelrowmetadata GET"];

const responseCases: readonly ResponseCase[] = [
  {
    name: "truncated JSON on the project",
    args: agentNodes,
    answers: { project: { body: JSON.stringify(project).slice(0, 60) } },
    code: "TA_ENCORD_TRANSPORT",
    message: /The request to Encord failed: the response is not valid JSON \(.+\)\..*\[GET \/v2\/public\/projects\/[0-9a-f-]+ on .*status 200/,
    calls: ["project"],
  },
  {
    name: "200 with an HTML body on the project",
    args: agentNodes,
    answers: { project: { body: "<!doctype html><html><body>Sign in</body></html>", contentType: "text/html" } },
    code: "TA_ENCORD_TRANSPORT",
    message: /the response is not valid JSON \(Unexpected token '<'/,
    calls: ["project"],
  },
  {
    name: "a project that is a list",
    args: agentNodes,
    answers: { project: json([project]) },
    code: "TA_STORE_ERROR",
    message: /Encord sent a project that is not an object \(got a list\)/,
    calls: ["project"],
  },
  {
    name: "a project with workflow: 5",
    args: agentNodes,
    answers: { project: json({ ...project, workflow: 5 }) },
    code: "TA_STORE_ERROR",
    message: /Encord sent project "0b2c7e3a-[0-9a-f-]+" with a "workflow" that is not an object with a list of stages \(got number 5\)/,
    calls: ["project", "ontology"],
  },
  {
    name: "a project whose stages are a string",
    args: agentNodes,
    answers: { project: json({ ...project, workflow: { stages: "Pre-label" } }) },
    code: "TA_STORE_ERROR",
    message: /"workflow" that is not an object with a list of stages \(got "stages" string "Pre-label"\)/,
    calls: ["project", "ontology"],
  },
  {
    name: "a stage whose uuid is a number",
    args: agentNodes,
    answers: { project: json({ ...project, workflow: { stages: [{ stageType: "AGENT", uuid: 1, title: "Pre-label" }] } }) },
    code: "TA_STORE_ERROR",
    message: /Encord sent workflow stage 0 without a uuid \(got number\)/,
    calls: ["project", "ontology"],
  },
  {
    name: "truncated JSON on the ontology",
    args: agentNodes,
    answers: { ontology: { body: '{"editor": {"objects": [' } },
    code: "TA_ENCORD_TRANSPORT",
    message: /the response is not valid JSON .*\[GET \/v2\/public\/ontologies\//,
    calls: ["project", "ontology"],
  },
  {
    name: "task list: results a string",
    args: tasksList,
    answers: { tasks: json({ results: "x" }) },
    code: "TA_STORE_ERROR",
    message: /Encord sent a page of the tasks of stage 11111111-[0-9a-f-]+ whose "results" is not a list \(got string "x"\)/,
    calls: upToTasks,
  },
  {
    name: "task list: nextPageToken a number",
    args: tasksList,
    answers: { tasks: json({ results: [task], nextPageToken: 5 }) },
    code: "TA_STORE_ERROR",
    message: /whose "nextPageToken" is not a string \(got number 5\)/,
    calls: upToTasks,
  },
  {
    name: "task list: a page that is a list",
    args: tasksList,
    answers: { tasks: json([task]) },
    code: "TA_STORE_ERROR",
    message: /Encord sent a page of the tasks of stage .* that is not an object \(got a list\)/,
    calls: upToTasks,
  },
  {
    name: "task list: a task uuid that is a number",
    args: tasksList,
    answers: { tasks: json({ results: [{ ...task, uuid: 5 }] }) },
    code: "TA_STORE_ERROR",
    message: /Encord sent a task without a uuid \(got number\)/,
    calls: upToTasks,
  },
  {
    name: "task list: tasks that are numbers",
    args: tasksList,
    answers: { tasks: json({ results: [1, 2] }) },
    code: "TA_STORE_ERROR",
    message: /Encord sent a task of stage 11111111-[0-9a-f-]+ that is not an object/,
    calls: upToTasks,
  },
  {
    name: "task list: truncated JSON (run)",
    args: runAgent,
    answers: { tasks: { body: '{"results": [{"uuid": "5555' } },
    code: "TA_ENCORD_TRANSPORT",
    message: /the response is not valid JSON .*\/workflow\/stages\/11111111-[0-9a-f-]+\/tasks/,
    calls: upToTasks,
  },
  {
    name: "v1 label-row metadata that is not a list",
    args: runAgent,
    answers: { "v1 labelrowmetadata GET": v1({ a: 1 }) },
    code: "TA_STORE_ERROR",
    message: /Encord's label-row metadata response is not a list \(got an object\)/,
    calls: upToMetadata,
  },
  {
    name: "v1 label rows that are not a list",
    args: runAgent,
    answers: { "v1 labelrow GET": v1({ a: 1 }) },
    code: "TA_STORE_ERROR",
    message: /Encord's label rows response is not a list \(got an object\)/,
    calls: [...upToMetadata, "v1 labelrow GET"],
  },
  {
    name: "v1 label rows without data_hash",
    args: runAgent,
    answers: { "v1 labelrow GET": v1([{ label_hash: "77777777-7777-4777-8777-777777777777" }]) },
    code: "TA_STORE_ERROR",
    message: /Encord sent label row 0 without a data_hash \(got nothing\)/,
    calls: [...upToMetadata, "v1 labelrow GET"],
  },
  {
    name: "v1 answer that is no envelope",
    args: runAgent,
    answers: { "v1 labelrowmetadata GET": json([1, 2]) },
    code: "TA_ENCORD_TRANSPORT",
    message: /the response is not an Encord v1 envelope.*\[POST \/public \(labelrowmetadata GET\)/,
    calls: upToMetadata,
  },
  {
    name: "v1 answer that is truncated JSON",
    args: runAgent,
    answers: { "v1 labelrowmetadata GET": { body: '{"status": 200, "response": [{"data_hash": ' } },
    code: "TA_ENCORD_TRANSPORT",
    message: /the response is not valid JSON .*\(labelrowmetadata GET\)/,
    calls: upToMetadata,
  },
  {
    name: "v1 answer that is an HTML page with 200",
    args: runAgent,
    answers: { "v1 labelrowmetadata GET": { body: "<html><body>Maintenance</body></html>", contentType: "text/html" } },
    code: "TA_ENCORD_TRANSPORT",
    message: /the response is not valid JSON \(Unexpected token '<'/,
    calls: upToMetadata,
  },
];

describe("broken Encord answers: exit 1 with a message naming what was wrong, nothing changed on the server", () => {
  test("control: the stub's good answers work (so each case fails for its own reason)", async () => {
    const nodes = await cli(agentNodes(), env());
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(nodes.stdout).toMatch(/AgentStage "Pre-label"/);
    const listed = await cli(["--json", ...tasksList()], env());
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ uuid: task.uuid, stage: "Pre-label" });
  });

  test.each(responseCases)("$name", async (c) => {
    stub.answers = { ...goodAnswers, ...c.answers };
    await runBoth(c.args(), env(), c.code, c.message);
    // Twice (text and --json), each time stopping at the broken answer.
    const routes = stub.requests.map((r) => r.route);
    expect(routes).toEqual([...c.calls, ...c.calls]);
    expect(stateChanging(stub.requests)).toEqual([]);
  });
});

test("the corpus is at least 30 Encord cases", () => {
  expect(keyCases.length + responseCases.length).toBeGreaterThanOrEqual(30);
});
