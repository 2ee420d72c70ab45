import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigurationError } from "../../domain/errors.js";
import { packageInfo } from "../../shared/package-info.js";

/** The folder of the running copy of task-agents (src/cli/init and dist/cli/init sit three levels below it). */
export const ownPackageRoot = fileURLToPath(new URL("../../../", import.meta.url)).replace(/[\\/]$/, "");

const dependencyFields = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

/** A spec naming a file or folder rather than a registry version or a URL. */
function isPathSpec(spec: string): boolean {
  return spec.startsWith("file:") || spec.startsWith(".") || isAbsolute(spec);
}

/** `file:<absolute path>` for a path spec written relative to `base`. */
function absoluteFileSpec(spec: string, base: string): string {
  return `file:${resolve(base, spec.replace(/^file:/, ""))}`;
}

/** What the package.json of the project that installed `root` into its node_modules says about task-agents. */
function installerSpec(root: string): string | undefined {
  const installer = dirname(dirname(root));
  const manifestPath = join(installer, "package.json");
  if (!existsSync(manifestPath)) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    return undefined;
  }
  for (const field of dependencyFields) {
    const spec = (manifest as Record<string, Record<string, unknown> | undefined>)[field]?.[packageInfo.name];
    if (typeof spec === "string" && spec.trim() !== "") return isPathSpec(spec) ? absoluteFileSpec(spec, installer) : spec;
  }
  return undefined;
}

/**
 * How a new project's package.json names the copy of task-agents at `root`, so that `npm install`
 * there gets this same copy: installed by npm (it sits in a node_modules folder), the spec the
 * installing project used, else a range of this version; a checkout or any other folder,
 * `file:<root>` (npm links such a folder, which costs no download).
 */
export function dependencySpecFor(root: string = ownPackageRoot, version: string = packageInfo.version): string {
  if (basename(dirname(root)) === "node_modules") return installerSpec(root) ?? `~${version}`;
  return `file:${root}`;
}

const accepted = "accepted: a folder or .tgz file of task-agents, a git URL, a tarball URL, or a version or range such as 0.1.0 or ~0.1.0";

/**
 * Checks a `--from` value and makes it usable from another folder: a path becomes
 * `file:<absolute path>` (npm reads a relative one from the new package.json's folder, not from
 * where the user typed it) and must exist; `task-agents@x` is taken as `x`; anything else (a
 * version, a range, a git or tarball URL) goes to npm as given.
 */
export function normaliseFromSpec(from: string, cwd: string): string {
  const spec = from.trim().replace(new RegExp(`^${packageInfo.name}@`), "");
  if (spec === "") throw new ConfigurationError("TA_INVALID_ARGUMENT", `--from is empty; ${accepted}.`);
  if (!isPathSpec(spec)) return spec;
  const fileSpec = absoluteFileSpec(spec, cwd);
  const path = fileSpec.slice("file:".length);
  if (!existsSync(path)) throw new ConfigurationError("TA_INVALID_ARGUMENT", `--from ${JSON.stringify(from)}: ${path} does not exist; ${accepted}.`);
  if (statSync(path).isDirectory()) {
    const manifestPath = join(path, "package.json");
    let name: unknown;
    try {
      name = (JSON.parse(readFileSync(manifestPath, "utf8")) as { name?: unknown }).name;
    } catch {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `--from ${JSON.stringify(from)}: ${path} has no readable package.json, so it is not a copy of ${packageInfo.name}; ${accepted}.`,
      );
    }
    if (name !== packageInfo.name) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `--from ${JSON.stringify(from)}: the package in ${path} is ${JSON.stringify(name)}, not ${JSON.stringify(packageInfo.name)}; ${accepted}.`,
      );
    }
  }
  return fileSpec;
}

/** The argument of `npm install` that installs the copy a spec names (a version needs the package name). */
export function npmInstallArgument(spec: string): string {
  if (spec.startsWith("file:")) return spec.slice("file:".length);
  return /^[~^<>=\d*]|^latest$/.test(spec) ? `${packageInfo.name}@${spec}` : spec;
}
