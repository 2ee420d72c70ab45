/**
 * Secrets audit: the CLI (as child processes) and the Runner (in process) run against the fake
 * Encord server with known secrets (an OpenSSH Ed25519 key, a passphrase-protected one and its
 * passphrase, a bearer token, signed URLs), logging at `trace`, on the success path and on every
 * failure path (401, 403, a 500 whose body echoes the credentials, a wrong passphrase, a closed
 * port). Everything printed (stdout, stderr, every log line, the report, JSON events) is
 * searched for every secret; any hit fails.
 *
 * A raw proxy between the clients and the fake (test-owned, in this file) records every
 * `Authorization` and `Signature` header value actually sent, and rewrites the fake's signed URLs
 * so their `sig=` carries SIGNED_URL_MARKER_ in front of the fake's own signature; both the
 * marker and the fake's signature values are secrets here. Agent files import "task-agents":
 * run `npm run build` first.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { encordBackend } from "../../src/backends/encord/encord-backend.js";
import { encordSettingsFromEnv } from "../../src/backends/encord/settings.js";
import { loadProjectSpec } from "../../src/backends/local/project-spec.js";
import { labelRow, Runner, storageItem, type ExecuteOptions } from "../../src/index.js";
import { createRunLogger } from "../../src/runner/output/run-logger.js";
import { runFromCommandLine } from "../../src/cli/run-command.js";
import { agentFile, startCli, type ChildExit } from "../support/agent-process.js";
import { startFakeEncord, type AddProjectOptions, type AddedProject, type FakeEncord, type FakeItemSpec } from "../support/fake-encord/index.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";
import { auditHandler, failingPrefix } from "./audit-handler.js";
import { publicKeyHexOf, sshKeygen } from "../support/ssh-keys.js";

const unique = randomBytes(6).toString("hex");
const passphrase = `passphrase-SECRET_MARKER-${unique}`;
const wrongPassphrase = `wrong-passphrase-SECRET_MARKER-${unique}`;
const bearerToken = `tok_SECRET_MARKER_${unique}`;
const signedUrlMarker = "SIGNED_URL_MARKER_";

const dir = tempDir("task-agents-secrets-audit-");
const file = (name: string): string => join(dir.path, name);
const text = (name: string): string => readFileSync(file(name), "utf8");

const keygen = (name: string, pass: string): void => sshKeygen(file(name), { passphrase: pass, comment: "secrets-audit@example" });

const publicHex = (name: string): string => publicKeyHexOf(file(`${name}.pub`));

// ---- the secrets ------------------------------------------------------------------------------

/** Every value that must never be printed; grows as the proxy sees headers and signed URLs. */
const markers = new Set<string>();
const markerKinds = { headers: 0, urlSignatures: 0 };
function addMarker(value: string): void {
  if (value.length >= 12) markers.add(value);
}

/** An `Authorization` or `Signature` value as sent, and the signature inside it. */
function recordSentHeader(value: string): void {
  markerKinds.headers++;
  addMarker(value);
  const v1 = /^[0-9a-f]{64}:([0-9a-f]{128})$/.exec(value);
  if (v1) addMarker(v1[1]!);
  const v2 = /=:([A-Za-z0-9+/=]+):$/.exec(value);
  if (v2) addMarker(v2[1]!);
  if (value.startsWith("Bearer ")) addMarker(value.slice("Bearer ".length));
}

interface Captured {
  readonly label: string;
  readonly text: string;
}
/** Everything captured, checked again at the end against every marker found meanwhile. */
const captured: Captured[] = [];

