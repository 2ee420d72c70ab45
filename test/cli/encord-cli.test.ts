/**
 * The CLI on Encord (DESIGN §5): `print agent-nodes`, `tasks list` and `run` against the fake
 * Encord server, chosen by the credentials in the environment, and every way the settings can
 * be wrong, each a one-line error (exit 1) that names the problem and quotes no secret.
 * Agent files import "task-agents": run `npm run build` first.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { loadProjectSpec } from "../../src/backends/local/project-spec.js";
import { agentFile } from "../support/agent-process.js";
import { startFakeEncord, type AddProjectOptions, type AddedProject, type FakeEncord, type FakeItemSpec } from "../support/fake-encord/index.js";
import type { CliResult } from "../support/run-cli.js";
import { tempDir } from "../support/temp-dir.js";
import { cli, expectJsonError, expectUserError, freshStore, jsonLines, paths, type TaskLine } from "./cli-helpers.js";
import { publicKeyHexOf, sshKeygen } from "../support/ssh-keys.js";

const passphrase = "hunter2-passphrase-77";
const dir = tempDir("task-agents-encord-cli-");
const file = (name: string): string => join(dir.path, name);
const text = (name: string): string => readFileSync(file(name), "utf8");

const keygen = (type: string, name: string, pass: string, extra: string[] = []): void =>
  sshKeygen(file(name), { type, passphrase: pass, extra, comment: "cli-test@example" });

const publicHex = (name: string): string => publicKeyHexOf(file(`${name}.pub`));

const items: FakeItemSpec[] = [
  { title: "blue-tall.png", dataType: "image", mimeType: "image/png", width: 40, height: 80 },
  { title: "caption.txt", dataType: "plain_text", mimeType: "text/plain" },
  { title: "green-wide.png", dataType: "image", mimeType: "image/png", width: 80, height: 40 },
  { title: "red-square.png", dataType: "image", mimeType: "image/png", width: 50, height: 50 },
];

let fake: FakeEncord;
/** What must never be printed: key files' text and their base64 lines, the passphrase. */
const secrets: string[] = [];

beforeAll(async () => {
  keygen("ed25519", "id_ed25519", "");
  keygen("ed25519", "id_unregistered", "");
  keygen("ed25519", "id_other", "");
  keygen("ed25519", "id_protected", passphrase);
  keygen("rsa", "id_rsa", "", ["-b", "2048"]);
  writeFileSync(file("garbage"), "this is no key at all\n");
  for (const name of ["id_ed25519", "id_unregistered", "id_other", "id_protected", "id_rsa"]) {
    const keyText = text(name);
    secrets.push(keyText, ...keyText.split("\n").filter((line) => line.length >= 20 && !line.startsWith("-----")));
  }
  secrets.push(passphrase);
  fake = await startFakeEncord({ publicKeys: [publicHex("id_ed25519"), publicHex("id_other"), publicHex("id_protected")], seed: 5 });
}, 60_000);

afterAll(async () => {
  await fake.close();
  dir[Symbol.dispose]();
});

afterEach(() => fake.faults.clear());

function demoProject(options: AddProjectOptions = {}): AddedProject & { stageUuid: (title: string) => string } {
  const added = fake.addProject(loadProjectSpec(paths.demoSpec), items, options);
  return { ...added, stageUuid: (title) => added.stages.find((s) => s.title === title)!.uuid };
}

/** The environment of a user with the test key in ENCORD_SSH_KEY_FILE, on the fake. */
function encordEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ENCORD_DOMAIN: fake.url, ENCORD_SSH_KEY_FILE: file("id_ed25519"), ...extra };
}

