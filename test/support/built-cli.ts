import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";
import type { ChildExit, ChildRun } from "./agent-process.js";

/** The built command-line program (`npm run build` makes it). */
export const builtCliMain = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/**
 * Starts `node dist/cli/main.js <args>`: the built program as it is installed, without tsx in
 * front (an agent file in TypeScript is still loaded through tsx by the program itself). Agent
 * files that import "task-agents" get dist/ too. The process is killed when the test ends, in
 * case the test failed before it exited.
 */
export function startBuiltCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  if (!existsSync(builtCliMain)) throw new Error(`${builtCliMain} does not exist: run \`npm run build\` before this test.`);
  const child = spawn(process.execPath, [builtCliMain, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    output.stdout += d;
    changed();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    output.stderr += d;
    changed();
  });
  let ended = false;
  const exited = new Promise<ChildExit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      ended = true;
      changed();
      resolve({ code, signal, ...output });
    });
  });
  onTestFinished(() => {
    if (!ended) child.kill("SIGKILL");
  });
  return {
    child,
    exited,
    waitFor: (stream, pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = typeof pattern === "function" ? pattern : (text: string) => pattern.test(text);
        const check = () => {
          if (matches(output[stream])) done(() => resolve());
          else if (ended) done(() => reject(new Error(`the process ended before its ${stream} matched ${String(pattern)}:\n${output.stdout}\n${output.stderr}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${String(pattern)} on ${stream} within ${timeoutMs} ms:\n${output[stream]}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
  };
}
