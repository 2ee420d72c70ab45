import { Option } from "@commander-js/extra-typings";
import type { AddressInfo } from "node:net";
import { ConfigurationError } from "../../domain/errors.js";
import { notificationSecret } from "../../notifications/verify-notification.js";
import { webhookSecretVariable } from "../../notifications/notification-errors.js";
import { createRunLogger } from "../../runner/output/run-logger.js";
import { failedCount, type RunReport } from "../../runner/run-report.js";
import { taskWorkExitCode } from "../../shared/exit-codes.js";
import { loadRunnerFile } from "../load-agent-file.js";
import { noticeAbandonedHandlers } from "../process-end.js";
import { attachBackend, flagsToExecuteOptions, logLevelFrom, portNumber, runnerCommand } from "../run-command.js";
import { RunInterrupts } from "../run-interrupts.js";
import type { CommandContext, GlobalOptions, RootCommand } from "../program.js";

const serveHelp = `
Encord (or \`task-agents notify\` on the local store) posts a signed notification when an agent
stage has work waiting; serve verifies it with the signing secret in ${webhookSecretVariable}
(required), answers at once (202, or 401/413/501/200-ignored) and runs one pass over the
notified stage. Passes for one stage are single flight: while one runs, further notifications
join one follow-up pass. Also served:
  GET /healthz   200 {"status":"ok", stages: last pass, running, pending follow-up}; 503 while stopping
  GET /metrics   Prometheus text format: tasks handled/succeeded/failed/moved per stage and
                 pathway, pass durations, notifications by outcome, backend requests by
                 endpoint and status, back-offs, handlers in flight

SIGTERM or Ctrl-C: stop accepting (new notifications get 503), let the running passes finish
their in-flight tasks within --grace-period and commit, then exit. Exit codes as for run: 0
(also after that stop), 2 when tasks were abandoned during it, 1 configuration error (no
secret, port in use, unknown project…), 130/143 when a second signal forced the stop.

Example:
  ${webhookSecretVariable}=… task-agents serve agent.ts --project-hash $HASH --port 8080`;

/** `task-agents serve <agent-file>`: the notification receiver as a process. */
export function addServeCommand(root: RootCommand, { io, setExitCode }: CommandContext): void {
  const command = runnerCommand("serve")
    .copyInheritedSettings(root)
    .description("receive Encord's task-ready notifications over HTTP and run a pass over each notified stage")
    .argument("<agent-file>", "TypeScript or JavaScript file exporting a Runner")
    .addOption(new Option("--port <n>", "TCP port to listen on (0: any free port)").default(8080).argParser(portNumber("--port")))
    .addOption(new Option("--host <address>", "address to listen on (0.0.0.0 for every interface)").default("127.0.0.1"))
    .addOption(new Option("--path <path>", "where notifications are posted").default("/").argParser(urlPath))
    .addHelpText("after", serveHelp);
  // A receiver runs a pass per notification: these run-only flags are refused, not listed.
  for (const option of command.options) if (option.long === "--refresh-every" || option.long === "--watch") option.hideHelp();
  root.addCommand(
    command.action(async (file, flags, cmd) => {
      const globals = cmd.parent?.opts() as GlobalOptions | undefined;
      const json = flags.json ?? globals?.json === true;
      const given = flags as { refreshEvery?: number; watch?: boolean };
      if (given.refreshEvery !== undefined || given.watch !== undefined) {
        throw new ConfigurationError(
          "TA_INVALID_ARGUMENT",
          "serve runs a pass over a stage for each notification; --refresh-every and --watch are flags of `task-agents run`.",
        );
      }
      const secret = notificationSecret(undefined, io.env);
      const runner = await loadRunnerFile(file, { json });
      const interrupts = new RunInterrupts(io.stderr, json);
      let accepting = true;
      try {
        attachBackend(
          runner,
          { ...flags, store: flags.store ?? globals?.store, backend: flags.backend ?? globals?.backend, ...(json ? { json: true as const } : {}) },
          io,
          io.env,
        );
        runner.streams = io;
        const stages = await runner.handledStages(flags.projectHash);
        const project = runner.project!;
        const logger = createRunLogger(json ? "json" : "human", io.stdout, logLevelFrom(flags, io.env) ?? "info");
        const { TaskMetrics } = await import("../../serve/task-metrics.js");
        const { createServeApp } = await import("../../serve/serve-app.js");
        const { listenOn } = await import("../../serve/metrics-server.js");
        const metrics = new TaskMetrics();
        const stopWatching = metrics.watchBackend(runner.backendInUse);
        const { signal: _signal, output: _output, refreshEvery: _refresh, ...passOptions } = flagsToExecuteOptions(flags, interrupts.signal, io.env);
        // Passes that end once the stop began are the ones it cut short: their failures decide the exit code.
        const cutShort: RunReport[] = [];
        const app = createServeApp(runner, {
          secret,
          path: flags.path,
          project,
          stages,
          runStageOptions: { ...passOptions, signal: interrupts.signal, output: "silent", logger },
          logger,
          metrics,
          accepting: () => accepting,
          onPass: (report) => {
            if (!accepting) cutShort.push(report);
          },
        });
        if (io.installSignalHandlers === true) interrupts.install();
        const server = await listenOn(app.fetch, flags.host, flags.port, "--port or --host");
        const address = server.address() as AddressInfo;
        const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}${flags.path}`;
        const stageList = stages.map((s) => `${JSON.stringify(s.title)} (${s.uuid})`).join(", ");
        logger.info(
          { url, project: project.uuid, stages: stages.map((s) => s.uuid) },
          `listening on ${url} for notifications of ${project.title}: ${stageList}; health at /healthz, metrics at /metrics`,
        );

        await new Promise<void>((resolve) => interrupts.signal.addEventListener("abort", () => resolve(), { once: true }));
        accepting = false;
        logger.info("stopping: new notifications get 503; running passes finish their in-flight tasks and commit");
        await runner.stagePassesIdle();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        stopWatching();
        interrupts.finish();
        if (io.installSignalHandlers === true) noticeAbandonedHandlers(io.stderr, json);
        const failed = cutShort.reduce((sum, report) => sum + failedCount(report), 0);
        logger.info(
          { failedDuringStop: failed },
          `stopped${failed > 0 ? `; ${failed} task${failed === 1 ? "" : "s"} failed or were abandoned while stopping` : ""}`,
        );
        setExitCode(taskWorkExitCode({ failedTasks: failed, forcedBy: interrupts.forcedBy }));
      } finally {
        interrupts.dispose();
        await runner.close();
      }
    }),
  );
}

function urlPath(value: string): string {
  if (!value.startsWith("/") || /[\s?#]/.test(value))
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `--path takes a URL path that starts with "/" and has no spaces, "?" or "#"; got ${JSON.stringify(value)}.`,
    );
  return value;
}
