import { Option } from "@commander-js/extra-typings";
import { selectBackend } from "../../backends/select-backend.js";
import type { QueueRunner } from "../../runner/queue-runner.js";
import type { CommandContext, GlobalOptions, RootCommand } from "../program.js";
import { loadQueueRunnerFile } from "../load-agent-file.js";
import { maxConcurrency } from "../../runner/options.js";
import { durationSeconds, portNumber, positiveInteger } from "../run-command.js";
import { writeJsonLine } from "../output.js";

/**
 * Points the QueueRunner at the backend the global options and the environment choose (Encord
 * when its credentials are set, unless --store or --backend local), unless it has its own and
 * neither --store nor --backend asks for another.
 */
function useStore(queueRunner: QueueRunner, globals: GlobalOptions, env: NodeJS.ProcessEnv, warn: (message: string) => void): void {
  if (globals.store !== undefined || globals.backend !== undefined || !queueRunner.hasOwnBackend) {
    queueRunner.useBackend(selectBackend({ storePath: globals.store, ...(globals.backend === undefined ? {} : { kind: globals.backend }), warn }, env));
  }
}

/** `task-agents queue enqueue|work`. */
export function addQueueCommands(root: RootCommand, { io, setExitCode, warn }: CommandContext): void {
  const queue = root.command("queue").description("spread a QueueRunner's work over processes and machines with BullMQ on Redis (REDIS_URL)");

  queue
    .command("enqueue")
    .description("add one job per task waiting in the QueueRunner's stages (a task already queued is not added twice)")
    .argument("<agent-file>", "TypeScript or JavaScript file exporting a QueueRunner")
    .addOption(new Option("--redis-url <url>", "Redis to use (env: REDIS_URL; default redis://127.0.0.1:6379)"))
    .addOption(new Option("--queue <name>", "queue name (default task-agents-<project hash>)"))
    .addHelpText("after", "\nExample:\n  task-agents queue enqueue examples/agents/prelabel-queue.ts")
    .action(async (file, options, command) => {
      const globals = command.optsWithGlobals();
      const queueRunner = await loadQueueRunnerFile(file, { json: globals.json === true });
      useStore(queueRunner, globals, io.env, (message) => warn(globals, message));
      const { enqueueTasks } = await import("../../queue/index.js");
      try {
        const result = await enqueueTasks(queueRunner, { redisUrl: options.redisUrl ?? (io.env.REDIS_URL || undefined), queueName: options.queue });
        for (const stage of result.stages) {
          if (globals.json) writeJsonLine(io.stdout, { queue: result.queueName, stage: stage.title, stageUuid: stage.uuid, enqueued: stage.enqueued });
          else
            io.stdout.write(
              `Queued ${stage.enqueued} task${stage.enqueued === 1 ? "" : "s"} of stage ${JSON.stringify(stage.title)} on ${result.queueName}.\n`,
            );
        }
      } finally {
        await queueRunner.close();
      }
    });

  queue
    .command("work")
    .description("take jobs from the queue and run the QueueRunner's handlers on them until stopped (Ctrl-C finishes active jobs)")
    .argument("<agent-file>", "TypeScript or JavaScript file exporting a QueueRunner")
    .addOption(new Option("--concurrency <n>", "jobs handled at once by this worker").argParser(positiveInteger("--concurrency", maxConcurrency)).default(1))
    .addOption(new Option("--redis-url <url>", "Redis to use (env: REDIS_URL; default redis://127.0.0.1:6379)"))
    .addOption(new Option("--queue <name>", "queue name (default task-agents-<project hash>)"))
    .addOption(new Option("--exit-when-empty", "stop once the queue has no waiting, delayed or active job"))
    .addOption(
      new Option("--lock-duration <seconds>", "how long a job's lock lasts; a dead worker's jobs go to others after it (default 30)").argParser(
        durationSeconds("--lock-duration"),
      ),
    )
    .addOption(
      new Option("--max-stalled <n>", "how many dead workers a job may outlive before it fails (default 10); rerunning is safe").argParser(
        positiveInteger("--max-stalled"),
      ),
    )
    .addOption(
      new Option("--metrics-port <n>", "serve Prometheus metrics at http://<metrics host>:<n>/metrics while working (0: any free port)").argParser(
        portNumber("--metrics-port"),
      ),
    )
    .addOption(new Option("--metrics-host <address>", "address of the metrics server (default 127.0.0.1)"))
    .addHelpText(
      "after",
      "\nRun one per process or machine against the same Redis; each task is handled by one of " +
        "them.\n\nExit codes: 0 no task failed, 1 configuration error, 2 some tasks or jobs failed, " +
        "130 a second\nCtrl-C (143 for SIGTERM): the first finishes active jobs, the second exits at " +
        "once (its jobs go\nback to the queue when their lock runs out).\n\nExample:\n  " +
        "REDIS_URL=redis://queue-host:6379 task-agents queue " +
        "work examples/agents/prelabel-queue.ts --concurrency 16",
    )
    .action(async (file, options, command) => {
      const globals = command.optsWithGlobals();
      const queueRunner = await loadQueueRunnerFile(file, { json: globals.json === true });
      useStore(queueRunner, globals, io.env, (message) => warn(globals, message));
      try {
        // Loaded here, not at start-up: only queue commands need BullMQ.
        const { runQueueWorker } = await import("../../queue/worker-session.js");
        const code = await runQueueWorker(queueRunner, {
          io,
          json: globals.json === true,
          redisUrl: options.redisUrl ?? (io.env.REDIS_URL || undefined),
          queueName: options.queue,
          concurrency: options.concurrency,
          exitWhenEmpty: options.exitWhenEmpty === true,
          lockDuration: options.lockDuration,
          maxStalledCount: options.maxStalled,
          metricsPort: options.metricsPort,
          metricsHost: options.metricsHost,
        });
        setExitCode(code);
      } finally {
        await queueRunner.close();
      }
    });
}
