import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startNode, type ChildRun } from "./agent-process.js";

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
  return startNode([builtCliMain, ...args], env);
}