/** Fails, naming the output and the secret, if `output` holds any secret; records it for the final check. */
function expectNoSecrets(label: string, output: string): void {
  captured.push({ label, text: output });
  const hits = [...markers].filter((m) => output.includes(m)).map((m) => `${m.slice(0, 24)}… (${m.length} chars)`);
  expect(hits, `${label} printed secrets`).toEqual([]);
  expect(output, label).not.toContain(signedUrlMarker);
  expect(output, label).not.toContain("SECRET_MARKER");
  // Messages may name the armour (-----BEGIN OPENSSH PRIVATE KEY----- …), never what follows it.
  expect(output, label).not.toMatch(/PRIVATE KEY-----\s*(\\n|\n)\s*[A-Za-z0-9+/=]{16}/);
  expect(output, label).not.toMatch(/[?&]sig=(?!\[)/);
  // Ed25519 signatures: 128 hex (v1 Authorization) or 64 bytes of base64 (v2 Signature).
  expect(output, label).not.toMatch(/[0-9a-f]{128}/i);
  expect(output, label).not.toMatch(/[A-Za-z0-9+/]{86}==/);
  expect(output, label).not.toMatch(/encord-sig=:(?!\[removed\])/);
  expect(output, label).not.toMatch(/\b(authorization|signature)["']?\s*[:=]\s*(?!["']?(?:Bearer )?\[removed\])["']?[^\s"'[]/i);
}

// ---- a raw proxy in front of the fake ---------------------------------------------------------

interface AuditProxy {
  readonly url: string;
  /** Requests received. */
  requests: number;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` byte for byte (the request target is signed), recording the
 * credentials sent; in JSON responses, `sig=<fake's signature>` becomes
 * `sig=SIGNED_URL_MARKER_<fake's signature>`. `echo-500` answers every request with a 500 whose
 * body quotes the request's Authorization and Signature values.
 */
async function startProxy(target: string, behaviour: "forward" | "echo-500" = "forward"): Promise<AuditProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      proxy.requests++;
      const authorization = req.headers.authorization ?? "";
      const signature = typeof req.headers.signature === "string" ? req.headers.signature : "";
      if (authorization !== "") recordSentHeader(authorization);
      if (signature !== "") recordSentHeader(signature);
      if (behaviour === "echo-500") {
        const body = JSON.stringify({
          message:
            `Internal server error handling a request that carried ${authorization} ` +
            `${signature} (Authorization: ${authorization}; Signature: ${signature})`,
          detail: { authorization, signature },
        });
        res.writeHead(500, { "content-type": "application/json" });
        res.end(body);
        return;
      }
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            let out = Buffer.concat(parts);
            if ((answer.headers["content-type"] ?? "").includes("json")) {
              const rewritten = out.toString("utf8").replace(/([?&]sig=)([0-9a-f]{16,})/g, (_, prefix: string, sig: string) => {
                markerKinds.urlSignatures++;
                addMarker(sig);
                addMarker(`${signedUrlMarker}${sig}`);
                return `${prefix}${signedUrlMarker}${sig}`;
              });
              out = Buffer.from(rewritten, "utf8");
            }
            const headers = { ...answer.headers };
            delete headers["content-length"];
            delete headers["transfer-encoding"];
            delete headers.connection;
            res.writeHead(answer.statusCode ?? 502, { ...headers, "content-length": String(out.length) });
            res.end(out);
          });
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: AuditProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return proxy;
}

// ---- setup ------------------------------------------------------------------------------------

const items: FakeItemSpec[] = [
  { title: "blue-tall.png", dataType: "image", mimeType: "image/png", width: 40, height: 80 },
  { title: `${failingPrefix}green-wide.png`, dataType: "image", mimeType: "image/png", width: 80, height: 40 },
  { title: "red-square.png", dataType: "image", mimeType: "image/png", width: 50, height: 50 },
];

let fake: FakeEncord;
let proxy: AuditProxy;
const extraProxies: AuditProxy[] = [];

beforeAll(async () => {
  keygen("id_ed25519", "");
  keygen("id_protected", passphrase);
  keygen("id_unregistered", "");
  keygen("id_other", "");
  for (const name of ["id_ed25519", "id_protected", "id_unregistered", "id_other"]) {
    const keyText = text(name);
    addMarker(keyText);
    addMarker(keyText.trim());
    for (const line of keyText.split("\n")) if (line.length >= 20 && !line.startsWith("-----")) addMarker(line);
  }
  addMarker(passphrase);
  addMarker(wrongPassphrase);
  addMarker(bearerToken);
  fake = await startFakeEncord({
    publicKeys: [publicHex("id_ed25519"), publicHex("id_protected"), publicHex("id_other")],
    bearerTokens: [bearerToken],
    seed: 11,
  });
  proxy = await startProxy(fake.url);
}, 60_000);

afterAll(async () => {
  for (const p of [proxy, ...extraProxies]) await p?.close();
  await fake?.close();
  dir[Symbol.dispose]();
});

function demoProject(options: AddProjectOptions = {}): AddedProject {
  return fake.addProject(loadProjectSpec(paths.demoSpec), items, options);
}

/** Only the variables given (the parent's Encord and task-agents variables are blanked). */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const blank = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith("ENCORD_") || k.startsWith("TASK_AGENTS_"))
      .map((k) => [k, ""]),
  );
  return { ...blank, ENCORD_DOMAIN: proxy.url, ...extra };
}

