import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { startBuiltCli } from "../support/built-cli.js";
import { tempDir } from "../support/temp-dir.js";
import { expectJsonError, expectUserError } from "./cli-helpers.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const unusedHash = "00000000-0000-4000-8000-000000000000";

const agentWithTopLevelAwait = `import { Runner } from "task-agents";
const runner = new Runner();
runner.stage("Pre-label", () => "annotate");
export default runner;
await runner.run();
`;

/** Writes files (path relative to `dir` → content) and returns `dir`. */
function writeFiles(dir: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** `task-agents [--json] run <file>` with the built program, from outside the repo, as its own process. */
async function runAgent(file: string, json = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const store = join(dirname(file), "store.db");
  const exit = await startBuiltCli([...(json ? ["--json"] : []), "--store", store, "run", file, "--project-hash", unusedHash]).exited;
  expect(existsSync(store)).toBe(false); // it failed before opening any store
  return { code: exit.code ?? -1, stdout: exit.stdout, stderr: exit.stderr };
}

/** Whether a package.json sits in `dir` or a folder above it (Node would read the module type from it). */
function packageJsonAbove(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "package.json"))) return true;
    if (dirname(at) === at) return false;
  }
}

describe("agent files whose module format or missing task-agents stops them loading", () => {
  test('a .ts agent with top-level await in a package without "type": "module": rename to .mts or set the type in that package.json', async () => {
    using dir = tempDir();
    writeFiles(dir.path, { "package.json": JSON.stringify({ name: "mine" }), "agent.ts": agentWithTopLevelAwait });
    const result = await runAgent(join(dir.path, "agent.ts"));
    expectUserError(
      result,
      `uses top-level await (such as \`await runner.run()\`), which only an ES module may use, ` +
        `but it loads as CommonJS: ${join(dir.path, "package.json")} has no "type": "module". ` +
        `Rename it to agent.mts, or set "type": "module" in ${join(dir.path, "package.json")}.`,
    );
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test('the same with "type": "commonjs", and with --json: one JSON error line', async () => {
    using dir = tempDir();
    writeFiles(dir.path, { "package.json": JSON.stringify({ name: "mine", type: "commonjs" }), "agent.ts": agentWithTopLevelAwait });
    const message = expectJsonError(await runAgent(join(dir.path, "agent.ts"), true), "TA_INVALID_ARGUMENT");
    expect(message).toContain(`${join(dir.path, "package.json")} says "type": "commonjs". Rename it to agent.mts, or set "type": "module"`);
  });

  // Node reads the module type from the nearest package.json, so this case needs a temporary folder with none above it.
  test.skipIf(packageJsonAbove(tmpdir()))('with no package.json above it: rename, or create one with "type": "module" in its folder', async () => {
    using dir = tempDir();
    writeFiles(dir.path, { "agent.ts": agentWithTopLevelAwait });
    expectUserError(
      await runAgent(join(dir.path, "agent.ts")),
      `no package.json above it says "type": "module". Rename it to agent.mts, or create ${join(dir.path, "package.json")} holding {"type": "module"}`,
    );
  });

  test("a .cts agent with top-level await: rename it to .mts", async () => {
    using dir = tempDir();
    writeFiles(dir.path, { "package.json": JSON.stringify({ name: "mine", type: "module" }), "agent.cts": agentWithTopLevelAwait });
    expectUserError(await runAgent(join(dir.path, "agent.cts")), /its extension \.cts makes it CommonJS\. Rename it to agent\.mts\.$/m);
  });

  test("top-level await in a CommonJS module the agent imports names that module", async () => {
    using dir = tempDir();
    writeFiles(dir.path, {
      "package.json": JSON.stringify({ name: "mine" }),
      "agent.mts":
        `import { Runner } from "task-agents";\nimport { threshold } from ` +
        `"./settings.ts";\nconst runner = new Runner();\nrunner.stage("Pre-label", ` +
        `() => (threshold > 0 ? "annotate" : "skip"));\nexport default runner;\n`,
      "settings.ts": "export const threshold = await Promise.resolve(1);\n",
      "node_modules/.keep": "",
    });
    symlinkSync(repoRoot, join(dir.path, "node_modules", "task-agents"));
    expectUserError(
      await runAgent(join(dir.path, "agent.mts")),
      `${join(dir.path, "settings.ts")}, imported by agent file`,
      `Rename it to settings.mts, or set "type": "module" in ${join(dir.path, "package.json")}.`,
    );
  });

  test("a .ts agent without top-level await that loads as CommonJS cannot load task-agents (an ES module): the same advice", async () => {
    using dir = tempDir();
    writeFiles(dir.path, {
      "package.json": JSON.stringify({ name: "mine" }),
      "agent.ts": `import { Runner } from "task-agents";\nconst runner = new Runner();\nrunner.stage("Pre-label", () => "annotate");\nexport default runner;\n`,
      "node_modules/.keep": "",
    });
    symlinkSync(repoRoot, join(dir.path, "node_modules", "task-agents"));
    expectUserError(
      await runAgent(join(dir.path, "agent.ts")),
      `loads as CommonJS, and CommonJS cannot load task-agents, an ES module package: ` +
        `${join(dir.path, "package.json")} has no "type": "module". Rename it to agent.mts`,
    );
  });

  test("task-agents not installed where the agent is: how to install it, and the folder Node looked from", async () => {
    using dir = tempDir();
    writeFiles(dir.path, { "project/package.json": JSON.stringify({ name: "mine", type: "module" }), "project/agents/agent.ts": agentWithTopLevelAwait });
    expectUserError(
      await runAgent(join(dir.path, "project", "agents", "agent.ts")),
      `imports task-agents, but it is not installed in any node_modules folder from ${join(dir.path, "project", "agents")} upwards, where Node looks for it.`,
      // This checkout runs the command, so the advice installs this checkout.
      `Install it in the agent's project: \`npm install ${repoRoot}\` in ` +
        `${join(dir.path, "project")}; or start a project of your own with \`task-agents init\`.`,
    );
  });

  test("another missing package keeps the plain load error", async () => {
    using dir = tempDir();
    writeFiles(dir.path, { "agent.mts": `import "no-such-package-for-task-agents";\nexport default 1;\n` });
    const result = await runAgent(join(dir.path, "agent.mts"));
    expectUserError(result, /failed to load: Cannot find package 'no-such-package-for-task-agents'/);
    expect(result.stderr).not.toMatch(/npm install|task-agents init/);
  });
});
