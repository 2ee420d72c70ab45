#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// exitCode, not exit(): piped stdout gets flushed before the process ends.
process.exitCode = await runCli(process.argv.slice(2));
