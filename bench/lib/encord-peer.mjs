// Side by side with Encord's own Python runner (encord-agents) on the same fake Encord API: the
// fake server, the scenario generator, the peer agent and the end-to-end checker are the shared
// encord-peer tools (not part of this repository; TASK_AGENTS_PEER_DIR, else ../shared/tools/
// encord-peer beside the repository). The peer's Python import path is TASK_AGENTS_PEER_PYTHONPATH,
// the folder the tools' prepare.sh makes (docs/benchmarks.md says how).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoPath, tempDir } from "./common.mjs";

/** The encord-peer tools folder, or undefined when it is not there. */
export function peerToolsDir() {
  const dir = process.env.TASK_AGENTS_PEER_DIR ?? repoPath("../shared/tools/encord-peer");
  return existsSync(join(dir, "fake_encord", "server.py")) ? dir : undefined;
}

/** Why the peer cannot run here, or undefined when it can. */
export function peerMissing() {
  const tools = peerToolsDir();
  if (tools === undefined) return "the encord-peer tools were not found (set TASK_AGENTS_PEER_DIR)";
  const path = process.env.TASK_AGENTS_PEER_PYTHONPATH;
  if (!path) return "TASK_AGENTS_PEER_PYTHONPATH is not set";
  const check = spawnSync("python3", ["-c", "import sitecustomize, encord, encord_agents.tasks"], {
    env: { ...process.env, PYTHONPATH: `${join(tools, "shim")}:${path}` },
    encoding: "utf8",
  });
  if (check.status !== 0) return `the peer does not import from TASK_AGENTS_PEER_PYTHONPATH (${check.stderr.trim().split("\n").at(-1)})`;
  return undefined;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`), read once. */
let clockTicks;
function ticksPerSecond() {
  clockTicks ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  return clockTicks;
}

/**
 * CPU seconds (user and system, all threads) a process has used so far, from /proc; undefined
 * where there is no /proc. The fake serves requests one at a time (its interpreter lock and its
 * own lock around each request's work), so its CPU time during a run is close to a floor on the
 * run's wall time for any client.
 */
function cpuSecondsOf(pid) {
  try {
    // Fields after the command name (which may hold ") "): state is field 3, utime 14, stime 15 (proc(5)).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Runs a command to its end; `onLine(line, pid)` sees each line of its output as it comes. */
function run(command, args, options, onLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      if (onLine === undefined) return;
      const lines = (partial + d).split("\n");
      partial = lines.pop();
      for (const line of lines) onLine(line, child.pid);
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A fresh fake Encord server on a newly generated scenario: `tasks` tasks in the AGENT stage
 * "Agent 1", faults injected at `faultRate`. Resolves to { url, projectHash, env (credentials for
 * a client), logSummary() (what the request log holds so far), serverCpuS() (the fake's CPU
 * seconds so far, undefined without /proc), check() (the end-to-end verdict), close() }.
 */
export async function startScenario({ tasks, faultRate = 0, seed = 1 }) {
  const tools = peerToolsDir();
  const dir = tempDir("peer");
  const key = join(dir, "key");
  const keygen = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  if (keygen.status !== 0) throw new Error(`ssh-keygen failed: ${keygen.stderr}`);
  const scenario = join(dir, "scenario.json");
  const pyEnv = { ...process.env, PYTHONPATH: tools };
  const server = join(tools, "fake_encord", "server.py");
  const gen = spawnSync(
    "python3",
    [server, "--gen-scenario", scenario, "--tasks", String(tasks), "--allow-key-file", `${key}.pub`, "--fault-rate", String(faultRate), "--seed", String(seed)],
    { env: pyEnv, encoding: "utf8" },
  );
  if (gen.status !== 0) throw new Error(`scenario generation failed: ${gen.stderr}`);
  const { project_hash: projectHash } = JSON.parse(gen.stdout);
  const log = join(dir, "requests.jsonl");
  const child = spawn("python3", [server, "--scenario", scenario, "--port", "0", "--timeout", "900", "--log", log], {
    env: pyEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const port = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const match = /^PORT (\d+)$/m.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on("close", (code) => reject(new Error(`the fake server exited (${code}): ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const logged = () =>
    existsSync(log)
      ? readFileSync(log, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l))
      : [];
  return {
    url,
    projectHash,
    serverPid: child.pid,
    serverCpuS: () => cpuSecondsOf(child.pid),
    env: { ...process.env, ENCORD_SSH_KEY_FILE: key, ENCORD_DOMAIN: url },
    /** The request log read once: { requests, served, timeline }; see {@link summariseLog}. */
    logSummary: () => summariseLog(logged()),
    async check() {
      const result = await run("python3", [join(tools, "fake_encord", "e2e_check.py"), "--scenario", scenario, "--state-url", `${url}/__state`], {
        env: pyEnv,
      });
      return { ok: result.code === 0, text: result.stdout.trim() };
    },
    close() {
      child.kill();
    },
  };
}

