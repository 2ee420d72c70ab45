#!/usr/bin/env node
import { agentFileWasLoaded } from "./load-agent-file.js";
import { endProcess } from "./process-end.js";
import { runCli } from "./run-cli.js";

// `task-agents tasks list … | head` closes the pipe early; that is not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// exitCode, not exit(): piped stdout gets flushed before the process ends.
process.exitCode = await runCli(process.argv.slice(2));
// A command that ran an agent file is over once its action returns (the report is out, the
// commit done): what the agent's code left pending (an abandoned handler's timer…) does not
// hold the process. Others end when the event loop empties, as Node does.
if (agentFileWasLoaded()) await endProcess(process.exitCode);
