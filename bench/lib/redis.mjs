// A Redis for the cases that need one, found or started as the tests do
// (test/support/redis-global-setup.ts): REDIS_URL (default redis://127.0.0.1:6379) when it answers
// PING, else a private redis-server without persistence on a free port of 127.0.0.1 (stopped when
// the bench ends), else an error saying how to install one.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";
import { onCleanup } from "./common.mjs";

const defaultUrl = "redis://127.0.0.1:6379";

/** True when a Redis at `url` answers PING within a second; never retries or throws. */
export async function answersPing(url) {
  let client;
  try {
    client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  } catch {
    return false;
  }
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function findRedisServer() {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, "redis-server"))) return join(dir, "redis-server");
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startPrivateRedis(binary) {
  const dir = mkdtempSync(join(tmpdir(), "task-agents-bench-redis-"));
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (output += d));
    let running = true;
    const exited = new Promise((resolve) => child.once("exit", () => resolve()));
    void exited.then(() => (running = false));
    let spawnError;
    child.once("error", (error) => (spawnError = error));
    const deadline = Date.now() + 10_000;
    while (running && !spawnError && Date.now() < deadline) {
      if (await answersPing(url)) {
        onCleanup(async () => {
          if (running) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        });
        return url;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (spawnError) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Cannot start ${binary}: ${spawnError.message}`);
    }
    if (running) {
      child.kill("SIGKILL");
      await exited;
    }
    lastError = output.trim() || `${binary} did not answer PING on port ${port} within 10 s`;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`Cannot start a private redis-server for the bench:\n${lastError}`);
}

let found;
/** The URL of a Redis that answers (found or started once per bench process). */
export function redisUrl() {
  found ??= (async () => {
    const wanted = process.env.REDIS_URL || defaultUrl;
    if (await answersPing(wanted)) return wanted;
    const binary = findRedisServer();
    if (!binary) {
      throw new Error(
        `This case needs Redis (BullMQ wants >= 6.2), but nothing answers at ${wanted} (REDIS_URL) and there is no redis-server on the PATH to start one. ` +
          "Install it, e.g. `apt-get install -y redis-server` (the bench starts a private server itself), or point REDIS_URL at a Redis that answers.",
      );
    }
    const url = await startPrivateRedis(binary);
    process.stderr.write(`(nothing answered at ${wanted}; using a private redis-server at ${url}) `);
    return url;
  })();
  return found;
}
