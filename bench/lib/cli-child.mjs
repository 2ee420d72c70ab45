// Runs one task-agents command in this process with its standard output discarded, then prints
// {code, ms, maxRssMb, peakHeapMb} as JSON (MB = 10^6 bytes), so the benchmark can measure time and peak memory per
// command. The JavaScript heap is sampled every 5 ms; RSS also holds SQLite's page cache.
import { createWriteStream } from "node:fs";
import { runCli } from "../../dist/cli/run-cli.js";

let peakHeap = 0;
const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
const sampler = setInterval(sample, 5);
const discard = createWriteStream("/dev/null");
const started = performance.now();
const code = await runCli(process.argv.slice(2), { stdout: discard, stderr: process.stderr, env: process.env });
await new Promise((resolve) => discard.end(resolve));
const ms = performance.now() - started;
sample();
clearInterval(sampler);
process.stdout.write(JSON.stringify({ code, ms, maxRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6, peakHeapMb: peakHeap / 1e6 }) + "\n");
