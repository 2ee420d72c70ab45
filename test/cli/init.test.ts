import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { startNode } from "../support/agent-process.js";
import { tempDir } from "../support/temp-dir.js";
import { runProcess, type CliResult } from "../support/run-cli.js";
import { cli, expectJsonError, expectUserError, paths, stageCounts } from "./cli-helpers.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const ownVersion = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");

/** Environment for nested npm commands: without the npm_* variables of an `npm test` around this run. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")));
}

/** Runs a command in `cwd` and collects what it printed. */
function run(command: string, args: readonly string[], cwd: string): Promise<CliResult> {
  return runProcess(command, args, { cwd, env: cleanEnv() });
}

/**
 * `task-agents [--json] init <args>` run in-process from `cwd` (the program resolves [dir],
 * --spec and --from against the current folder).
 */
async function initIn(cwd: string, args: readonly string[], { json = false } = {}): Promise<CliResult> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return await cli([...(json ? ["--json"] : []), "init", ...args]);
  } finally {
    process.chdir(before);
  }
}

const triageSpec = `# A spec of the user's own: its first AGENT stage is not the example's.
title: Triage desk
workflow:
  stages:
    - { title: Start, type: START, to: Triage }
    - title: Triage
      type: AGENT
      pathways:
        - { name: keep, to: Review }
        - { name: drop, to: Done }
    - title: Second look
      type: AGENT
      pathways:
        - { name: fine, to: Done }
    - { title: Review, type: REVIEW, approve: Done, reject: Triage }
    - { title: Done, type: DONE }
`;

