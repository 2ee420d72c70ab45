import type { ChildRun } from "../../support/agent-process.js";
import { startBuiltCli } from "../../support/built-cli.js";

/** A dashboard started as `task-agents ui` (the built program) on a free port. */
export interface UiProcess {
  /** Where it answers, e.g. `http://127.0.0.1:40123/`. */
  readonly url: string;
  readonly run: ChildRun;
}

/**
 * Starts `task-agents ui --port 0 --json <args>` and waits for the URL it prints. The process
 * is killed when the test ends.
 */
export async function startUiProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<UiProcess> {
  const run = startBuiltCli(["ui", "--port", "0", "--json", ...args], env);
  let url = "";
  await run.waitFor(
    "stdout",
    (text) => {
      const line = text.split("\n").find((l) => l.includes('"url"'));
      if (line === undefined) return false;
      url = (JSON.parse(line) as { url: string }).url;
      return true;
    },
    30_000,
  );
  return { url, run };
}
