import { existsSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigurationError, DataInputError, isTaskAgentsError } from "../domain/errors.js";
import { isQueueRunner, type QueueRunner } from "../runner/queue-runner.js";
import { formatCommandError } from "../shared/error-message.js";
import { isRunner, loadingAgentFile, type Runner } from "../runner/runner.js";
import { moduleLoadHint } from "./module-load-hint.js";

/** How a load failure is reported when it cannot be thrown. */
export interface LoadOptions {
  /** Errors as one JSON line (`--json`). */
  readonly json?: boolean;
}

/**
 * A file whose top-level `await` never settles leaves the process nothing to wait for: Node then
 * exits with code 13 and no word. While a file loads, that exit says what happened and exits 1.
 */
function reportUnsettledLoad(path: string, options: LoadOptions): () => void {
  const onExit = (): void => {
    if (process.exitCode !== 13) return;
    const error = new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} never finished loading: its top-level code awaits ` +
        `something that never settles (a promise nobody resolves, a server that is never closed). ` +
        `Move long-running work into the handlers, or make sure every top-level await completes.`,
    );
    process.stderr.write(formatCommandError(error, options.json === true));
    process.exitCode = 1;
  };
  process.on("exit", onExit);
  return () => process.off("exit", onExit);
}

let agentFileImported = false;

/** Whether this process imported an agent file: user code that may leave work pending. */
export function agentFileWasLoaded(): boolean {
  return agentFileImported;
}

const typeScriptExtensions = new Set([".ts", ".mts", ".cts", ".tsx"]);
const scriptExtensions = new Set([...typeScriptExtensions, ".js", ".mjs", ".cjs"]);

/**
 * Imports an agent file (TypeScript through tsx, JavaScript as is) and returns the runner it
 * exports as default or as `runner`. While it loads, `runner.run()` calls in the file do nothing.
 */
export async function loadAgentFile(path: string, options: LoadOptions = {}): Promise<Runner | QueueRunner> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new DataInputError("TA_FILE_NOT_FOUND", `Agent file ${JSON.stringify(path)} does not exist.`, path);
  if (statSync(absolute).isDirectory())
    throw new DataInputError("TA_INVALID_ARGUMENT", `Agent file ${JSON.stringify(path)} is a folder; give the agent's file (.ts or .js).`, path);
  const extension = extname(absolute).toLowerCase();
  if (!scriptExtensions.has(extension)) {
    throw new DataInputError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} has extension ${JSON.stringify(extension || "(none)")}; accepted: ${[...scriptExtensions].join(", ")}.`,
      path,
    );
  }
  const url = pathToFileURL(absolute).href;
  const flags = globalThis as Record<symbol, unknown>;
  flags[loadingAgentFile] = true;
  const stopReporting = reportUnsettledLoad(path, options);
  agentFileImported = true;
  let loaded: Record<string, unknown>;
  try {
    if (typeScriptExtensions.has(extension)) {
      // tsx (and esbuild behind it) is loaded only for TypeScript files: it costs start-up time.
      const { tsImport } = await import("tsx/esm/api");
      loaded = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      loaded = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    // A task-agents error (a bad registration…) already says what is wrong and how to fix it.
    if (isTaskAgentsError(error)) throw error;
    // Module format and a missing task-agents: the fix is in the project's setup, not the code.
    const hint = moduleLoadHint(path, absolute, error);
    if (hint !== undefined) throw new ConfigurationError("TA_INVALID_ARGUMENT", hint, { cause: error });
    // Anything else is the agent file's own failure: its message, and where in the file.
    const stack = error instanceof Error ? (error.stack ?? "") : "";
    const line = stack.split("\n").find((l) => l.includes(absolute) || l.includes(url));
    const where = line
      ?.match(/\(?([^()\s]+:\d+:\d+)\)?\s*$/)?.[1]
      ?.replace(/^file:\/\//, "")
      .replace(/\?[^:]*(?=:\d+:\d+$)/, "");
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} failed to load: ${error instanceof Error ? error.message : String(error)}${where ? ` (at ${where})` : ""}`,
      { cause: error },
    );
  } finally {
    stopReporting();
    delete flags[loadingAgentFile];
  }
  const isAgent = (value: unknown) => isRunner(value) || isQueueRunner(value);
  const candidate = isAgent(loaded.default) ? loaded.default : loaded.runner;
  if (!isRunner(candidate) && !isQueueRunner(candidate)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} exports no Runner or QueueRunner. Export it as ` +
        `the default export (\`export default runner\`) or as \`export const runner = …\`.`,
    );
  }
  return candidate;
}

/** Loads an agent file that must export a Runner. */
export async function loadRunnerFile(path: string, options: LoadOptions = {}): Promise<Runner> {
  const agent = await loadAgentFile(path, options);
  if (isQueueRunner(agent)) agent.execute();
  return agent as Runner;
}

/** Loads an agent file that must export a QueueRunner. */
export async function loadQueueRunnerFile(path: string, options: LoadOptions = {}): Promise<QueueRunner> {
  const agent = await loadAgentFile(path, options);
  if (!isQueueRunner(agent)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} exports a Runner; queue commands need a ` +
        `QueueRunner (\`export default new QueueRunner({ projectHash })\` with the same ` +
        `stage handlers). To run the file's Runner directly, use \`task-agents run ${path}\`.`,
    );
  }
  return agent;
}
