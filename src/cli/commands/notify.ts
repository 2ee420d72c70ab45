import { InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { ConfigurationError } from "../../domain/errors.js";
import { runOfflineNotifier, type NotifierEvent } from "../../notifications/offline-notifier.js";
import { maxTimerSeconds } from "../../runner/options.js";
import { exitCodes } from "../../shared/exit-codes.js";
import { writeJsonLine } from "../output.js";
import type { CommandContext, RootCommand } from "../program.js";
import { number } from "../run-command.js";

/** Encord re-evaluates agent stages about every 5 minutes; `notify` does the same by default. */
const defaultEverySeconds = 300;

function everySeconds(value: string): number {
  const seconds = number("--every")(value);
  if (seconds <= 0 || seconds > maxTimerSeconds) {
    throw new InvalidArgumentError(`--every takes a number of seconds more than 0 and at most ${maxTimerSeconds}, got ${JSON.stringify(value)}.`);
  }
  return seconds;
}

const seconds = (s: number) => `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;

function describeEvent(event: NotifierEvent): { stdout?: string; stderr?: string } {
  switch (event.kind) {
    case "delivered":
      return {
        stdout:
          `Notified stage ${JSON.stringify(event.stageTitle)} (${event.reason}, ${event.pendingCount}` +
          ` pending): ${event.url} answered ${event.outcome.status} (uid ${event.uid}).\n`,
      };
    case "delivery-failed":
      return { stderr: `error: notification for stage ${JSON.stringify(event.stageTitle)} to ${event.url} failed: ${event.outcome.problem}.\n` };
    case "not-due": {
      const waited = event.oldestWaitSeconds === null ? "" : `; oldest waited ${seconds(event.oldestWaitSeconds)} of ${event.maxWaitSeconds} s`;
      return { stderr: `Stage ${JSON.stringify(event.stageTitle)}: not due (${event.pendingCount} pending, batch size ${event.batchSize}${waited}).\n` };
    }
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled notifier event ${JSON.stringify(unreachable)}`);
    }
  }
}

function eventJson(event: NotifierEvent): Record<string, unknown> {
  const base = { event: event.kind, cycle: event.cycle, stage: event.stageTitle, stageUuid: event.stageUuid, pendingCount: event.pendingCount };
  if (event.kind === "not-due")
    return { ...base, oldestWaitSeconds: event.oldestWaitSeconds, batchSize: event.batchSize, maxWaitSeconds: event.maxWaitSeconds };
  return {
    ...base,
    url: event.url,
    uid: event.uid,
    reason: event.reason,
    status: event.outcome.status,
    ...(event.outcome.ok ? {} : { problem: event.outcome.problem }),
  };
}

/** `task-agents notify <hash>`: Encord's agent-stage notifications, sent from the local store. */
export function addNotifyCommand(root: RootCommand, { io, setExitCode, withLocalBackend }: CommandContext): void {
  root
    .command("notify")
    .description(
      "send the signed notifications Encord would send for a local project's AGENT " +
        "stages that have notify settings, to test a receiver offline (local store only)",
    )
    .argument("<hash>", "project hash")
    .addOption(
      new Option("--every <seconds>", `seconds from one cycle's start to the next (default ${defaultEverySeconds}, Encord's cycle)`).argParser(everySeconds),
    )
    .addOption(new Option("--once", "one cycle, then exit: 0 when every notification got a 2xx answer, else 1"))
    .addHelpText(
      "after",
      `
Each cycle looks at every AGENT stage whose spec has
  notify: { url, secret | secretEnv, batchSize, maxWaitSeconds }
and POSTs a signed notification (X-Encord-Timestamp, X-Encord-Signature) to its url when the
stage holds batchSize tasks or more (reason batch_size_reached) or a task has waited longer
than maxWaitSeconds (max_wait_elapsed). Every delivery has a fresh uid; a stage with work left
is notified again the next cycle. Each request may take 30 s. Without --once it runs until
Ctrl-C, then exits 0 when every notification got a 2xx answer, else 1.

Examples:
  task-agents notify $HASH --once
  RECEIVER_SECRET=… task-agents notify $HASH --every 10`,
    )
    .action(async (hash, options, command) => {
      const globals = command.optsWithGlobals();
      if (options.once && options.every !== undefined) {
        throw new ConfigurationError(
          "TA_INVALID_ARGUMENT",
          "--once and --every cannot be combined: --once sends one cycle and exits, --every repeats cycles until Ctrl-C. Choose one.",
        );
      }
      await withLocalBackend("notify", globals, async (backend) => {
        const project = await backend.getProject(hash);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        if (io.installSignalHandlers === true) {
          // Once: a second Ctrl-C, should the first not end things soon enough, ends the process.
          process.once("SIGINT", onSignal);
          process.once("SIGTERM", onSignal);
        }
        try {
          const everyMs = options.once ? undefined : (options.every ?? defaultEverySeconds) * 1000;
          let announced = false;
          const summary = await runOfflineNotifier({
            projectHash: project.uuid,
            readStages: () => backend.notifyingStages(project.uuid),
            env: io.env,
            signal: stop.signal,
            ...(everyMs === undefined ? {} : { everyMs }),
            onEvent: (event) => {
              if (!announced && everyMs !== undefined && !globals.json) {
                io.stderr.write(`Notifying for project ${JSON.stringify(project.title)} every ${everyMs / 1000} s; Ctrl-C stops.\n`);
              }
              announced = true;
              if (globals.json) return void writeJsonLine(io.stdout, eventJson(event));
              const text = describeEvent(event);
              if (text.stdout) io.stdout.write(text.stdout);
              if (text.stderr) io.stderr.write(text.stderr);
            },
          });
          if (globals.json) writeJsonLine(io.stdout, { event: "finished", ...summary });
          else
            io.stderr.write(
              `${summary.delivered + summary.failed} notification` +
                `${summary.delivered + summary.failed === 1 ? "" : "s"} sent in ${summary.cycles} cycle` +
                `${summary.cycles === 1 ? "" : "s"}${summary.failed > 0 ? `; ${summary.failed} failed` : ""}.\n`,
            );
          // 1, as for any problem a person must fix: here the receiver or its URL.
          setExitCode(summary.failed > 0 ? exitCodes.usageError : exitCodes.ok);
        } finally {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        }
      });
    });
}