/**
 * What a request log says of a run: `requests` (lines), `served` (requests answered without an
 * injected fault: retries that a fault forced are left out) and `timeline`, from each line's `t`
 * (when the fake began the request) and `ms` (how long it took): milliseconds from the first
 * request's start to the last listing page's end and to the last request's end (undefined
 * without a listing).
 */
function summariseLog(records) {
  const pages = records.filter((record) => record.route === "list_tasks");
  let timeline;
  if (pages.length > 0) {
    const start = Math.min(...records.map((record) => record.t * 1000));
    const end = (list) => Math.max(...list.map((record) => record.t * 1000 + record.ms)) - start;
    timeline = { listingEndMs: end(pages), lastEndMs: end(records) };
  }
  return { requests: records.length, served: records.filter((record) => record.fault === undefined).length, timeline };
}

/** The Python runner (encord-agents) on the scenario: { wallS, requests, served, timeline, tasks }. */
export async function runPeer(scenario, { batch }) {
  const tools = peerToolsDir();
  const env = { ...scenario.env, PYTHONPATH: `${join(tools, "shim")}:${process.env.TASK_AGENTS_PEER_PYTHONPATH}` };
  const result = await run("python3", [join(tools, "encord_agents_runner.py"), scenario.projectHash, String(batch)], { env });
  const last = result.stdout.trim().split("\n").at(-1);
  if (result.code !== 0 || !last) throw new Error(`the Python runner failed (${result.code}): ${result.stderr.slice(-2000)}`);
  const out = JSON.parse(last);
  return { wallS: out.wall_s, tasks: out.tasks, ...scenario.logSummary() };
}

/**
 * task-agents (`task-agents run`, the built CLI, default client options) on the scenario with the
 * same agent: { wallS (the run report's own duration), cpuS (its CPU time in that span, all threads;
 * undefined without /proc), requests, served, report }.
 */
export async function runTaskAgents(scenario, { batch, concurrency }) {
  const args = [
    repoPath("dist/cli/main.js"),
    "run",
    repoPath("bench/lib/agents/peer-agent.mjs"),
    "--project-hash",
    scenario.projectHash,
    "--task-batch-size",
    String(batch),
    "--concurrency",
    String(concurrency),
    "--json",
    "--backend",
    "encord",
  ];
  // The run's report, and its own CPU time (all threads) from the run's start to its end, as the
  // report times it: both read off the event lines as they come.
  let cpuAtStart;
  let cpuS;
  let finished;
  const result = await run(process.execPath, args, { env: scenario.env }, (line, pid) => {
    if (line.startsWith('{"event":"run-started"')) cpuAtStart = cpuSecondsOf(pid);
    else if (line.startsWith('{"event":"run-finished"')) {
      const cpuAtEnd = cpuSecondsOf(pid);
      if (cpuAtStart !== undefined && cpuAtEnd !== undefined) cpuS = cpuAtEnd - cpuAtStart;
      finished = JSON.parse(line);
    }
  });
  if (finished === undefined || result.code !== 0)
    throw new Error(`task-agents run failed (${result.code}): ${result.stderr.slice(-2000)}${result.stdout.slice(-2000)}`);
  return { wallS: finished.report.durationMs / 1000, cpuS, ...scenario.logSummary(), report: finished.report };
}
