/**
 * The log-level control the secrets audit relies on: `--log-level`, TASK_AGENTS_LOG_LEVEL when
 * the flag is absent, the `logLevel` execute option (validated), and what each level shows.
 * Local store, in process, through `runFromCommandLine` (what `runner.run()` and
 * `task-agents run` do).
 */
import { describe, expect, test } from "vitest";
import { Runner } from "../../src/index.js";
import { runFromCommandLine } from "../../src/cli/run-command.js";
import { createRunLogger } from "../../src/runner/output/run-logger.js";
import { stripSecrets, stripSecretsDeep } from "../../src/shared/redact.js";
import { demoProjectWithData, freshStore, jsonLines } from "../cli/cli-helpers.js";

async function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  using s = freshStore();
  const hash = await demoProjectWithData(s.store);
  const runner = new Runner();
  runner.stage("Pre-label", ({ task, logger }) => {
    logger.debug({ title: task.dataTitle }, "handler debug line");
    return task.dataTitle.endsWith(".txt") ? "skip" : "annotate";
  });
  const out = { stdout: "", stderr: "" };
  const streams = { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } };
  const code = await runFromCommandLine(runner, ["--project-hash", hash, "--store", s.store, ...argv], { streams, installSignalHandlers: false, env });
  return { code, ...out };
}

describe("--log-level and TASK_AGENTS_LOG_LEVEL", () => {
  test("default info: no debug or trace lines", async () => {
    const result = await run([]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/ INFO {2}pass 1: stage "Pre-label"/);
    expect(result.stderr).not.toMatch(/ (DEBUG|TRACE) /);
  });

  test("--log-level debug adds batch and stage counts and the handler's debug lines, not trace", async () => {
    const result = await run(["--log-level", "debug"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/ DEBUG stage "Pre-label" batch 1: 4 tasks fetched/);
    expect(result.stderr).toMatch(/ DEBUG stage "Pre-label" batch 1 committed {2}stage=Pre-label batch=1 tasks=4 moved=4 left=0 failed=0 refused=0/);
    expect(result.stderr).toMatch(/ DEBUG stage "Pre-label" finished .*moved=\{"annotate":3,"skip":1\}/);
    expect(result.stderr).toMatch(/ DEBUG handler debug line/);
    expect(result.stderr).toMatch(/ DEBUG run finished {2}end=completed passes=1 failed=0/);
    expect(result.stderr).not.toMatch(/ TRACE /);
  });

  test("TASK_AGENTS_LOG_LEVEL=trace when the flag is absent (JSON logs with --json); the flag wins over it", async () => {
    const fromEnv = await run(["--json"], { TASK_AGENTS_LOG_LEVEL: "trace" });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    const levels = jsonLines<{ level: number; msg: string }>(fromEnv.stderr).map((l) => l.level);
    expect(levels).toContain(10);
    expect(levels).toContain(20);
    const flagWins = await run(["--log-level", "warn"], { TASK_AGENTS_LOG_LEVEL: "trace" });
    expect(flagWins.code, flagWins.stderr).toBe(0);
    expect(flagWins.stderr).toBe("");
    expect(flagWins.stdout).toMatch(/^Run report: /);
  });

  test("silent logs nothing; the report still prints", async () => {
    const result = await run(["--log-level", "silent"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^Run report: /);
  });

  test("a bad level: the flag fails at parse time, the variable with a message naming it, exit 1", async () => {
    const flag = await run(["--log-level", "verbose"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/option '--log-level <level>' argument 'verbose' is invalid\. Allowed choices are trace, debug, info, warn, error, silent/);
    const env = await run([], { TASK_AGENTS_LOG_LEVEL: "verbose" });
    expect(env.code).toBe(1);
    expect(env.stderr).toBe('error: TASK_AGENTS_LOG_LEVEL is "verbose"; accepted: trace, debug, info, warn, error, silent.\n');
  });

  test("the logLevel execute option is validated", async () => {
    const runner = new Runner();
    await expect(runner.execute({ logLevel: "loud" as never })).rejects.toThrow(
      /Invalid run options: logLevel must be one of "trace", "debug", "info", "warn", "error", "silent" \(got "loud"\)/,
    );
  });
});

describe("the run logger's cleaning", () => {
  const url = "https://storage.example.com/bucket/item.png?X-Goog-Signature=abcdef0123456789&X-Goog-Expires=600";

  test("secrets go from messages, format arguments, objects at any depth, bindings, and errors with their causes", () => {
    let out = "";
    const logger = createRunLogger("json", { write: (line: string) => (out += line) }, "trace").child({
      source: url,
      headers: { authorization: "Bearer abc.def" },
    });
    const error = Object.assign(
      new Error(`GET ${url} failed`, { cause: new AggregateError([new Error(`retry of ${url}`)], `Bearer tok_123 rejected at ${url}`) }),
      { request: { url, headers: { Authorization: "x" } } },
    );
    logger.trace("message %s %o %j", url, { url }, [{ signedUrl: url }]);
    logger.debug({ a: [{ b: { c: { d: url, signedUrl: url, sshKey: "k", passphrase: "p", token: "t" } } }] }, "deep");
    logger.warn(error);
    logger.error({ err: error });
    logger.info({ when: new Date(0), self: undefined }, "dates stay");
    const lines = jsonLines<Record<string, unknown>>(out);
    expect(lines).toHaveLength(5);
    expect(out).not.toContain("abcdef0123456789");
    expect(out).not.toContain("abc.def");
    expect(out).not.toContain("tok_123");
    expect(lines[2]).toMatchObject({ msg: "GET https://storage.example.com/bucket/item.png?[query removed] failed", headers: "[removed]" });
    const err = lines[3]!.err as { request: unknown; cause: { type: string; message: string; errors: { message: string }[] } };
    expect(err.request).toEqual({ url: "https://storage.example.com/bucket/item.png?[query removed]", headers: "[removed]" });
    expect(err.cause).toMatchObject({
      type: "AggregateError",
      message: "Bearer [removed] rejected at https://storage.example.com/bucket/item.png?[query removed]",
    });
    expect(err.cause.errors[0]!.message).toBe("retry of https://storage.example.com/bucket/item.png?[query removed]");
    expect(lines[4]).toMatchObject({ when: "1970-01-01T00:00:00.000Z" });
  });

  test("stripSecrets removes raw Ed25519 signatures; stripSecretsDeep cuts cycles", () => {
    const hex = "ab".repeat(64);
    const b64 = `${"A".repeat(86)}==`;
    expect(stripSecrets(`sig ${hex} and ${b64}`)).toBe("sig [removed] and [removed]");
    const cyclic: Record<string, unknown> = { name: "x" };
    cyclic.self = cyclic;
    expect(stripSecretsDeep(cyclic)).toEqual({ name: "x", self: "[Circular]" });
  });
});
