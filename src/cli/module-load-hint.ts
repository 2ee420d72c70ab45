import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { packageInfo } from "../shared/package-info.js";
import { dependencySpecFor, npmInstallArgument } from "./init/package-reference.js";

/** The package.json Node reads a file's module format from: the nearest one above it. */
function nearestPackageJson(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function packageType(manifestPath: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifestPath, "utf8")) as { type?: unknown }).type;
  } catch {
    return undefined;
  }
}

/** A path quoted for a shell when it needs it. */
function shellWord(text: string): string {
  return /^[\w./@~:^=+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

const esmRename: Record<string, string> = { ".ts": ".mts", ".tsx": ".mts", ".cts": ".mts", ".js": ".mjs", ".cjs": ".mjs" };

/** What to change so that `file` loads as an ES module. */
function howToMakeEsm(file: string): string {
  const extension = extname(file).toLowerCase();
  const renamed = `${basename(file, extname(file))}${esmRename[extension] ?? ".mjs"}`;
  if (extension === ".cts" || extension === ".cjs") return `its extension ${extension} makes it CommonJS. Rename it to ${renamed}`;
  const manifest = nearestPackageJson(file);
  if (manifest === undefined) {
    return (
      `no package.json above it says "type": "module". Rename it to ${renamed}, or create ` +
      `${join(dirname(file), "package.json")} holding {"type": "module"} ` +
      `(\`task-agents init\` sets up a project this way)`
    );
  }
  const type = packageType(manifest);
  const says = type === undefined ? `has no "type": "module"` : `says "type": ${JSON.stringify(type)}`;
  return `${manifest} ${says}. Rename it to ${renamed}, or set "type": "module" in ${manifest}`;
}

/**
 * The file esbuild names in its error, which may be a module the agent file imports. tsx reports
 * a .cts file as .ts (and .cjs as .js), so a name that does not exist is tried that way too.
 */
function fileWithAwait(message: string): string | undefined {
  const named = /^(\/[^\n]*?\.[cm]?[jt]sx?):\d+:\d+: ERROR/m.exec(message)?.[1];
  if (named === undefined || existsSync(named)) return named;
  const commonJs = named.replace(/\.([jt])s$/, ".c$1s");
  return existsSync(commonJs) ? commonJs : undefined;
}

const cjsTopLevelAwait =
  /Top-level await is currently not supported with the "cjs" output format|await is only valid in async functions and the top level bodies of modules/;
const missingTaskAgents = new RegExp(`Cannot find (?:package|module) '${packageInfo.name}(?:/[^']*)?'`);

/**
 * Says what to change when an agent file failed to load because of its module format (top-level
 * await in a file that loads as CommonJS; task-agents, an ES module, required from CommonJS) or
 * because task-agents is not installed where the file can import it from. Undefined for any
 * other failure.
 */
export function moduleLoadHint(shownPath: string, file: string, error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const quoted = JSON.stringify(shownPath);
  if (cjsTopLevelAwait.test(message)) {
    const culprit = fileWithAwait(message) ?? file;
    const which =
      culprit === file
        ? `Agent file ${quoted} uses top-level await (such as \`await runner.run()\`)`
        : `${culprit}, imported by agent file ${quoted}, uses top-level await`;
    return `${which}, which only an ES module may use, but it loads as CommonJS: ${howToMakeEsm(culprit)}.`;
  }
  if (code === "ERR_PACKAGE_PATH_NOT_EXPORTED" && message.includes(`${packageInfo.name}/package.json`)) {
    return `Agent file ${quoted} loads as CommonJS, and CommonJS cannot load ${packageInfo.name}, an ES module package: ${howToMakeEsm(file)}.`;
  }
  if (missingTaskAgents.test(message)) {
    const manifest = nearestPackageJson(file);
    const project = manifest === undefined ? dirname(file) : dirname(manifest);
    return (
      `Agent file ${quoted} imports ${packageInfo.name}, but it is not installed in ` +
      `any node_modules folder from ${dirname(file)} upwards, where Node looks for it. ` +
      `Install it in the agent's project: \`npm install ` +
      `${shellWord(npmInstallArgument(dependencySpecFor()))}\` in ` +
      `${project}; or start a project of your own with \`task-agents init\`.`
    );
  }
  return undefined;
}
