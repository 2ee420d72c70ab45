import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { loadProjectSpec } from "../../backends/local/project-spec.js";
import { checkModule } from "../../codegen/check-module.js";
import { renderModule } from "../../codegen/render-module.js";
import type { ProjectShape } from "../../codegen/project-shape.js";
import { shapeOfProject, shapeOfSpec } from "../../codegen/shape-of-project.js";
import { ConfigurationError, DataInputError } from "../../domain/errors.js";
import { isUuid } from "../../shared/uuid.js";
import { writeJsonLine } from "../output.js";
import type { CommandContext, GlobalOptions, RootCommand } from "../program.js";

const specExtensions = [".json", ".yaml", ".yml"];

/** The command that writes the module again, as the module and drift messages quote it. */
function regenerateCommand(source: string, out: string | undefined, globals: GlobalOptions): string {
  const words = [
    "task-agents",
    "codegen",
    source,
    ...(out === undefined ? [] : ["--out", out]),
    ...(globals.backend === undefined ? [] : ["--backend", globals.backend]),
    ...(globals.store === undefined ? [] : ["--store", globals.store]),
  ];
  // Quoted for a POSIX shell where needed; one line, so the module's header stays a comment.
  return words
    .map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`))
    .join(" ")
    .replace(/[\r\n\u2028\u2029]/g, " ");
}

/** Writes through a temporary file in the same folder, so a reader never sees half a module. */
function writeAtomically(path: string, text: string): void {
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DataInputError(
      "TA_FILE_NOT_FOUND",
      `Cannot write ${JSON.stringify(path)}: folder ${JSON.stringify(folder)} does not exist; create it first or choose another --out.`,
      path,
    );
  }
  const temporary = join(folder, `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new DataInputError("TA_INVALID_ARGUMENT", `Cannot write ${JSON.stringify(path)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, path, {
      cause: error,
    });
  }
}

/** `task-agents codegen <project-hash | spec> [--out FILE] [--check]`. */
export function addCodegenCommand(root: RootCommand, { io, setExitCode, withBackend }: CommandContext): void {
  root
    .command("codegen")
    .description("write a TypeScript module of a project's workflow and ontology, so stage, pathway and ontology names are checked by the compiler")
    .argument("<source>", "a project hash (local store or Encord) or a project spec file (.yaml, .yml, .json)")
    .option("--out <file>", "write the module to this file (default: standard output)")
    .option("--check", "write nothing; exit 1 with the differences when --out's file is not what codegen would write now")
    .addHelpText(
      "after",
      `
The module exports defineProject({ … } as const): every stage (UUID, type), each AGENT stage's
pathways (name, UUID, destination) and the ontology (objects, classifications, attributes,
options with feature node hashes). Give it to new Runner({ project }) or new QueueRunner({ project }):
stage() then accepts only the project's AGENT stages and a handler only its stage's pathways;
labelRow.ontology.getChild(project.ontology.objects.Cat) gives typed ontology nodes. A run whose
project no longer matches the module stops before touching a task. A spec file's module has UUIDs
only where the spec gives them, and fits every project made from the spec.

A project hash is read from Encord when Encord credentials are set and --store is not given
(see task-agents --help), else from the local store.

Examples:
  task-agents codegen examples/demo-project.yaml --out src/demo-project.ts
  task-agents codegen $HASH --out src/project.ts
  task-agents codegen $HASH --out src/project.ts --check     # in CI: exit 1 when out of date`,
    )
    .action(async (source, options, command) => {
      const globals = command.optsWithGlobals();
      if (options.check === true && options.out === undefined) {
        throw new ConfigurationError("TA_INVALID_ARGUMENT", "--check compares a module file with the project: give the file with --out <file>.");
      }
      const codegen = regenerateCommand(source, options.out, globals);
      const shape = await loadShape(source, codegen, globals, withBackend);
      const out = options.out;
      if (out === undefined) {
        io.stdout.write(renderModule(shape));
        return;
      }
      if (options.check === true) {
        if (!existsSync(out)) {
          setExitCode(1);
          report(io.stdout, io.stderr, globals, { file: out, upToDate: false, differences: ["the file does not exist"] }, codegen);
          return;
        }
        const result = checkModule(readFileSync(out, "utf8"), shape);
        if (!result.upToDate) setExitCode(1);
        report(io.stdout, io.stderr, globals, { file: out, upToDate: result.upToDate, differences: result.differences }, codegen, shape.title);
        return;
      }
      writeAtomically(out, renderModule(shape));
      const agentStages = shape.stages.filter((s) => s.type === "AGENT").length;
      const summary = {
        file: out,
        project: shape.title,
        projectHash: shape.projectHash ?? null,
        stages: shape.stages.length,
        agentStages,
        objects: Object.keys(shape.ontology.objects).length,
        classifications: Object.keys(shape.ontology.classifications).length,
      };
      if (globals.json) writeJsonLine(io.stdout, summary);
      else
        io.stderr.write(
          `Wrote ${out}: project ${JSON.stringify(shape.title)}, ${summary.stages} stages (${agentStages}` +
            ` AGENT), ${summary.objects} objects, ${summary.classifications} classifications.\n`,
        );
    });
}

async function loadShape(source: string, codegen: string, globals: GlobalOptions, withBackend: CommandContext["withBackend"]): Promise<ProjectShape> {
  if (specExtensions.includes(extname(source).toLowerCase())) return shapeOfSpec(loadProjectSpec(source), source, codegen);
  if (isUuid(source)) return withBackend(globals, async (backend) => shapeOfProject(await backend.getProject(source), codegen));
  throw new ConfigurationError(
    "TA_INVALID_ARGUMENT",
    `${JSON.stringify(source)} is neither a project hash (a UUID such as ` +
      `"0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b") nor a project spec file (${specExtensions.join(", ")}).`,
  );
}

function report(
  stdout: CommandContext["io"]["stdout"],
  stderr: CommandContext["io"]["stderr"],
  globals: GlobalOptions,
  result: { file: string; upToDate: boolean; differences: readonly string[] },
  codegen: string,
  title?: string,
): void {
  if (globals.json) {
    writeJsonLine(stdout, { ...result, command: codegen });
    return;
  }
  if (result.upToDate) {
    stdout.write(`${result.file} is up to date with project ${JSON.stringify(title)}.\n`);
    return;
  }
  stderr.write(
    `error: ${result.file} is out of date` +
      `${title === undefined ? "" : ` with project ${JSON.stringify(title)}`}:\n` +
      `${result.differences.map((d) => `  - ${d}\n`).join("")}Update it with: ${codegen}\n`,
  );
}
