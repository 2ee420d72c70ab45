import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import type { ProjectSpec, StageSpec } from "../../backends/local/project-spec.js";
import { agentSource } from "./agent-template.js";
import { ownPackageRoot } from "./package-reference.js";

/** One file of a new project: its path relative to the project folder and its content. */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string | Buffer;
}

/** What a new project is made from. */
export interface ScaffoldInput {
  /** The npm package name of the new project. */
  readonly name: string;
  /** How its package.json names task-agents (a version range, `file:<path>`, a URL…). */
  readonly dependencySpec: string;
  /** The spec file the project is created from, copied as it is (comments and all). */
  readonly specPath: string;
  readonly spec: ProjectSpec;
  /** The AGENT stage the example agent handles. */
  readonly stage: StageSpec;
  /** The Node.js versions task-agents runs on, for the new package.json's `engines`. */
  readonly nodeEngines: string;
}

// The package's own examples/ and templates/ are shipped with it (package.json "files").
const exampleData = join(ownPackageRoot, "examples", "data");
const startScript = join(ownPackageRoot, "templates", "agent-project", "start.mjs");

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function packageJson(input: ScaffoldInput): string {
  return json({
    name: input.name,
    version: "0.1.0",
    private: true,
    description: `A task agent for the ${input.spec.title} project`,
    // agent.ts ends with a top-level await, which only an ES module may use.
    type: "module",
    scripts: { start: "node start.mjs", test: "node start.mjs --temporary-store" },
    dependencies: { "task-agents": input.dependencySpec },
    engines: { node: input.nodeEngines },
  });
}

const tsconfig = json({
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
  },
  include: ["*.ts"],
});

const gitignore = `node_modules/
# the local store and the hash of the project npm start made in it
.task-agents/
`;

function readme(input: ScaffoldInput, specFileName: string, dataFiles: readonly string[]): string {
  const pathways = input.stage.pathways.map((p) => `\`${p.name}\``).join(", ");
  return `# ${input.name}

A task agent for the "${input.spec.title}" project, made with \`task-agents init\`.

- \`agent.ts\`: the agent, a handler for the AGENT stage "${input.stage.title}" (pathways: ${pathways}).
- \`${specFileName}\`: the project spec (workflow and ontology) the local project is made from.
- \`data/\`: files added to the project when it is made (${dataFiles.join(", ")}).
- \`start.mjs\`: what \`npm start\` and \`npm test\` run.

\`\`\`sh
npm install
npm start                        # makes the project in .task-agents/store.db the first time, then runs agent.ts on it
npm start -- --concurrency 4     # flags after -- go to \`task-agents run\`
npm test                         # runs agent.ts once on a new temporary store
npx task-agents --help           # every command: tasks list, labels export, project show…
\`\`\`

The project is made once: after changing \`${specFileName}\` or \`data/\`, delete \`.task-agents/\` to
start again. To type-check on the command line: \`npm install --save-dev typescript @types/node\`,
then \`npx tsc\` (tsconfig.json is set up for it).

On Encord, set \`ENCORD_SSH_KEY_FILE\` (or \`ENCORD_SSH_KEY\`) and run
\`npx task-agents run agent.ts --project-hash <your project's hash>\`.
`;
}

/** Every file of a new agent project, in the order they are written. */
export function scaffoldFiles(input: ScaffoldInput): ScaffoldFile[] {
  const specFileName = extname(input.specPath).toLowerCase() === ".json" ? "project.json" : "project.yaml";
  const dataFiles = readdirSync(exampleData)
    .filter((name) => name.endsWith(".png"))
    .sort();
  return [
    { path: "package.json", content: packageJson(input) },
    { path: "tsconfig.json", content: tsconfig },
    { path: ".gitignore", content: gitignore },
    { path: specFileName, content: readFileSync(input.specPath) },
    { path: "agent.ts", content: agentSource(input.stage, specFileName) },
    { path: "start.mjs", content: readFileSync(startScript) },
    { path: "README.md", content: readme(input, specFileName, dataFiles) },
    ...dataFiles.map((name) => ({ path: `data/${name}`, content: readFileSync(join(exampleData, name)) })),
  ];
}