describe("task-agents init", () => {
  test(
    "end to end: init outside the repo, npm install (offline, task-agents linked from this checkout), " +
      "npm start moves the tasks; a second start reuses the project; npm test leaves the store alone",
    async () => {
      using dir = tempDir("task-agents-init-");
      const specPath = join(dir.path, "triage.yaml");
      writeFileSync(specPath, triageSpec);
      const project = join(dir.path, "my agent");
      const init = await run(
        process.execPath,
        [join(repoRoot, "dist", "cli", "main.js"), "init", "my agent", "--spec", "triage.yaml", "--from", `file:${repoRoot}`],
        dir.path,
      );
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toContain(`Created ${project}: an agent project for stage "Triage" of "Triage desk".`);
      expect(init.stdout).toContain("cd 'my agent'\n  npm install\n  npm start\n");

      const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as Record<string, unknown>;
      expect(manifest).toMatchObject({
        name: "my-agent",
        type: "module",
        dependencies: { "task-agents": `file:${repoRoot}` },
        scripts: { start: "node start.mjs" },
      });
      expect(readFileSync(join(project, "project.yaml"), "utf8")).toBe(triageSpec);
      const agent = readFileSync(join(project, "agent.ts"), "utf8");
      expect(agent).toContain(`runner.stage("Triage", `);
      expect(agent).toContain(`return "keep";`);
      expect(agent).not.toContain("Second look");

      // npm links a file: folder: it installs nothing into the checkout's own node_modules.
      const checkoutTree = join(repoRoot, "node_modules", ".package-lock.json");
      const treeBefore = readFileSync(checkoutTree, "utf8");
      const install = await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], project);
      expect(install.code, install.stderr).toBe(0);
      expect(readFileSync(checkoutTree, "utf8")).toBe(treeBefore);
      // The generated agent type-checks against the installed package with the generated tsconfig.
      const typecheck = await run(process.execPath, [tsc, "-p", project], project);
      expect(typecheck.code, typecheck.stdout).toBe(0);

      const start = await run("npm", ["start"], project);
      expect(start.code, start.stderr + start.stdout).toBe(0);
      expect(start.stdout).toMatch(/Triage\s+3\s+3\s+0\s+0\s+0\s+keep: 3/);
      const store = join(project, ".task-agents", "store.db");
      const hash = readFileSync(join(project, ".task-agents", "project-hash"), "utf8").trim();
      expect(await stageCounts(store, hash)).toMatchObject({ Triage: 0, Review: 3, Done: 0 });

      // Flags after -- reach the run; the project is not made a second time.
      const again = await run("npm", ["start", "--", "--json"], project);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain("Created project");
      const lines = again.stdout.split("\n").filter((line) => line.startsWith("{"));
      expect(lines.map((line) => (JSON.parse(line) as { event: string }).event)).toContain("run-finished");
      const listed = await cli(["--store", store, "--json", "project", "list"]);
      expect(listed.stdout.trim().split("\n")).toHaveLength(1);

      const check = await run("npm", ["test"], project);
      expect(check.code, check.stderr + check.stdout).toBe(0);
      expect(check.stderr).toContain("in a temporary store");
      expect(check.stdout).toMatch(/Triage\s+3\s+3\s+0\s+0\s+0\s+keep: 3/);
      expect(await stageCounts(store, hash)).toMatchObject({ Triage: 0, Review: 3, Done: 0 });

      // A store that cannot be read is reported, not replaced by a new project.
      const saved = readFileSync(store);
      writeFileSync(store, "not a store");
      const broken = await run("npm", ["start"], project);
      expect(broken.code).not.toBe(0);
      expect(broken.stderr).toContain(`start: the project in the local store could not be read: The file at "${store}" is not a usable task-agents store`);
      expect(readFileSync(store, "utf8")).toBe("not a store");
      expect(readFileSync(join(project, ".task-agents", "project-hash"), "utf8").trim()).toBe(hash);
      writeFileSync(store, saved);
    },
    240_000,
  );

  test("by default: the example spec, an agent for its first AGENT stage, and task-agents from this checkout as file:<its folder>", async () => {
    using dir = tempDir("task-agents-init-");
    const result = await initIn(dir.path, []);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(dir.path).sort()).toEqual([".gitignore", "README.md", "agent.ts", "data", "package.json", "project.yaml", "start.mjs", "tsconfig.json"]);
    expect(readdirSync(join(dir.path, "data")).sort()).toEqual(["blue-tall.png", "green-wide.png", "red-square.png"]);
    expect(readFileSync(join(dir.path, "project.yaml"), "utf8")).toBe(readFileSync(paths.demoSpec, "utf8"));
    const manifest = JSON.parse(readFileSync(join(dir.path, "package.json"), "utf8")) as { dependencies: Record<string, string>; engines: { node: string } };
    expect(manifest.dependencies).toEqual({ "task-agents": `file:${repoRoot}` });
    expect(manifest.engines.node).toBe(">=20.19");
    expect(readFileSync(join(dir.path, "agent.ts"), "utf8")).toMatch(/runner\.stage\("Pre-label", [^]*the others: "skip"[^]*return "annotate";/);
    expect(readFileSync(join(dir.path, ".gitignore"), "utf8")).toMatch(/^node_modules\/$[^]*^\.task-agents\/$/m);
    // Already in the folder: no `cd` in the next steps.
    expect(result.stdout).toMatch(/Next:\n {2}npm install\n {2}npm start\n$/);
  });

  test("a JSON spec is copied as project.json; --json prints what was written", async () => {
    using dir = tempDir("task-agents-init-");
    const spec = {
      title: "J",
      workflow: {
        stages: [
          { title: "S", type: "START", to: "Bot" },
          { title: "Bot", type: "AGENT", pathways: [{ name: "done", to: "End" }] },
          { title: "End", type: "DONE" },
        ],
      },
    };
    writeFileSync(join(dir.path, "spec.json"), JSON.stringify(spec));
    const result = await initIn(dir.path, ["out", "--spec", "spec.json", "--name", "@me/bot"], { json: true });
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      dir: join(dir.path, "out"),
      name: "@me/bot",
      stage: "Bot",
      dependency: `file:${repoRoot}`,
      next: ["cd out", "npm install", "npm start"],
    });
    expect(printed.files).toContain("project.json");
    expect(JSON.parse(readFileSync(join(dir.path, "out", "project.json"), "utf8"))).toEqual(spec);
    expect(readFileSync(join(dir.path, "out", "agent.ts"), "utf8")).toContain(`runner.stage("Bot", `);
    expect((JSON.parse(readFileSync(join(dir.path, "out", "package.json"), "utf8")) as { name: string }).name).toBe("@me/bot");
  });

  test("never replaces a file: lists every one that exists, exits 1 and writes nothing", async () => {
    using dir = tempDir("task-agents-init-");
    writeFileSync(join(dir.path, "package.json"), "mine\n");
    writeFileSync(join(dir.path, "agent.ts"), "// mine\n");
    writeFileSync(join(dir.path, "notes.txt"), "keep\n");
    const result = await initIn(dir.path, []);
    expectUserError(result, `${dir.path} already has package.json, agent.ts; task-agents init never replaces a file`, /Move them away, or give another folder/);
    expect(readdirSync(dir.path).sort()).toEqual(["agent.ts", "notes.txt", "package.json"]);
    expect(readFileSync(join(dir.path, "package.json"), "utf8")).toBe("mine\n");
    // A file inside data/ counts too; --json gives one error line.
    using other = tempDir("task-agents-init-");
    mkdirSync(join(other.path, "data"));
    writeFileSync(join(other.path, "data", "red-square.png"), "x");
    expect(expectJsonError(await initIn(other.path, [], { json: true }), "TA_INVALID_ARGUMENT")).toContain("already has data/red-square.png;");
    expect(readdirSync(other.path)).toEqual(["data"]);
  });

  test("a folder with other files is fine, and missing folders are created", async () => {
    using dir = tempDir("task-agents-init-");
    writeFileSync(join(dir.path, "notes.txt"), "keep\n");
    expect((await initIn(dir.path, [])).code).toBe(0);
    expect(readFileSync(join(dir.path, "notes.txt"), "utf8")).toBe("keep\n");
    const nested = await initIn(dir.path, ["a/b/c"]);
    expect(nested.code, nested.stderr).toBe(0);
    expect(existsSync(join(dir.path, "a", "b", "c", "agent.ts"))).toBe(true);
  });

  test("refusals name what was wrong and what is accepted, and write nothing", async () => {
    using dir = tempDir("task-agents-init-");
    writeFileSync(
      join(dir.path, "no-agent.yaml"),
      "title: Manual\nworkflow:\n  stages:\n    - { title: Start, type: START, to: Done }\n    - { title: Done, type: DONE }\n",
    );
    writeFileSync(join(dir.path, "a-file"), "x");
    expectUserError(await initIn(dir.path, ["out", "--spec", "no-agent.yaml"]), /no-agent\.yaml" has no AGENT stage/, /add a stage with type: AGENT/);
    expectUserError(await initIn(dir.path, ["out", "--spec", "missing.yaml"]), /missing\.yaml/);
    expectUserError(await initIn(dir.path, ["out", "--name", "My Agent"]), /--name "My Agent" is not a valid npm package name; accepted: lowercase letters/);
    expectUserError(
      await initIn(dir.path, ["out", "--from", "./nowhere"]),
      `--from "./nowhere": ${join(dir.path, "nowhere")} does not exist; accepted: a folder or .tgz file of task-agents, a git URL`,
    );
    expectUserError(await initIn(dir.path, ["out", "--from", dir.path]), /has no readable package\.json, so it is not a copy of task-agents/);
    expectUserError(await initIn(dir.path, ["out", "--from", ""]), /--from is empty; accepted:/);
    expectUserError(await initIn(dir.path, ["a-file"]), /a-file is a file, not a folder/);
    expect(readdirSync(dir.path).sort()).toEqual(["a-file", "no-agent.yaml"]);
  });

  test("--from: a relative path becomes file:<absolute path>; a version, a range, a URL or task-agents@x is kept as npm takes it", async () => {
    using dir = tempDir("task-agents-init-");
    const dependencyOf = async (out: string, from: string): Promise<string> => {
      const result = await initIn(dir.path, [out, "--from", from]);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(readFileSync(join(dir.path, out, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["task-agents"]!;
    };
    cpSync(join(repoRoot, "package.json"), join(dir.path, "copy", "package.json"), { recursive: true });
    writeFileSync(join(dir.path, "task-agents-0.1.0.tgz"), "");
    expect(await dependencyOf("a", "./copy")).toBe(`file:${join(dir.path, "copy")}`);
    expect(await dependencyOf("b", "file:task-agents-0.1.0.tgz")).toBe(`file:${join(dir.path, "task-agents-0.1.0.tgz")}`);
    expect(await dependencyOf("c", "~0.1.0")).toBe("~0.1.0");
    expect(await dependencyOf("d", "task-agents@1.2.3")).toBe("1.2.3");
    expect(await dependencyOf("e", "git+https://example.com/acme/task-agents.git#v0.1.0")).toBe("git+https://example.com/acme/task-agents.git#v0.1.0");
  });

  test("a copy installed by npm into a project's node_modules is named as that project names it, else by its version range", async () => {
    using dir = tempDir("task-agents-init-");
    const installer = join(dir.path, "host");
    const installed = join(installer, "node_modules", "task-agents");
    for (const part of ["package.json", "dist", "examples", "templates"]) cpSync(join(repoRoot, part), join(installed, part), { recursive: true });
    // Its own dependencies, as npm would have put them next to it.
    symlinkSync(join(repoRoot, "node_modules"), join(installed, "node_modules"));
    const main = join(installed, "dist", "cli", "main.js");
    const dependencyAfterInit = async (out: string): Promise<string> => {
      const result = await startNode([main, "init", join(dir.path, out)]).exited;
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(readFileSync(join(dir.path, out, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["task-agents"]!;
    };

    writeFileSync(join(installer, "package.json"), JSON.stringify({ name: "host", dependencies: { "task-agents": "^0.1.0" } }));
    expect(await dependencyAfterInit("from-range")).toBe("^0.1.0");
    writeFileSync(
      join(installer, "package.json"),
      JSON.stringify({ name: "host", devDependencies: { "task-agents": "file:../vendor/task-agents-0.1.0.tgz" } }),
    );
    expect(await dependencyAfterInit("from-tarball")).toBe(`file:${join(dir.path, "vendor", "task-agents-0.1.0.tgz")}`);
    writeFileSync(join(installer, "package.json"), JSON.stringify({ name: "host" }));
    expect(await dependencyAfterInit("from-version")).toBe(`~${ownVersion}`);
  });

  test("--help describes the command and its options", async () => {
    const result = await cli(["init", "--help"]);
    expect(result.code).toBe(0);
    for (const text of ["init [options] [dir]", "--spec <file>", "--name <name>", "--from <npm-spec>", "No file is ever replaced", "does not run npm install"])
      expect(result.stdout).toContain(text);
  });
});
