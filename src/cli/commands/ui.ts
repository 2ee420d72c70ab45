import { Option } from "@commander-js/extra-typings";
import { resolveStorePath } from "../../backends/local/store-path.js";
import { createRunLogger } from "../../runner/output/run-logger.js";
import { portNumber } from "../run-command.js";
import type { CommandContext, GlobalOptions, RootCommand } from "../program.js";

const uiHelp = `
Pages (each a stable URL): /projects, /projects/<hash> (the workflow graph, counts live),
/projects/<hash>/stages/<stage uuid> (tasks, 100 a page; failures of AGENT stages),
/projects/<hash>/tasks/<task uuid> (every label drawn over the image or video frame; keys s, a,
r submit, approve, reject; j, k next and previous task; with --agent, run or dry-run the agent on
an AGENT-stage task), /runs and /runs/<id> (runs recorded in the store).

Security: listens on 127.0.0.1 unless --host says otherwise; any other address needs an access
token (--token or TASK_AGENTS_UI_TOKEN, at least 16 characters), which every request must then
carry: open the dashboard once with ?token=<token> at the end of its URL and a cookie keeps it.
The token is never printed. Ctrl-C or SIGTERM stops the server.

Examples:
  task-agents ui --store demo.db
  TASK_AGENTS_UI_TOKEN=$(openssl rand -hex 16) task-agents ui --host 0.0.0.0 --read-only`;

/** `task-agents ui`: the local web dashboard of a store. */
export function addUiCommand(root: RootCommand, { io }: CommandContext): void {
  root
    .command("ui")
    .description("start the web dashboard of the local store: workflows, tasks, labels and runs")
    .addOption(new Option("--port <n>", "TCP port to listen on (0: any free port)").default(4321).argParser(portNumber("--port")))
    .addOption(new Option("--host <address>", "address to listen on; anything but loopback needs --token").default("127.0.0.1"))
    .addOption(new Option("--store <path>", "store file (env: TASK_AGENTS_STORE; default ./.task-agents/store.db)"))
    .addOption(new Option("--read-only", "show the store only: no page offers or accepts an action"))
    .addOption(new Option("--agent <file>", "agent file (exporting a Runner) for the task page's run and dry-run actions"))
    .addOption(new Option("--token <secret>", "access token every request must carry (env: TASK_AGENTS_UI_TOKEN); required for a non-loopback --host"))
    .option("--json", "print the URL and log lines as JSON")
    .addHelpText("after", uiHelp)
    .action(async (flags, cmd) => {
      const globals = cmd.parent?.opts() as GlobalOptions | undefined;
      const json = flags.json ?? globals?.json === true;
      const { startUi, uiTokenVariable } = await import("../../ui/start-ui.js");
      const token = flags.token ?? (io.env[uiTokenVariable] || undefined);
      const logger = createRunLogger(json ? "json" : "human", io.stderr, "info");
      const ui = await startUi({
        storePath: resolveStorePath(flags.store ?? globals?.store, io.env),
        host: flags.host,
        port: flags.port,
        ...(token === undefined ? {} : { token }),
        readOnly: flags.readOnly === true,
        ...(flags.agent === undefined ? {} : { agentFile: flags.agent }),
        logger,
      });
      const access = token === undefined ? "" : " (add ?token=<your token> once; a cookie keeps it)";
      io.stdout.write(
        json
          ? `${JSON.stringify({ url: ui.url, store: ui.context.storePath, readOnly: ui.context.readOnly })}\n`
          : `task-agents dashboard of ${ui.context.storePath} at ${ui.url}${access}${ui.context.readOnly ? ", read-only" : ""}; Ctrl-C stops it\n`,
      );
      if (io.installSignalHandlers !== true) return ui.close();
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await ui.close();
    });
}
