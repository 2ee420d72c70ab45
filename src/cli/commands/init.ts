import { existsSync, readFileSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { Option } from "@commander-js/extra-typings";
import { loadProjectSpec } from "../../backends/local/project-spec.js";
import { ConfigurationError } from "../../domain/errors.js";
import { writeJsonLine } from "../output.js";
import type { CommandContext, RootCommand } from "../program.js";
import { dependencySpecFor, normaliseFromSpec, ownPackageRoot } from "../init/package-reference.js";
import { scaffoldFiles } from "../init/scaffold-files.js";
import { writeNewFiles } from "../init/write-new-files.js";

const defaultSpec = join(ownPackageRoot, "examples", "demo-project.yaml");

// npm's rules for a package name (lowercase, URL-safe, optionally scoped, at most 214 characters).
const npmName = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;

function checkedName(name: string): string {
  if (name.length <= 214 && npmName.test(name)) return name;
  throw new ConfigurationError(
    "TA_INVALID_ARGUMENT",
    `--name ${JSON.stringify(name)} is not a valid npm package name; accepted: lowercase letters, ` +
      `digits, "-", "." and "_" (not first), optionally with a scope (@scope/name), at most 214 characters.`,
  );
}

/** A package name made from a folder name: "My Agent!" becomes "my-agent". */
function nameFromFolder(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+|-+$/g, "")
    .slice(0, 214);
  return name === "" ? "task-agent" : name;
}

/** A path as the user would type it after `cd`: relative when below the current folder, quoted for the shell when needed. */
function shellPath(dir: string, cwd: string): string {
  const rel = relative(cwd, dir);
  const path = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : dir;
  return /^[\w./@~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

const help = `
The project gets package.json ("type": "module", task-agents as its dependency), tsconfig.json,
agent.ts (a handler for the spec's first AGENT stage returning one of its pathways), the spec,
data/ (three example images), start.mjs, README.md and .gitignore. \`npm start\` makes the
project in the local store (.task-agents/store.db) the first time, adds data/ and runs agent.ts
on it; \`npm test\` does the same on a temporary store. No file is ever replaced: if any of them
exists, nothing is written. init does not run npm install (it needs the network and takes
time): it prints the commands to run.

task-agents is named as this copy was installed: the spec of the project that installed it
from npm, else ~<version>; a checkout or folder as file:<its path>. --from overrides it.

Examples:
  task-agents init my-agent && cd my-agent && npm install && npm start
  task-agents init my-agent --spec my-project.yaml --from ~0.1.0`;

/** `task-agents init [dir]`: a project of the user's own for an agent. */
export function addInitCommand(root: RootCommand, { io }: CommandContext): void {
  root
    .command("init")
    .description("create an agent project of your own: package.json, agent.ts, a project spec and `npm start` to run it on the local store")
    .argument("[dir]", "folder to create the project in (created when missing)", ".")
    .addOption(new Option("--spec <file>", "project spec (YAML or JSON) the example agent is written for (default: the example project's spec)"))
    .addOption(new Option("--name <name>", "npm package name of the project (default: made from the folder's name)"))
    .addOption(
      new Option(
        "--from <npm-spec>",
        "how package.json names task-agents: a folder or .tgz path, a git URL, a tarball URL or a version range (default: where this copy was installed from)",
      ),
    )
    .addHelpText("after", help)
    .action((dirArgument, options, command) => {
      const globals = command.optsWithGlobals();
      const cwd = process.cwd();
      const dir = resolve(cwd, dirArgument);
      const specPath = options.spec === undefined ? defaultSpec : resolve(cwd, options.spec);
      const spec = loadProjectSpec(specPath);
      const stage = spec.stages.find((s) => s.type === "AGENT");
      if (stage === undefined) {
        throw new ConfigurationError(
          "TA_NO_AGENT_STAGES",
          `Project spec ${JSON.stringify(options.spec ?? specPath)} has no AGENT stage, so ` +
            `there is nothing for an agent to do; add a stage with type: AGENT and its pathways.`,
        );
      }
      const name = options.name === undefined ? nameFromFolder(dir) : checkedName(options.name);
      const dependencySpec = options.from === undefined ? dependencySpecFor() : normaliseFromSpec(options.from, cwd);
      const own = JSON.parse(readFileSync(join(ownPackageRoot, "package.json"), "utf8")) as { engines?: { node?: string } };
      const files = scaffoldFiles({ name, dependencySpec, specPath, spec, stage, nodeEngines: own.engines?.node ?? ">=20.19" });
      const existed = existsSync(dir);
      writeNewFiles(dir, files);

      const next = [...(dir === cwd ? [] : [`cd ${shellPath(dir, cwd)}`]), "npm install", "npm start"];
      if (globals.json) {
        writeJsonLine(io.stdout, { dir, name, dependency: dependencySpec, stage: stage.title, files: files.map((f) => f.path), next });
        return;
      }
      io.stdout.write(
        `${existed ? "Wrote" : "Created"} ${dir}: an agent project for stage ${JSON.stringify(stage.title)} of ${JSON.stringify(spec.title)}.\n` +
          files.map((f) => `  ${f.path}\n`).join("") +
          `task-agents comes from ${dependencySpec}.\n\nNext:\n${next.map((line) => `  ${line}\n`).join("")}`,
      );
    });
}
