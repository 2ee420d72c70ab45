import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, expectJsonError, expectUserError, freshStore, jsonLines, paths } from "./cli-helpers.js";

const packageVersion = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** The store `print system-info` reports for these arguments and environment. */
async function reportedStore(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await cli([...args, "--json", "print", "system-info"], env);
  expect(result.code, result.stderr).toBe(0);
  return jsonLines<{ store: string }>(result.stdout)[0]!.store;
}

describe("--version and --help", () => {
  test("--version and -V print the package version", async () => {
    for (const flag of ["--version", "-V"]) {
      const result = await cli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${packageVersion}\n`);
      expect(result.stderr).toBe("");
    }
  });

  test("--help prints usage with every command group and exits 0", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^Usage: task-agents \[options\] \[command\]/);
    for (const word of ["--store <path>", "--json", "--version", "project", "data", "tasks", "labels", "print"]) expect(result.stdout).toContain(word);
  });

  test.each([
    ["project", "create"],
    ["project", "list"],
    ["project", "show"],
    ["data", "add"],
    ["tasks", "list"],
    ["tasks", "proceed"],
    ["tasks", "history"],
    ["labels", "export"],
    ["print", "agent-nodes"],
    ["print", "system-info"],
  ])("%s %s --help ends with an example", async (group, command) => {
    const result = await cli([group, command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: task-agents ${group} ${command}`));
    const example = result.stdout.slice(result.stdout.lastIndexOf("Example"));
    expect(example).toMatch(new RegExp(`^Examples?:\\n(  task-agents .*|  \\S+=\\$\\(task-agents .*)\\n`));
  });

  test("help <command> prints that command's help and exits 0", async () => {
    const result = await cli(["help", "tasks"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: task-agents tasks/);
    expect(result.stdout).toMatch(/proceed/);
  });

  test("no command at all shows the usage and exits 1", async () => {
    const result = await cli([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/Usage: task-agents/);
  });
});

describe("usage errors", () => {
  test("an unknown command exits 1 and suggests the near one", async () => {
    const result = await cli(["projet", "list"]);
    expectUserError(result, /unknown command 'projet'/, /Did you mean project\?/);
  });

  test("an unknown option exits 1", async () => {
    using s = freshStore();
    expectUserError(await cli(["--store", s.store, "--colour", "project", "list"]), /unknown option '--colour'/);
    expectUserError(await cli(["--store", s.store, "tasks", "list", "x", "--stag", "Review"]), /unknown option '--stag'/, /Did you mean --stage\?/);
    expect(existsSync(s.store)).toBe(false);
  });

  test("a missing argument exits 1", async () => {
    expectUserError(await cli(["project", "create"]), /missing required argument 'spec'/);
  });

  test("with --json, usage errors are one JSON object on stderr", async () => {
    const unknownCommand = expectJsonError(await cli(["--json", "bogus"]), "TA_USAGE");
    expect(unknownCommand).toBe("unknown command 'bogus'");
    expect(expectJsonError(await cli(["--json", "--bogus"]), "TA_USAGE")).toBe("unknown option '--bogus'");
    expect(expectJsonError(await cli(["project", "create", "--json"]), "TA_USAGE")).toBe("missing required argument 'spec'");
  });
});

describe("global options anywhere on the line", () => {
  test("--json and --store work after the subcommand too", async () => {
    using s = freshStore();
    const created = await cli(["project", "create", paths.demoSpec, "--store", s.store, "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const [{ uuid }] = jsonLines<{ uuid: string }>(created.stdout) as [{ uuid: string }];
    const listed = await cli(["project", "list", "--json", "--store", s.store]);
    expect(jsonLines<{ uuid: string }>(listed.stdout).map((p) => p.uuid)).toEqual([uuid]);
  });
});

describe("store location", () => {
  test("a store path where no store exists is reported, not quietly created", async () => {
    using s = freshStore();
    const mistyped = join(s.dir, "stroe.db");
    for (const args of [
      ["tasks", "list", "00000000-0000-0000-0000-000000000001"],
      ["project", "show", "00000000-0000-0000-0000-000000000001"],
      ["data", "add", "00000000-0000-0000-0000-000000000001", paths.demoData],
    ]) {
      const result = await cli(["--store", mistyped, ...args]);
      expectUserError(result, /There is no task-agents store at/, /stroe\.db/, /project create/);
      expectJsonError(await cli(["--store", mistyped, "--json", ...args]), "TA_NO_STORE");
    }
    expect(existsSync(mistyped)).toBe(false);
  });

  test("--store wins over TASK_AGENTS_STORE", async () => {
    using s = freshStore();
    const flagStore = join(s.dir, "flag.db");
    const envStore = join(s.dir, "env.db");
    const env = { TASK_AGENTS_STORE: envStore };
    expect(await reportedStore(["--store", flagStore], env)).toBe(flagStore);

    const created = await cli(["--store", flagStore, "project", "create", paths.demoSpec], env);
    expect(created.code, created.stderr).toBe(0);
    expect(existsSync(flagStore)).toBe(true);
    expect(existsSync(envStore)).toBe(false);
  });

  test("TASK_AGENTS_STORE wins over the default", async () => {
    using s = freshStore();
    const envStore = join(s.dir, "env.db");
    const env = { TASK_AGENTS_STORE: envStore };
    expect(await reportedStore([], env)).toBe(envStore);

    const created = await cli(["project", "create", paths.demoSpec], env);
    expect(created.code, created.stderr).toBe(0);
    expect(existsSync(envStore)).toBe(true);
    const listed = await cli(["--json", "project", "list"], env);
    expect(jsonLines<{ uuid: string }>(listed.stdout).map((p) => p.uuid)).toEqual([created.stdout.trim()]);
    // The project is in the env store only.
    const other = await cli(["--store", join(s.dir, "other.db"), "--json", "project", "list"], env);
    expect(other.stdout).toBe("");
  });

  test("a relative TASK_AGENTS_STORE is taken from the working folder", async () => {
    expect(await reportedStore([], { TASK_AGENTS_STORE: "some/where.db" })).toBe(resolve("some/where.db"));
  });

  test("without either, the store is ./.task-agents/store.db", async () => {
    expect(await reportedStore([], {})).toBe(resolve(".task-agents", "store.db"));
    expect(await reportedStore([], { TASK_AGENTS_STORE: "" })).toBe(resolve(".task-agents", "store.db"));
  });
});
