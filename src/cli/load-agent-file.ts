import { existsSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigurationError, DataInputError, isTaskAgentsError } from "../domain/errors.js";
import { isQueueRunner, type QueueRunner } from "../runner/queue-runner.js";
import { isRunner, loadingAgentFile, type Runner } from "../runner/runner.js";

const typeScriptExtensions = new Set([".ts", ".mts", ".cts", ".tsx"]);
const scriptExtensions = new Set([...typeScriptExtensions, ".js", ".mjs", ".cjs"]);

/**
 * Imports an agent file (TypeScript through tsx, JavaScript as is) and returns the runner it
 * exports as default or as `runner`. While it loads, `runner.run()` calls in the file do nothing.
 */
export async function loadAgentFile(path: string): Promise<Runner | QueueRunner> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new DataInputError("TA_FILE_NOT_FOUND", `Agent file ${JSON.stringify(path)} does not exist.`, path);
  if (statSync(absolute).isDirectory()) throw new DataInputError("TA_INVALID_ARGUMENT", `Agent file ${JSON.stringify(path)} is a folder; give the agent's file (.ts or .js).`, path);
  const extension = extname(absolute).toLowerCase();
  if (!scriptExtensions.has(extension)) {
    throw new DataInputError("TA_INVALID_ARGUMENT", `Agent file ${JSON.stringify(path)} has extension ${JSON.stringify(extension || "(none)")}; accepted: ${[...scriptExtensions].join(", ")}.`, path);
  }
  const url = pathToFileURL(absolute).href;
  const flags = globalThis as Record<symbol, unknown>;
  flags[loadingAgentFile] = true;
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
    // Anything else is the agent file's own failure: its message, and where in the file.
    const stack = error instanceof Error ? (error.stack ?? "") : "";
    const line = stack.split("\n").find((l) => l.includes(absolute) || l.includes(url));
    const where = line?.match(/\(?([^()\s]+:\d+:\d+)\)?\s*$/)?.[1]?.replace(/^file:\/\//, "").replace(/\?[^:]*(?=:\d+:\d+$)/, "");
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} failed to load: ${error instanceof Error ? error.message : String(error)}${where ? ` (at ${where})` : ""}`,
      { cause: error },
    );
  } finally {
    delete flags[loadingAgentFile];
  }
  const isAgent = (value: unknown) => isRunner(value) || isQueueRunner(value);
  const candidate = isAgent(loaded.default) ? loaded.default : loaded.runner;
  if (!isRunner(candidate) && !isQueueRunner(candidate)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} exports no Runner or QueueRunner. Export it as the default export (\`export default runner\`) or as \`export const runner = …\`.`,
    );
  }
  return candidate;
}

/** Loads an agent file that must export a Runner. */
export async function loadRunnerFile(path: string): Promise<Runner> {
  const agent = await loadAgentFile(path);
  if (isQueueRunner(agent)) agent.execute();
  return agent as Runner;
}

/** Loads an agent file that must export a QueueRunner. */
export async function loadQueueRunnerFile(path: string): Promise<QueueRunner> {
  const agent = await loadAgentFile(path);
  if (!isQueueRunner(agent)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Agent file ${JSON.stringify(path)} exports a Runner; queue commands need a QueueRunner (\`export default new QueueRunner({ projectHash })\` with the same stage handlers). To run the file's Runner directly, use \`task-agents run ${path}\`.`,
    );
  }
  return agent;
}
