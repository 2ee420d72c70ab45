// task-agents against Encord's own Python runner (encord-agents 0.2.9 on the Encord SDK), side by
// side on the same fake Encord API (the shared encord-peer tools): the same generated scenario,
// the same agent (label row saved, priority 0.25, task moved), each run on a fresh server.
// value = task-agents' wall time on 1,000 tasks, batch 300, concurrency 8 (the run report's own
// duration); baseline = the Python runner's wall_s on the same scenario; ratio = value / baseline.
// Further checks: concurrency 1 and 60 tasks batch 7 at ≤ 1.0×, requests ≤ the peer's in every
// scenario, and with 10% injected faults every task moved exactly once with no save after its move.
// Where /proc is, the fake server's CPU time during each side's runs is reported too: the fake does
// its work one request at a time, so that time is close to a floor on any client's wall time; and
// task-agents' own CPU time, which on a machine of few cores competes with the fake's.
// Without the peer (TASK_AGENTS_PEER_PYTHONPATH, docs/benchmarks.md) the case is skipped.
import { median } from "../lib/common.mjs";
import { peerMissing, runPeer, runTaskAgents, startScenario } from "../lib/encord-peer.mjs";

export const name = "encord-vs-python";
export const unit = "s";
export const target = { kind: "max", value: 0.5, of: "ratio", text: "≤ 0.5× the Python runner's wall time (1,000 tasks, batch 300, concurrency 8)" };

const scenarios = [
  { key: "1000-c8", text: "1,000 tasks, batch 300, concurrency 8", tasks: 1000, batch: 300, concurrency: 8, maxRatio: 0.5 },
  { key: "1000-c1", text: "1,000 tasks, batch 300, concurrency 1", tasks: 1000, batch: 300, concurrency: 1, maxRatio: 1.0 },
  { key: "60-b7", text: "60 tasks, batch 7", tasks: 60, batch: 7, concurrency: 1, maxRatio: 1.0 },
  { key: "faults", text: "1,000 tasks, batch 300, concurrency 8, 10% injected faults", tasks: 1000, batch: 300, concurrency: 8, faultRate: 0.1 },
];

/** One run of `client` ("peer" or "ours") on a fresh server; with the server's end-to-end verdict. */
async function once(scenario, client, seed) {
  const server = await startScenario({ tasks: scenario.tasks, faultRate: scenario.faultRate ?? 0, seed });
  try {
    const cpuBefore = server.serverCpuS();
    const result = client === "peer" ? await runPeer(server, scenario) : await runTaskAgents(server, scenario);
    const cpuAfter = server.serverCpuS();
    const serverCpuS = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    return { ...result, serverCpuS, verdict: await server.check() };
  } finally {
    server.close();
  }
}

/**
 * Details that show how close a scenario's runs came to the fake's own pace: its CPU time during
 * task-agents' runs against the Python runner's wall time (the ratio a client that kept the serial
 * fake busy without a gap would reach), and when task-agents' last listing page and last request
 * ended. The listing is one chain of pages; after it comes work that did not keep up with the
 * listing and the last batch's own, which no overlap can hide.
 */
function floorDetails(scenario, runs, peerWallS) {
  const details = {};
  const serverCpu = (list) => (list.some((r) => r.serverCpuS === undefined) ? undefined : median(list.map((r) => r.serverCpuS)));
  const [oursCpu, peerCpu] = [serverCpu(runs.ours), serverCpu(runs.peer)];
  if (oursCpu !== undefined && peerCpu !== undefined) {
    details[`${scenario.text}, the fake's CPU time`] =
      `during task-agents' runs ${oursCpu.toFixed(2)} s (${(oursCpu / peerWallS).toFixed(2)}× the Python runner's wall time), ` +
      `during the Python runner's ${peerCpu.toFixed(2)} s (medians)`;
  }
  if (runs.ours.every((r) => r.cpuS !== undefined && r.serverCpuS !== undefined)) {
    // With the fake's, how much of the machine's cores the two took: on two cores a client that
    // takes more than what the fake leaves free slows the fake down.
    const cpu = median(runs.ours.map((r) => r.cpuS));
    const cores = median(runs.ours.map((r) => (r.cpuS + r.serverCpuS) / r.wallS));
    details[`${scenario.text}, task-agents' own CPU time`] =
      `${cpu.toFixed(2)} s during its runs (all threads); with the fake's, ${cores.toFixed(2)} cores busy on average (medians)`;
  }
  const timelines = runs.ours.map((r) => r.timeline);
  if (timelines.every((t) => t !== undefined)) {
    details[`${scenario.text}, task-agents' requests after the listing`] =
      `last page answered at ${median(timelines.map((t) => t.listingEndMs)).toFixed(0)} ms, ` +
      `last request at ${median(timelines.map((t) => t.lastEndMs)).toFixed(0)} ms (medians, from the fake's request log)`;
  }
  return details;
}

