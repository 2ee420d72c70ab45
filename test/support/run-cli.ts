import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/run-cli.js";
import { OutputCollector as Collector } from "./output-collector.js";

/** What a CLI invocation printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `task-agents <args>` in-process (the real program, with captured output). */
export async function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await runCli(args, { stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs `task-agents <args>` in-process against a store file, failing the test on a non-zero exit. */
export async function cliOk(store: string, args: readonly string[]): Promise<string> {
  const result = await cli(["--store", store, ...args]);
  if (result.code !== 0) throw new Error(`task-agents ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

const mainTs = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** Runs the command as a separate process (through tsx), as a shell would. */
export function cliProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runProcess(process.execPath, ["--import", "tsx", mainTs, ...args], { env: { ...process.env, ...env } });
}

/** Runs any command to its end and collects what it printed. */
export function runProcess(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
