import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

/** An agent file of test/fixtures/agents, by name without extension. */
export function agentFile(name: string, extension = ".ts"): string {
  return fileURLToPath(new URL(`../fixtures/agents/${name}${extension}`, import.meta.url));
}

/** How a child process ended, with everything it printed. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running child process whose output is collected as it comes. */
export interface ChildRun {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /**
   * Resolves once the stream's output so far matches `pattern` (a RegExp, or a test of the whole
   * text); rejects if the process ends first or `timeoutMs` passes.
   */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp | ((text: string) => boolean), timeoutMs?: number): Promise<void>;
  /** Settles when the process has exited and its streams are closed. */
  readonly exited: Promise<ChildExit>;
}

const mainTs = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/**
 * Starts `node --import tsx <args>` in a new process. The process is killed when the test
 * ends, in case the test failed before it exited.
 */
export function startTsx(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  return startNode(["--import", "tsx", ...args], env);
}

/**
 * Starts `node <args>` with its output collected as it comes. The process is killed when the
 * test ends, in case the test failed before it exited.
 */
export function startNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  const child = spawn(process.execPath, [...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
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
          else if (ended)
            done(() => reject(new Error(`the process ended before its ${stream} matched ${String(pattern)}:\n${output.stdout}\n${output.stderr}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${String(pattern)} on ${stream} within ${timeoutMs} ms:\n${output[stream]}`))),
          timeoutMs,
        );
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

/** Runs an agent file as a script: `node --import tsx <file> <args>`. */
export function startAgentScript(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  return startTsx([file, ...args], env);
}

/** Runs `task-agents <args>` from the sources as its own process. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  return startTsx([mainTs, ...args], env);
}