/** Nothing of a key, the passphrase, a signature or an Authorization value was printed. */
function expectNoSecrets(result: CliResult): void {
  const output = result.stdout + result.stderr;
  for (const secret of secrets) expect(output).not.toContain(secret);
  // Messages may name the armour (-----BEGIN OPENSSH PRIVATE KEY----- …), never what follows it.
  expect(output).not.toMatch(/PRIVATE KEY-----\s*\n\s*[A-Za-z0-9+/=]{16}/);
  expect(output).not.toMatch(/encord-sig=/);
  // Ed25519 signatures: 128 hex characters (v1 Authorization) or 64 bytes of base64 (v2 Signature).
  expect(output).not.toMatch(/[0-9a-f]{128}/i);
  expect(output).not.toMatch(/[A-Za-z0-9+/]{86}==/);
  for (const name of ["id_ed25519", "id_other", "id_protected", "id_unregistered"]) expect(output).not.toContain(`${publicHex(name)}:`);
  expect(output).not.toMatch(/\b(authorization|signature)["']?\s*[:=]\s*(?!\[removed\])\S/i);
}

/** A user error on Encord: exit 1, one `error:` line matching the patterns, no secret. */
function expectEncordError(result: CliResult, ...patterns: (string | RegExp)[]): void {
  expectUserError(result, ...patterns);
  expectNoSecrets(result);
}

describe("print agent-nodes on Encord", () => {
  test("prints the AGENT stages with their pathways, read from Encord", async () => {
    const project = demoProject();
    const result = await cli(["print", "agent-nodes", project.projectHash], encordEnv());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const agent = project.stages.find((s) => s.type === "AGENT")!;
    expect(result.stdout).toContain(`AgentStage "Pre-label"\n  uuid: ${agent.uuid}`);
    expect(result.stdout).toMatch(/annotate ──▶ Annotate/);
    expect(result.stdout).toMatch(/skip ──▶ Complete/);
    expect(result.stdout).toContain('runner.stage("Pre-label", async ({ task }) => "annotate");');
    expectNoSecrets(result);

    const json = await cli(["--json", "print", "agent-nodes", project.projectHash], encordEnv());
    expect(json.code, json.stderr).toBe(0);
    expect(jsonLines(json.stdout)).toEqual([
      {
        uuid: agent.uuid,
        title: "Pre-label",
        pathways: agent.pathways.map((p) => ({
          uuid: p.uuid,
          name: p.title,
          destinationUuid: p.destinationUuid,
          destinationTitle: p.title === "annotate" ? "Annotate" : "Complete",
        })),
      },
    ]);
  });

  test("works with the key in ENCORD_SSH_KEY, or a protected key and its passphrase", async () => {
    const project = demoProject();
    const byContent = await cli(["print", "agent-nodes", project.projectHash], { ENCORD_DOMAIN: fake.url, ENCORD_SSH_KEY: text("id_ed25519") });
    expect(byContent.code, byContent.stderr).toBe(0);
    expect(byContent.stdout).toMatch(/AgentStage "Pre-label"/);
    expectNoSecrets(byContent);
    const protectedKey = await cli(
      ["print", "agent-nodes", project.projectHash],
      encordEnv({ ENCORD_SSH_KEY_FILE: file("id_protected"), ENCORD_SSH_KEY_PASSPHRASE: passphrase }),
    );
    expect(protectedKey.code, protectedKey.stderr).toBe(0);
    expectNoSecrets(protectedKey);
  });

  test("both key variables set: a warning on stderr, the key in ENCORD_SSH_KEY is used", async () => {
    const project = demoProject();
    const result = await cli(
      ["print", "agent-nodes", project.projectHash],
      encordEnv({ ENCORD_SSH_KEY: text("id_ed25519"), ENCORD_SSH_KEY_FILE: file("id_unregistered") }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: Both ENCORD_SSH_KEY and ENCORD_SSH_KEY_FILE are set; using the key in ENCORD_SSH_KEY/);
    expectNoSecrets(result);
  });

  test("--store or --backend local keeps it on the local store", async () => {
    const project = demoProject();
    using s = freshStore();
    const local = await cli(["--store", s.store, "print", "agent-nodes", project.projectHash], encordEnv());
    expectUserError(local, `There is no task-agents store at ${JSON.stringify(s.store)}`);
    const byFlag = await cli(["--backend", "local", "print", "agent-nodes", project.projectHash], encordEnv({ TASK_AGENTS_STORE: s.store }));
    expectUserError(byFlag, `There is no task-agents store at ${JSON.stringify(s.store)}`);
  });
});

describe("tasks list on Encord", () => {
  test("--json lists the tasks of the AGENT stages, page by page, with no priority", async () => {
    const project = demoProject({ pageSize: 3 });
    const result = await cli(["--json", "tasks", "list", project.projectHash], encordEnv());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const tasks = jsonLines<TaskLine>(result.stdout);
    expect(tasks.map((t) => t.uuid)).toEqual(project.tasks.map((t) => t.uuid));
    for (const task of tasks)
      expect(task).toMatchObject({ stage: "Pre-label", stageUuid: project.stageUuid("Pre-label"), status: "NEW", priority: null, labelBranchName: "main" });
    expect(tasks.map((t) => t.dataTitle)).toEqual(items.map((i) => i.title));
    // Two pages of the one AGENT stage (the project's page size is 3).
    const listings = fake.requests.filter((r) => r.path.endsWith(`/stages/${project.stageUuid("Pre-label")}/tasks`));
    expect(listings).toHaveLength(2);
  });

  test("the table shows '-' for the priority and says which stages it listed; --stage lists another stage", async () => {
    const project = demoProject();
    fake.moveTask(project.tasks[1]!.uuid, "Annotate");
    const table = await cli(["tasks", "list", project.projectHash], encordEnv());
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^TASK UUID\s+STAGE\s+STATUS\s+PRIORITY\s+DATA TITLE$/);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^[0-9a-f-]{36}\s+Pre-label\s+NEW\s+-\s+\S+\.png$/);
    expect(table.stderr).toBe('3 tasks in the AGENT stage "Pre-label".\n');

    const annotate = await cli(["tasks", "list", project.projectHash, "--stage", "Annotate"], encordEnv());
    expect(annotate.code, annotate.stderr).toBe(0);
    expect(annotate.stdout).toMatch(/Annotate\s+NEW\s+-\s+caption\.txt/);
    expect(annotate.stderr).toBe('1 task in stage "Annotate".\n');
    expectNoSecrets(annotate);
  });

  test("an unknown --stage names the project's stages", async () => {
    const project = demoProject();
    expectEncordError(await cli(["tasks", "list", project.projectHash, "--stage", "Pre-lable"], encordEnv()), /Pre-lable/, /Pre-label/);
  });
});

describe("run on Encord", () => {
  test("runs the agent file on the Encord project: labels saved, priorities set, tasks moved", async () => {
    const project = demoProject();
    const result = await cli(["run", agentFile("encord-route"), "--project-hash", project.projectHash], encordEnv());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`task-agents run on Encord ${fake.url}, project "Demo" (${project.projectHash})`);
    expect(result.stderr).toMatch(/routing caption\.txt to skip/);
    expect(result.stdout).toMatch(/^Run report: Demo \(/);
    expect(result.stdout).toMatch(/Pre-label\s+4\s+4\s+0\s+0\s+0\s+annotate: 3, skip: 1/);
    expectNoSecrets(result);

    const stageOf = (i: number) => fake.state.tasksByUuid.get(project.tasks[i]!.uuid)!.stageUuid;
    expect([0, 1, 2, 3].map(stageOf)).toEqual(["Annotate", "Complete", "Annotate", "Annotate"].map(project.stageUuid));
    expect(project.tasks.map((t) => fake.state.tasksByUuid.get(t.uuid)!.priority)).toEqual([0.8, 0.2, 0.8, 0.8]);
    for (const task of project.tasks) expect(fake.state.labelRows.get(task.dataHash)!.labelHash).not.toBeNull();
    expect(fake.state.history.filter((m) => m.projectHash === project.projectHash && m.via === "action")).toHaveLength(4);

    // Nothing is left: a second run finds no task.
    const again = await cli(["--json", "run", agentFile("encord-route"), "--project-hash", project.projectHash], encordEnv());
    expect(again.code, again.stderr).toBe(0);
    const events = jsonLines<{ event: string; backend?: string }>(again.stdout);
    expect(events[0]).toMatchObject({ event: "run-started", backend: `Encord ${fake.url}` });
  });

  test("an agent stage title the project lacks: exit 1, the message lists the agent stages", async () => {
    const project = demoProject();
    const agent = project.stages.find((s) => s.type === "AGENT")!;
    expectEncordError(
      await cli(["run", agentFile("unknown-stage"), "--project-hash", project.projectHash], encordEnv()),
      /no stage "Pre-lable"/,
      `Agent stages: "Pre-label" (${agent.uuid})`,
    );
    expect(fake.tasksIn(agent.uuid)).toHaveLength(4);
  });

  test("--json: the error is one JSON line with its code", async () => {
    const project = demoProject({ allowed: [publicHex("id_other")] });
    const message = expectJsonError(
      await cli(["--json", "run", agentFile("encord-route"), "--project-hash", project.projectHash], encordEnv()),
      "TA_ENCORD_FORBIDDEN",
    );
    expect(message).toContain(`no access to project ${project.projectHash}`);
  });
});

describe("wrong Encord settings: exit 1, a message naming the problem, no secret", () => {
  const hash = "00000000-0000-4000-8000-000000000001";

  test.each([
    [
      "ENCORD_SSH_KEY holding a path",
      () => ({ ENCORD_SSH_KEY: file("id_ed25519"), ENCORD_SSH_KEY_FILE: undefined }),
      [/ENCORD_SSH_KEY is a file path/, /put a path in ENCORD_SSH_KEY_FILE/],
    ],
    ["ENCORD_SSH_KEY_FILE naming no file", () => ({ ENCORD_SSH_KEY_FILE: file("nope") }), [/ENCORD_SSH_KEY_FILE \(".*nope"\) does not exist/]],
    ["ENCORD_SSH_KEY_FILE holding garbage", () => ({ ENCORD_SSH_KEY_FILE: file("garbage") }), [/does not hold an OpenSSH private key/]],
    [
      "ENCORD_SSH_KEY holding garbage",
      () => ({ ENCORD_SSH_KEY: "just some words, no key", ENCORD_SSH_KEY_FILE: undefined }),
      [/^error: ENCORD_SSH_KEY does not hold an OpenSSH private key/],
    ],
    ["an RSA key", () => ({ ENCORD_SSH_KEY_FILE: file("id_rsa") }), [/is an RSA key/, /Ed25519/]],
    [
      "a protected key without its passphrase",
      () => ({ ENCORD_SSH_KEY_FILE: file("id_protected") }),
      [/protected by a passphrase; set ENCORD_SSH_KEY_PASSPHRASE/],
    ],
    [
      "a protected key with a wrong passphrase",
      () => ({ ENCORD_SSH_KEY_FILE: file("id_protected"), ENCORD_SSH_KEY_PASSPHRASE: `${passphrase}-wrong` }),
      [/wrong passphrase/],
    ],
    ["ENCORD_DOMAIN that is not http(s)", () => ({ ENCORD_DOMAIN: "ftp://x" }), [/ENCORD_DOMAIN "ftp:\/\/x" uses ftp, not http or https/]],
  ])("%s", async (_name, env, patterns) => {
    for (const args of [
      ["print", "agent-nodes", hash],
      ["tasks", "list", hash],
      ["run", agentFile("encord-route"), "--project-hash", hash],
    ]) {
      const result = await cli(args, encordEnv(env()));
      expectEncordError(result, ...patterns);
      if (args[0] !== "run") expect(result.stderr.split("\n").filter((line) => line !== "")).toHaveLength(1);
    }
  });

  test("a key Encord does not know (401)", async () => {
    const project = demoProject();
    for (const args of [
      ["print", "agent-nodes", project.projectHash],
      ["run", agentFile("encord-route"), "--project-hash", project.projectHash],
    ]) {
      expectEncordError(
        await cli(args, encordEnv({ ENCORD_SSH_KEY_FILE: file("id_unregistered") })),
        /Encord did not accept the credentials/,
        /registered in your Encord account/,
      );
    }
  });

  test("a key whose user has no access to the project (403)", async () => {
    const project = demoProject({ allowed: [publicHex("id_other")] });
    expect((await cli(["print", "agent-nodes", project.projectHash], encordEnv({ ENCORD_SSH_KEY_FILE: file("id_other") }))).code).toBe(0);
    for (const args of [
      ["print", "agent-nodes", project.projectHash],
      ["tasks", "list", project.projectHash],
    ]) {
      expectEncordError(await cli(args, encordEnv()), `no access to project ${project.projectHash}`, /Ask an admin of the project/);
    }
  });

  test("a project Encord does not know", async () => {
    for (const args of [
      ["print", "agent-nodes", hash],
      ["tasks", "list", hash],
      ["run", agentFile("encord-route"), "--project-hash", hash],
    ]) {
      expectEncordError(await cli(args, encordEnv()), `Project ${hash} was not found on ${fake.url}`);
    }
  });

  test("a project hash that is not a UUID", async () => {
    expectEncordError(await cli(["print", "agent-nodes", "Demo"], encordEnv()), /"Demo" is not a UUID/);
  });
});

describe("local-only commands", () => {
  test("--backend encord is refused with an explanation", async () => {
    const project = demoProject();
    for (const args of [["project", "list"], ["tasks", "history", project.projectHash], ["labels", "export", project.projectHash], ["demo"]]) {
      const result = await cli(["--backend", "encord", ...args], encordEnv());
      expectEncordError(result, /works on the local store only; Encord projects are managed in the Encord app/);
    }
  });

  test("with Encord credentials set they keep using the local store, and say so when the project is not there", async () => {
    using s = freshStore();
    const project = demoProject();
    const hint = /ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN is set, but `task-agents tasks history` works on the local store only/;
    // No store yet.
    expectEncordError(await cli(["tasks", "history", project.projectHash], encordEnv({ TASK_AGENTS_STORE: s.store })), /There is no task-agents store/, hint);
    const created = await cli(["project", "create", paths.demoSpec], encordEnv({ TASK_AGENTS_STORE: s.store }));
    expect(created.code, created.stderr).toBe(0);
    const list = await cli(["--json", "project", "list"], encordEnv({ TASK_AGENTS_STORE: s.store }));
    expect(jsonLines(list.stdout)).toMatchObject([{ uuid: created.stdout.trim(), title: "Demo" }]);
    // A store without the (Encord) project.
    expectEncordError(await cli(["tasks", "history", project.projectHash], encordEnv({ TASK_AGENTS_STORE: s.store })), project.projectHash, hint);
  });
});

describe("--help", () => {
  test("names the Encord environment variables", async () => {
    const root = await cli(["--help"]);
    for (const name of ["ENCORD_SSH_KEY ", "ENCORD_SSH_KEY_FILE", "ENCORD_SSH_KEY_PASSPHRASE", "ENCORD_BEARER_TOKEN", "ENCORD_DOMAIN", "--backend <kind>"])
      expect(root.stdout).toContain(name);
    for (const args of [["print", "agent-nodes"], ["tasks", "list"], ["run"]]) {
      const help = await cli([...args, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/ENCORD_SSH_KEY, ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN/);
    }
  });
});

describe("request rate on Encord", () => {
  /** Seconds between the first and the last request the fake received for the project since `from`. */
  const spanSeconds = (from: number): { count: number; seconds: number } => {
    const times = fake.requests.slice(from).map((r) => r.at);
    return { count: times.length, seconds: (Math.max(...times) - Math.min(...times)) / 1000 };
  };

  test("no fixed rate by default; --max-requests-per-second and TASK_AGENTS_ENCORD_MAX_RPS cap it (a burst, then one per 1/rate s)", async () => {
    for (const [flags, env] of [
      [["--max-requests-per-second", "5"], {}],
      [[], { TASK_AGENTS_ENCORD_MAX_RPS: "5" }],
    ] as const) {
      // One task per page: a dozen requests for four tasks.
      const project = demoProject({ pageSize: 1 });
      const from = fake.requests.length;
      const result = await cli(["run", agentFile("encord-route"), "--project-hash", project.projectHash, ...flags], encordEnv(env));
      expect(result.code, result.stderr).toBe(0);
      const { count, seconds } = spanSeconds(from);
      expect(count).toBeGreaterThan(8);
      // A token bucket of 5 a second holding 5: the rest follow at 200 ms each, at the earliest.
      expect(seconds).toBeGreaterThanOrEqual(((count - 5) * 200 - 50) / 1000);
    }
  });

  test("a bad rate is refused, naming the flag or variable and what is accepted", async () => {
    const project = demoProject();
    for (const [flags, env, pattern] of [
      [["--max-requests-per-second", "0"], {}, /--max-requests-per-second is "0"; accepted: a number of requests per second greater than 0/],
      [["--max-requests-per-second", "fast"], {}, /--max-requests-per-second takes a number, got "fast"/],
      [[], { TASK_AGENTS_ENCORD_MAX_RPS: "-3" }, /TASK_AGENTS_ENCORD_MAX_RPS is "-3"; accepted: a number of requests per second greater than 0/],
    ] as const) {
      expectEncordError(await cli(["run", agentFile("encord-route"), "--project-hash", project.projectHash, ...flags], encordEnv(env)), pattern);
    }
    expect(fake.tasksIn(project.stageUuid("Pre-label"))).toHaveLength(4);
  });

  test("throttling: each 429/503 is a debug line, the report counts them, and the run completes", async () => {
    const project = demoProject({ pageSize: 1 });
    fake.faults.failNext(2, { status: 429, retryAfter: 0, match: { path: /\/tasks$/ } });
    fake.faults.failNext(1, { status: 503, retryAfter: 0, match: { queryType: "labelrowmetadata" } });
    const result = await cli(["run", agentFile("encord-route"), "--project-hash", project.projectHash, "--log-level", "debug"], encordEnv());
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split("\n").filter((line) => line.includes("throttled a request"));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/\(HTTP 429\); requests in flight 8 → 4, retrying after 0 ms/);
    expect(lines[1]).toMatch(/\(HTTP 429\); requests in flight 4 → 2/);
    expect(lines[2]).toMatch(/\(HTTP 503\); requests in flight \d → \d/);
    expect(result.stdout).toMatch(/throttled 3 requests \(HTTP 429\/503\); the run backed off each time and retried/);
    expect(fake.tasksIn(project.stageUuid("Pre-label"))).toHaveLength(0);
    expectNoSecrets(result);
  });
});
