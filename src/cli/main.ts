#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// `task-agents tasks list … | head` closes the pipe early; that is not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// exitCode, not exit(): piped stdout gets flushed before the process ends.
process.exitCode = await runCli(process.argv.slice(2));
