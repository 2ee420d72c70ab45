import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cliProcess } from "../support/run-cli.js";
import { createDemoProject, freshStore, jsonLines, paths } from "./cli-helpers.js";

// These run the command as its own process, as a shell would, to check real exit codes and the
// exact bytes on stdout and stderr.
describe("task-agents as a process", () => {
  test("project create writes exactly the hash line to stdout and exits 0", async () => {
    using s = freshStore();
    const result = await cliProcess(["--store", s.store, "project", "create", paths.demoSpec]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/);
    expect(result.stderr).toBe("");

    const listed = await cliProcess(["--store", s.store, "--json", "project", "list"]);
    expect(listed.code).toBe(0);
    expect(jsonLines<{ uuid: string }>(listed.stdout).map((p) => p.uuid)).toEqual([result.stdout.trim()]);
  });

  test("a user error exits 1 with one message line and no stack trace", async () => {
    using s = freshStore();
    const result = await cliProcess(["--store", s.store, "project", "create", join(s.dir, "missing.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: .*project spec .*missing\.yaml.*\n$/i);
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test("with --json a user error exits 1 with only the JSON error on stderr", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    const result = await cliProcess(["--store", s.store, "--json", "tasks", "list", "not-a-hash"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = jsonLines<{ error: { code: string; message: string } }>(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.error.code).toBe("TA_UNKNOWN_PROJECT");
    expect(lines[0]!.error.message).toMatch(/not-a-hash/);
  });

  test("an agent file whose top-level await never settles: exit 1 saying so (text and --json), not a silent 13", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const file = join(s.dir, "never-loads.mts");
    writeFileSync(file, "await new Promise(() => {});\nexport default {};\n");
    const text = await cliProcess(["--store", s.store, "run", file, "--project-hash", hash]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^error: Agent file ".*never-loads\.mts" never finished loading: its top-level code awaits something that never settles/);
    expect(text.stderr).not.toMatch(/^\s+at /m);
    const json = await cliProcess(["--store", s.store, "--json", "run", file, "--project-hash", hash]);
    expect(json.code).toBe(1);
    expect(jsonLines<{ error: { code: string; message: string } }>(json.stderr)[0]!.error).toMatchObject({
      code: "TA_INVALID_ARGUMENT",
      message: expect.stringMatching(/never finished loading/) as unknown,
    });
  });

  test("an unknown command exits 1", async () => {
    const result = await cliProcess(["frobnicate"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: unknown command 'frobnicate'/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