const credentials = {
  "ENCORD_SSH_KEY (key text)": () => ({ ENCORD_SSH_KEY: text("id_ed25519") }),
  "ENCORD_SSH_KEY_FILE (protected key) + ENCORD_SSH_KEY_PASSPHRASE": () => ({
    ENCORD_SSH_KEY_FILE: file("id_protected"),
    ENCORD_SSH_KEY_PASSPHRASE: passphrase,
  }),
  ENCORD_BEARER_TOKEN: () => ({ ENCORD_BEARER_TOKEN: bearerToken }),
} as const;

async function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildExit> {
  return startCli(args, cleanEnv(env)).exited;
}

function expectCliClean(label: string, result: ChildExit): void {
  expectNoSecrets(`${label} stdout`, result.stdout);
  expectNoSecrets(`${label} stderr`, result.stderr);
}

function jsonLines(textLines: string): Record<string, unknown>[] {
  return textLines
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The failed task's signed URL reached the output, its query stripped (so the audit saw it). */
function expectStrippedUrlOf(project: AddedProject, output: string): void {
  const failing = project.tasks.find((t) => t.title.startsWith(failingPrefix))!;
  expect(output).toContain(`/files/${failing.itemUuid}?[query removed]`);
}

// ---- the tests --------------------------------------------------------------------------------

test("the proxy marks the fake's signed URLs: a storage item fetched here carries the marker and the fake's signature", async () => {
  const project = demoProject();
  const backend = encordBackend({
    settings: encordSettingsFromEnv({ ENCORD_DOMAIN: proxy.url, ENCORD_SSH_KEY: text("id_ed25519") }),
    requestsPerSecond: Infinity,
  });
  try {
    const [item] = await backend.getStorageItems([project.tasks[0]!.itemUuid], { signUrls: true });
    const sig = new URL(item!.signedUrl!).searchParams.get("sig")!;
    expect(sig.startsWith(signedUrlMarker)).toBe(true);
    const fakesSignature = sig.slice(signedUrlMarker.length);
    expect(fakesSignature).toMatch(/^[0-9a-f]{64}$/);
    expect(markers.has(fakesSignature)).toBe(true);
    expect(markers.has(sig)).toBe(true);
  } finally {
    await backend.close();
  }
  expect(markerKinds.headers).toBeGreaterThan(0);
});

describe.each(Object.entries(credentials))("the CLI with %s", (_name, credentialEnv) => {
  test("print agent-nodes, tasks list --json, run --log-level trace and --json (TASK_AGENTS_LOG_LEVEL=trace) print no secret", async () => {
    const listed = demoProject();
    const textRun = demoProject();
    const jsonRun = demoProject();
    const env = credentialEnv();
    const [print, tasks, run, runJson] = await Promise.all([
      runCli(["print", "agent-nodes", listed.projectHash], { ...env, TASK_AGENTS_LOG_LEVEL: "trace" }),
      runCli(["--json", "tasks", "list", listed.projectHash], { ...env, TASK_AGENTS_LOG_LEVEL: "trace" }),
      runCli(["run", agentFile("secrets-audit"), "--project-hash", textRun.projectHash, "--log-level", "trace"], env),
      runCli(["--json", "run", agentFile("secrets-audit"), "--project-hash", jsonRun.projectHash], { ...env, TASK_AGENTS_LOG_LEVEL: "trace" }),
    ]);

    expect(print.code, print.stderr).toBe(0);
    expect(print.stdout).toMatch(/AgentStage "Pre-label"/);
    expectCliClean("print agent-nodes", print);

    expect(tasks.code, tasks.stderr).toBe(0);
    expect(jsonLines(tasks.stdout).length).toBeGreaterThanOrEqual(items.length);
    expectCliClean("tasks list --json", tasks);

    // One task fails for good (exit 2), the others go along "annotate".
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toMatch(/^Run report: /);
    expect(run.stdout).toContain("Failed tasks (1):");
    expectStrippedUrlOf(textRun, run.stdout);
    expect(run.stderr).toMatch(/ TRACE /);
    expect(run.stderr).toMatch(/ DEBUG .*the storage item/);
    expect(run.stderr).toMatch(/ DEBUG .*attempt failed/);
    expect(run.stderr).toMatch(/ DEBUG .*batch 1 committed/);
    expect(run.stderr).toMatch(/ INFO {2}downloading http:\/\/127\.0\.0\.1:\d+\/files\/[0-9a-f-]+\?\[query removed\]/);
    expectCliClean("run --log-level trace", run);

    expect(runJson.code, runJson.stderr).toBe(2);
    const events = jsonLines(runJson.stdout);
    expect(events.map((e) => e.event)).toContain("task-failed");
    expect(events.at(-1)).toMatchObject({ event: "run-finished" });
    expectStrippedUrlOf(jsonRun, runJson.stdout);
    const logs = jsonLines(runJson.stderr);
    expect(logs.some((l) => l.level === 10)).toBe(true);
    expect(logs.some((l) => l.level === 20 && l.msg === "the label row")).toBe(true);
    const attempt = logs.find((l) => l.msg === "attempt failed") as
      { err?: { message?: string; cause?: { message?: string; cause?: { message?: string } } } } | undefined;
    expect(attempt?.err?.message).toMatch(/^download of http:\/\/127\.0\.0\.1:\d+\/files\/[0-9a-f-]+\?\[query removed\] failed$/);
    expect(attempt?.err?.cause?.cause?.message).toMatch(/\?\[query removed\] has expired$/);
    expectCliClean("--json run (TASK_AGENTS_LOG_LEVEL=trace)", runJson);
  });
});

describe("the CLI's failure paths, at trace level", () => {
  test("401 (key not registered), 403 (no access), a wrong passphrase: one error line, no secret", async () => {
    const forbidden = demoProject({ allowed: [publicHex("id_other")] });
    const open = demoProject();
    const agent = agentFile("secrets-audit");
    const [unregistered, unregisteredJson, noAccess, badPassphrase] = await Promise.all([
      runCli(["run", agent, "--project-hash", open.projectHash, "--log-level", "trace"], { ENCORD_SSH_KEY: text("id_unregistered") }),
      runCli(["--json", "run", agent, "--project-hash", open.projectHash, "--log-level", "trace"], { ENCORD_SSH_KEY_FILE: file("id_unregistered") }),
      runCli(["run", agent, "--project-hash", forbidden.projectHash, "--log-level", "trace"], { ENCORD_SSH_KEY: text("id_ed25519") }),
      runCli(["run", agent, "--project-hash", open.projectHash, "--log-level", "trace"], {
        ENCORD_SSH_KEY_FILE: file("id_protected"),
        ENCORD_SSH_KEY_PASSPHRASE: wrongPassphrase,
      }),
    ]);
    expect(unregistered.code, unregistered.stderr).toBe(1);
    expect(unregistered.stderr).toMatch(/^error: Encord did not accept the credentials/);
    expectCliClean("401", unregistered);
    expect(unregisteredJson.code, unregisteredJson.stderr).toBe(1);
    expect(jsonLines(unregisteredJson.stderr).at(-1)).toMatchObject({ error: { code: "TA_ENCORD_AUTH" } });
    expectCliClean("401 --json", unregisteredJson);
    expect(noAccess.code, noAccess.stderr).toBe(1);
    expect(noAccess.stderr).toMatch(/^error: .*no access to project/);
    expectCliClean("403", noAccess);
    expect(badPassphrase.code, badPassphrase.stderr).toBe(1);
    expect(badPassphrase.stderr).toMatch(/wrong passphrase/);
    expectCliClean("wrong passphrase", badPassphrase);
  });

  test("a 500 whose body echoes the Authorization and Signature values, and a closed port: no secret", async () => {
    const echo = await startProxy(fake.url, "echo-500");
    extraProxies.push(echo);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const project = demoProject();
    const agent = agentFile("secrets-audit");
    const run = (env: NodeJS.ProcessEnv, json = false) =>
      runCli([...(json ? ["--json"] : []), "run", agent, "--project-hash", project.projectHash, "--log-level", "trace"], env);
    const [echoedBearer, echoedKey, echoedJson, network] = await Promise.all([
      run({ ENCORD_DOMAIN: echo.url, ENCORD_BEARER_TOKEN: bearerToken }),
      run({ ENCORD_DOMAIN: echo.url, ENCORD_SSH_KEY: text("id_ed25519") }),
      run({ ENCORD_DOMAIN: echo.url, ENCORD_SSH_KEY_FILE: file("id_protected"), ENCORD_SSH_KEY_PASSPHRASE: passphrase }, true),
      run({ ENCORD_DOMAIN: closedUrl, ENCORD_BEARER_TOKEN: bearerToken }),
    ]);
    // The echo proxy saw the credentials it echoed (so they are markers).
    expect(echo.requests).toBeGreaterThanOrEqual(3);
    for (const [label, result] of [
      ["500 echo (bearer)", echoedBearer],
      ["500 echo (key)", echoedKey],
    ] as const) {
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/^error: Encord failed \(Encord said: Internal server error/);
      expectCliClean(label, result);
    }
    expect(echoedJson.code, echoedJson.stderr).toBe(1);
    expect(jsonLines(echoedJson.stderr).at(-1)).toMatchObject({ error: { code: "TA_ENCORD_SERVER" } });
    expectCliClean("500 echo --json", echoedJson);
    expect(network.code, network.stderr).toBe(1);
    expect(network.stderr).toMatch(/could not connect/);
    expectCliClean("closed port", network);
  }, 120_000);
});

describe("the Runner in process, Encord backend", () => {
  /** Streams that collect what the run writes. */
  function collectors() {
    const out = { stdout: "", stderr: "" };
    return {
      out,
      streams: {
        stdout: { isTTY: false, write: (t: string) => (out.stdout += t) },
        stderr: { isTTY: false, write: (t: string) => (out.stderr += t) },
      },
    };
  }

  function auditRunner(domain: string, env: NodeJS.ProcessEnv, extra: { maxRetries?: number } = {}): Runner {
    const backend = encordBackend({
      settings: encordSettingsFromEnv({ ENCORD_DOMAIN: domain, ...env }),
      requestsPerSecond: Infinity,
      sleep: async () => undefined,
      ...extra,
    });
    const runner = new Runner({ backend });
    runner.stage("Pre-label", { deps: { storageItem, labelRow } }, (context) => auditHandler(context));
    return runner;
  }

  test.each([
    ["json", (): NodeJS.ProcessEnv => ({ ENCORD_SSH_KEY: text("id_ed25519") })],
    ["plain", (): NodeJS.ProcessEnv => ({ ENCORD_BEARER_TOKEN: bearerToken })],
  ] as const)("output %s at trace: events, logs and the report hold no secret", async (output, credentialEnv) => {
    const project = demoProject();
    const runner = auditRunner(proxy.url, credentialEnv());
    const { out, streams } = collectors();
    runner.streams = streams;
    const options: ExecuteOptions = { projectHash: project.projectHash, output, logLevel: "trace", numRetries: 1 };
    const report = await runner.execute(options);
    await runner.close();
    expect(report.stages[0]).toMatchObject({ seen: 3, succeeded: 2, failed: 1, moved: { annotate: 2 } });
    expect(out.stderr).not.toBe("");
    if (output === "json") {
      const logs = jsonLines(out.stderr);
      expect(logs.filter((l) => l.level === 10).length).toBeGreaterThan(0);
      expect(logs.some((l) => l.msg === "the storage item, under a key")).toBe(true);
      expect(jsonLines(out.stdout).at(-1)).toMatchObject({ event: "run-finished" });
    } else {
      expect(out.stderr).toMatch(/ TRACE /);
      expect(out.stdout).toMatch(/^Run report: /);
    }
    expectStrippedUrlOf(project, out.stdout + out.stderr);
    expectNoSecrets(`in-process ${output} stdout`, out.stdout);
    expectNoSecrets(`in-process ${output} stderr`, out.stderr);
    expectNoSecrets(`in-process ${output} report`, JSON.stringify(report));
  });

  test("a 500 echoing the credentials, given up at once: the run's output, the thrown error and its cause chain logged at trace hold no secret", async () => {
    const echo = await startProxy(fake.url, "echo-500");
    extraProxies.push(echo);
    const project = demoProject();
    for (const env of [{ ENCORD_BEARER_TOKEN: bearerToken }, { ENCORD_SSH_KEY: text("id_ed25519") }]) {
      const runner = auditRunner(echo.url, env, { maxRetries: 0 });
      const { out, streams } = collectors();
      runner.streams = streams;
      const failure = await runner.execute({ projectHash: project.projectHash, output: "json", logLevel: "trace" }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await runner.close();
      expect(failure).toBeInstanceOf(Error);
      const error = failure as Error;
      expect(error.message).toMatch(/Encord failed \(Encord said: Internal server error/);
      // The caller may log it: through the run's logger, message, stack and causes are cleaned.
      let logged = "";
      createRunLogger("json", { write: (line: string) => (logged += line) }, "trace").error({ err: error }, "execute failed");
      createRunLogger("human", { write: (line: string) => (logged += line) }, "trace").error(error);
      expect(logged).toContain("execute failed");
      expectNoSecrets("in-process 500: stdout", out.stdout);
      expectNoSecrets("in-process 500: stderr", out.stderr);
      expectNoSecrets("in-process 500: error", `${error.message}\n${error.stack ?? ""}\n${String((error as { cause?: unknown }).cause)}`);
      expectNoSecrets("in-process 500: the error logged", logged);
    }
  });
});

describe("errors outside any task, through the runner's command line", () => {
  test("preExecutionCallback throws quoting a signed URL and the token: the command's error (text and --json) strips them", async () => {
    const project = demoProject();
    const backend = encordBackend({
      settings: encordSettingsFromEnv({ ENCORD_DOMAIN: proxy.url, ENCORD_BEARER_TOKEN: bearerToken }),
      requestsPerSecond: Infinity,
    });
    try {
      const [item] = await backend.getStorageItems([project.tasks[0]!.itemUuid], { signUrls: true });
      const url = item!.signedUrl!;
      expect(url).toContain(`sig=${signedUrlMarker}`);
      const runner = new Runner({
        backend,
        preExecutionCallback: () => {
          throw new Error(`cannot reach ${url} (sent Authorization: Bearer ${bearerToken})`, { cause: new Error(`fetch ${url} failed`) });
        },
      });
      runner.stage("Pre-label", { deps: { storageItem, labelRow } }, (context) => auditHandler(context));
      for (const json of [false, true]) {
        const out = { stdout: "", stderr: "" };
        const streams = { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } };
        const argv = ["--project-hash", project.projectHash, "--log-level", "trace", ...(json ? ["--json"] : [])];
        const code = await runFromCommandLine(runner, argv, { streams, installSignalHandlers: false, env: {} });
        expect(code, out.stderr).toBe(1);
        if (json) expect(jsonLines(out.stderr).at(-1)).toMatchObject({ error: { code: "TA_INTERNAL" } });
        else expect(out.stderr).toMatch(/^error: unexpected failure: Error: cannot reach /m);
        expect(out.stderr).toContain(`/files/${project.tasks[0]!.itemUuid}?[query removed]`);
        expectNoSecrets(`preExecutionCallback error${json ? " --json" : ""} stdout`, out.stdout);
        expectNoSecrets(`preExecutionCallback error${json ? " --json" : ""} stderr`, out.stderr);
      }
    } finally {
      await backend.close();
    }
  });
});

test("every output captured holds none of the secrets found during the whole audit", () => {
  expect(markerKinds.headers).toBeGreaterThan(10);
  expect(markerKinds.urlSignatures).toBeGreaterThan(3);
  expect(captured.length).toBeGreaterThan(20);
  expect(captured.filter((c) => c.text.length > 0).length).toBeGreaterThan(15);
  for (const { label, text: output } of captured) {
    const hits = [...markers].filter((m) => output.includes(m)).map((m) => `${m.slice(0, 24)}…`);
    expect(hits, label).toEqual([]);
  }
});
