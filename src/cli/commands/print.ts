import { arch, platform, release } from "node:os";
import { hasEncordCredentials, parseDomain } from "../../backends/encord/settings.js";
import { readLocalStoreInfo } from "../../backends/local/store-info.js";
import { resolveStorePath } from "../../backends/local/store-path.js";
import { isAgentStage } from "../../domain/workflow.js";
import { packageInfo } from "../../shared/package-info.js";
import { writeJsonLine } from "../output.js";
import type { CommandContext, RootCommand } from "../program.js";

/** `task-agents print agent-nodes|system-info`. */
export function addPrintCommands(root: RootCommand, { io, withBackend }: CommandContext): void {
  const print = root.command("print").description("print facts useful when writing agents or reporting problems");

  print
    .command("agent-nodes")
    .description("print a project's AGENT stages with their pathways, and how to register a handler for each (local store or Encord)")
    .argument("<hash>", "project hash")
    .addHelpText(
      "after",
      "\nOn Encord when ENCORD_SSH_KEY, ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN " +
        "is set\n(ENCORD_DOMAIN optional) and --store is not given; see task-agents " +
        "--help.\n\nExamples:\n  task-agents print agent-nodes $HASH\n  " +
        "ENCORD_SSH_KEY_FILE=~/.ssh/id_ed25519 task-agents print agent-nodes $ENCORD_PROJECT_HASH",
    )
    .action(async (hash, _options, command) => {
      const globals = command.optsWithGlobals();
      await withBackend(globals, async (backend) => {
        const project = await backend.getProject(hash);
        const agents = project.stages.filter(isAgentStage);
        const titleById = new Map(project.stages.map((s) => [s.uuid, s.title]));
        if (globals.json) {
          for (const stage of agents) {
            writeJsonLine(io.stdout, {
              uuid: stage.uuid,
              title: stage.title,
              pathways: stage.pathways.map((p) => ({
                uuid: p.uuid,
                name: p.name,
                destinationUuid: p.destinationUuid,
                destinationTitle: titleById.get(p.destinationUuid),
              })),
            });
          }
          return;
        }
        if (agents.length === 0) {
          io.stdout.write(`Project ${JSON.stringify(project.title)} has no AGENT stages; add one to its workflow to run agents on it.\n`);
          return;
        }
        const blocks = agents.map((stage) => {
          const pathways = stage.pathways.map((p) => `    ${p.name} ──▶ ${titleById.get(p.destinationUuid) ?? p.destinationUuid}  (${p.uuid})`);
          return [
            `AgentStage ${JSON.stringify(stage.title)}`,
            `  uuid: ${stage.uuid}`,
            `  pathways:`,
            ...pathways,
            `  handler:`,
            `    runner.stage(${JSON.stringify(stage.title)}, async ({ task }) => ${JSON.stringify(stage.pathways[0]?.name ?? null)});`,
          ].join("\n");
        });
        io.stdout.write(blocks.join("\n\n") + "\n");
      });
    });

  print
    .command("system-info")
    .description("print versions of task-agents, Node.js, SQLite and the platform, where the store is, and which backend print, tasks list and run use")
    .addHelpText("after", "\nExample:\n  task-agents print system-info --json")
    .action((_options, command) => {
      const globals = command.optsWithGlobals();
      const store = readLocalStoreInfo(resolveStorePath(globals.store, io.env));
      // Which backend selectBackend would pick; the key itself is not read here.
      const backend = globals.backend ?? (globals.store === undefined && hasEncordCredentials(io.env) ? "encord" : "local");
      let encordDomain: string | null = null;
      if (backend === "encord") {
        try {
          encordDomain = parseDomain(io.env.ENCORD_DOMAIN);
        } catch {
          encordDomain = "invalid ENCORD_DOMAIN";
        }
      }
      const info = {
        taskAgents: packageInfo.version,
        node: process.versions.node,
        platform: `${platform()} ${release()} ${arch()}`,
        sqlite: store.sqliteVersion,
        betterSqlite3: store.betterSqlite3Version,
        store: store.storePath,
        storeExists: store.storeExists,
        storeSchemaVersion: store.storeSchemaVersion,
        supportedSchemaVersion: store.supportedSchemaVersion,
        backend,
        encordDomain,
      };
      if (globals.json) {
        writeJsonLine(io.stdout, info);
        return;
      }
      const width = Math.max(...Object.keys(info).map((k) => k.length));
      io.stdout.write(
        Object.entries(info)
          .map(([k, v]) => `${k.padEnd(width)}  ${v === null ? "-" : String(v)}`)
          .join("\n") + "\n",
      );
    });
}
