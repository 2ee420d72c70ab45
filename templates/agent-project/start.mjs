// What `npm start` and `npm test` run (written by `task-agents init`).
//
// npm start: the first time, creates the project of the spec in the local store
// (.task-agents/store.db, or TASK_AGENTS_STORE) and adds the files of data/; then runs agent.ts on
// it with `task-agents run`. Arguments after `npm start --` go to `task-agents run`.
// npm test (`--temporary-store`): the same on a new store in a temporary folder, removed after.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { constants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const specFile = ["project.yaml", "project.yml", "project.json"].map((name) => join(here, name)).find((path) => existsSync(path));
const agentFile = join(here, "agent.ts");
const dataFolder = join(here, "data");
// The store's hash of the project made from the spec, so the next start finds it again.
const hashFile = join(here, ".task-agents", "project-hash");

function fail(message) {
  process.stderr.write(`start: ${message}\n`);
  process.exit(1);
}

/** The task-agents command of this project's node_modules (not whichever one is on PATH). */
function findCli() {
  const require = createRequire(import.meta.url);
  let manifestPath;
  try {
    manifestPath = require.resolve("task-agents/package.json");
  } catch {
    fail(`task-agents is not installed in ${here}: run \`npm install\` there first.`);
  }
  const bin = JSON.parse(readFileSync(manifestPath, "utf8")).bin;
  return join(dirname(manifestPath), typeof bin === "string" ? bin : bin["task-agents"]);
}

const cli = findCli();

/** Runs `task-agents <args>` and returns its exit code and standard output. */
function taskAgents(args, { quiet = false } = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", quiet ? "pipe" : "inherit"] });
  if (result.error) fail(`could not start task-agents: ${result.error.message}`);
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr ?? "" };
}

function createProject(storeArgs) {
  if (specFile === undefined) fail(`no project spec in ${here}: expected project.yaml, project.yml or project.json.`);
  const created = taskAgents([...storeArgs, "project", "create", specFile]);
  if (created.code !== 0) process.exit(created.code);
  const hash = created.stdout.trim();
  process.stderr.write(`Created project ${hash} from ${specFile}${scratch === undefined ? "" : " in a temporary store"}.\n`);
  if (existsSync(dataFolder)) {
    const added = taskAgents([...storeArgs, "data", "add", hash, dataFolder, "--actor", "start"]);
    process.stdout.write(added.stdout);
    if (added.code !== 0) process.exit(added.code);
  }
  return hash;
}

/** The project this folder's store already has, or a new one made from the spec. */
function projectOfStore() {
  if (existsSync(hashFile)) {
    const saved = readFileSync(hashFile, "utf8").trim();
    const shown = taskAgents(["--json", ...storeArgs, "project", "show", saved], { quiet: true });
    if (shown.code === 0) return saved;
    // Only a store without that project gets a new one; a busy or broken store is not worked around.
    let error;
    try {
      error = JSON.parse(shown.stderr).error;
    } catch {
      error = { message: shown.stderr.trim() };
    }
    if (error.code !== "TA_UNKNOWN_PROJECT" && error.code !== "TA_NO_STORE") fail(`the project in the local store could not be read: ${error.message}`);
  }
  const hash = createProject(storeArgs);
  mkdirSync(dirname(hashFile), { recursive: true });
  writeFileSync(hashFile, `${hash}\n`);
  return hash;
}

const temporary = process.argv[2] === "--temporary-store";
const runArgs = process.argv.slice(temporary ? 3 : 2);
const scratch = temporary ? mkdtempSync(join(tmpdir(), "agent-test-")) : undefined;
if (scratch !== undefined) process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
// The local store even when Encord credentials are in the environment.
const storeArgs = scratch === undefined ? ["--backend", "local"] : ["--store", join(scratch, "store.db")];
const hash = scratch === undefined ? projectOfStore() : createProject(storeArgs);

const run = spawn(process.execPath, [cli, ...storeArgs, "run", agentFile, "--project-hash", hash, ...runArgs], { cwd: here, stdio: "inherit" });
// The run handles Ctrl-C itself (it finishes in-flight tasks, commits and reports) and gets it
// from the terminal like this script, so this script only waits for it; a SIGTERM sent to this
// script alone is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => run.kill("SIGTERM"));
run.on("error", (error) => fail(`could not start task-agents: ${error.message}`));
run.on("exit", (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
