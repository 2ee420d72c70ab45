// Runs one task-agents command in this process with its standard output discarded, then prints
// {code, ms, maxRssMb} as JSON, so the benchmark can measure time and peak memory per command.
import { createWriteStream } from "node:fs";
import { runCli } from "../dist/cli/run-cli.js";

const discard = createWriteStream("/dev/null");
const started = performance.now();
const code = await runCli(process.argv.slice(2), { stdout: discard, stderr: process.stderr, env: process.env });
await new Promise((resolve) => discard.end(resolve));
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ code, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + "\n");