export async function run({ smoke }) {
  const missing = peerMissing();
  if (missing !== undefined) return { skipped: `peer not prepared: ${missing}` };
  // The Python runner's own time swings by a third from run to run on two cores; five runs of
  // the short scenarios keep the medians steady. The faults scenario (about 15 s a run, the
  // same backoffs on both sides) keeps three.
  const repeatsOf = (scenario) => (smoke ? 1 : scenario.faultRate ? 3 : 5);
  const details = {};
  const checks = [];
  const results = {};
  for (const scenario of smoke ? scenarios.filter((s) => s.tasks <= 60) : scenarios) {
    const runs = { peer: [], ours: [] };
    for (let i = 0; i < repeatsOf(scenario); i++) {
      // Alternating who goes first spreads the machine's drift over both.
      const order = i % 2 === 0 ? ["peer", "ours"] : ["ours", "peer"];
      for (const client of order) runs[client].push(await once(scenario, client, i + 1));
    }
    const ours = median(runs.ours.map((r) => r.wallS));
    const peer = median(runs.peer.map((r) => r.wallS));
    const ratio = ours / peer;
    const requests = (list) => list.map((r) => r.requests).join("/");
    results[scenario.key] = { ours, peer, ratio };
    details[scenario.text] =
      `task-agents ${ours.toFixed(3)} s, ${requests(runs.ours)} requests; Python runner ${peer.toFixed(3)} s, ${requests(runs.peer)} requests; ` +
      `ratio ${ratio.toFixed(2)}× (runs: ${runs.ours.map((r) => r.wallS.toFixed(2)).join(", ")} vs ${runs.peer.map((r) => r.wallS.toFixed(2)).join(", ")})`;
    // Without faults only: retries and injected delays would blur both figures.
    if (!scenario.faultRate) Object.assign(details, floorDetails(scenario, runs, peer));
    if (scenario.maxRatio !== undefined)
      checks.push({ text: `${scenario.text}: wall time ≤ ${scenario.maxRatio}× the Python runner's (${ratio.toFixed(2)}×)`, met: ratio <= scenario.maxRatio });
    // Each run is paired with the peer's run on the same seed. With faults, which requests a fault
    // hits depends on the order they arrive in, so the comparison leaves out the faulted attempts
    // (each client retries those) and counts the requests the server answered.
    const counted = scenario.faultRate ? "served" : "requests";
    const fewer = runs.ours.every((r, i) => r[counted] <= runs.peer[i][counted]);
    const shown = (list) => list.map((r) => r[counted]).join("/");
    checks.push({
      text:
        `${scenario.text}: ${scenario.faultRate ? "requests answered without an injected fault" : "requests"}` +
        ` ≤ the Python runner's in every run (${shown(runs.ours)} vs ${shown(runs.peer)})`,
      met: fewer,
    });
    const failed = runs.ours.filter((r) => !r.verdict.ok);
    checks.push({
      text:
        `${scenario.text}: every task moved exactly once to its pathway's stage, with ` +
        `priority 0.25, no label save after its move (the server's end-to-end check)${
          failed.length > 0
            ? `: ${failed[0].verdict.text
                .split("\n")
                .filter((l) => l.startsWith("FAIL"))
                .join("; ")}`
            : ""
        }`,
      met: failed.length === 0,
    });
    if (scenario.faultRate)
      details[`${scenario.text}, faults injected (last run)`] =
        runs.ours
          .at(-1)
          .verdict.text.split("\n")
          .find((l) => l.startsWith("note: faults")) ?? "none";
  }
  const main = results["1000-c8"] ?? results["60-b7"];
  return {
    value: main.ours,
    baseline: smoke ? "the Python runner, 60 tasks batch 7 (smoke)" : "the Python runner (encord-agents 0.2.9) on the same scenario, 1,000 tasks, batch 300",
    baselineValue: main.peer,
    ratio: main.ratio,
    details,
    checks,
  };
}
