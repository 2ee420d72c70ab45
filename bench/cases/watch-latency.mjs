// `task-agents run --watch` on the local store: how soon a task that another process adds to a
// registered AGENT stage is picked up (p95 over 30 arrivals, from just before the `addData` call
// to the handler starting, one clock), and the CPU an idle watcher uses (over 5 s, from
// /proc/<pid>/stat). Baseline: the same agent polling with `--refresh-every 1`, in the same run.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { localBackend } from "../../dist/index.js";
import { demoSpec, onCleanup, repoPath, tempDir } from "../lib/common.mjs";

export const name = "watch-latency";
export const unit = "ms";
export const target = { kind: "max", value: 250, of: "value", text: "p95 pick-up ≤ 250 ms" };

const cli = repoPath("dist/cli/main.js");
const agent = repoPath("bench/lib/agents/watch-agent.mjs");
const idleCpuLimitPercent = 1;

/** The value at quantile q (nearest rank) of the samples. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Starts the agent under the CLI with `mode` flags; resolves once its first pass is done. */
async function startAgent(store, hash, mode) {
  const child = spawn(process.execPath, [cli, "run", agent, "--project-hash", hash, "--store", store, "--json", "--log-level", "warn", ...mode], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  onCleanup(() => child.kill("SIGKILL"));
  const handled = new Map();
  const waiters = new Map();
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    stderr += chunk;
    for (const match of chunk.matchAll(/^handled (\S+) (\d+)$/gm)) {
      handled.set(match[1], Number(match[2]));
      waiters.get(match[1])?.();
    }
  });
  const firstPass = new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
      if (/"event":"pass-finished"/.test(stdout)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the agent exited (${code}) before its first pass ended:\n${stderr}`)));
  });
  await firstPass;
  return {
    child,
    /** Resolves to the epoch ms at which the handler saw `title`. */
    handledAt: (title) =>
      new Promise((resolve, reject) => {
        if (handled.has(title)) return resolve(handled.get(title));
        const timer = setTimeout(() => reject(new Error(`${title} was not handled within 30 s:\n${stderr}`)), 30_000);
        waiters.set(title, () => {
          clearTimeout(timer);
          resolve(handled.get(title));
        });
      }),
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc; undefined off Linux. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** One agent process: `arrivals` tasks added one at a time, then `idleSeconds` of idling. */
async function measure(mode, { arrivals, idleSeconds }) {
  const dir = tempDir("watch");
  const store = join(dir, "store.db");
  const backend = localBackend({ storePath: store });
  try {
    const hash = backend.createProject(demoSpec);
    const agentRun = await startAgent(store, hash, mode);
    const latencies = [];
    for (let i = 0; i < arrivals; i++) {
      const title = `arrival-${i}`;
      const manifest = join(dir, `${title}.jsonl`);
      writeFileSync(manifest, JSON.stringify({ title, url: `https://example.com/${title}.png` }) + "\n");
      // Arrivals at random moments, so none lines up with a poll.
      await sleep(50 + Math.random() * 250);
      const addedAt = Date.now();
      await backend.addData(hash, { manifest });
      latencies.push((await agentRun.handledAt(title)) - addedAt);
    }
    await sleep(1000); // let the last pass settle
    const before = cpuSeconds(agentRun.child.pid);
    const started = performance.now();
    await sleep(idleSeconds * 1000);
    const after = cpuSeconds(agentRun.child.pid);
    const idleCpuPercent = before === undefined || after === undefined ? undefined : ((after - before) / ((performance.now() - started) / 1000)) * 100;
    await agentRun.stop();
    return { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: Math.max(...latencies), idleCpuPercent };
  } finally {
    await backend.close();
  }
}

export async function run({ smoke }) {
  const sizes = smoke ? { arrivals: 4, idleSeconds: 1 } : { arrivals: 30, idleSeconds: 5 };
  const watch = await measure(["--watch"], sizes);
  const poll = await measure(["--refresh-every", "1"], sizes);
  const cpu = (p) => (p === undefined ? "not measured (no /proc)" : `${p.toFixed(2)} % of a core`);
  return {
    value: watch.p95,
    baseline: "--refresh-every 1 (polling), p95 pick-up",
    baselineValue: poll.p95,
    ratio: watch.p95 / poll.p95,
    details: {
      arrivals: sizes.arrivals,
      "watch p50 (ms)": watch.p50,
      "watch p95 (ms)": watch.p95,
      "watch max (ms)": watch.max,
      "watch idle CPU": cpu(watch.idleCpuPercent),
      "poll p50 (ms)": poll.p50,
      "poll p95 (ms)": poll.p95,
      "poll idle CPU": cpu(poll.idleCpuPercent),
      "idle measured over (s)": sizes.idleSeconds,
    },
    checks: [
      { text: `idle watcher uses < ${idleCpuLimitPercent} % of a core`, met: watch.idleCpuPercent !== undefined && watch.idleCpuPercent < idleCpuLimitPercent },
    ],
  };
}
