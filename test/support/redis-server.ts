/**
 * Finding a Redis, or starting a private one, for the queue tests (redis-global-setup.ts) and
 * the BullMQ bench case (bench/lib/redis.mjs):
 *
 * 1. REDIS_URL (default redis://127.0.0.1:6379): used when a PING answers.
 * 2. Otherwise a private `redis-server` on a free port of 127.0.0.1, without persistence, when
 *    the binary is on the PATH; the caller stops it.
 * 3. Otherwise an error saying how to install Redis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";

const defaultUrl = "redis://127.0.0.1:6379";

/** True when a Redis at `url` answers PING within a second; never retries or throws. */
export async function answersPing(url: string): Promise<boolean> {
  let client: Redis;
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

/** The redis-server binary on the PATH, if any. */
function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "redis-server");
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A TCP port of 127.0.0.1 that nothing listened on a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` in the foreground on a free port, with `extraArgs` (e.g. `--requirepass`);
 * resolves once it answers PING (through `pingUrl`, which may add credentials to the URL).
 */
async function startPrivateRedis(binary: string, extraArgs: readonly string[] = [], pingUrl: (url: string) => string = (url) => url): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), "task-agents-redis-"));
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const child = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir, ...extraArgs],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    let running = true;
    void exited.then(() => (running = false));
    const deadline = Date.now() + 10_000;
    while (running && Date.now() < deadline) {
      if (await answersPing(pingUrl(url))) {
        const stop = async () => {
          if (running) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        };
        return { url, stop };
      }
      const early = await Promise.race([spawnError, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100))]);
      if (early) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`Cannot start ${binary}: ${early.message}`);
      }
    }
    await killQuietly(child, exited);
    lastError = output.trim() || `${binary} did not answer PING on port ${port} within 10 s`;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`Cannot start a private redis-server:\n${lastError}`);
}

async function killQuietly(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGKILL");
  await exited;
}

/** A Redis that answers, found or started; `stop` ends a private one (and does nothing otherwise). */
export async function findOrStartRedis(purpose: string): Promise<{ readonly url: string; readonly started: boolean; stop(): Promise<void> }> {
  const wanted = process.env.REDIS_URL || defaultUrl;
  if (await answersPing(wanted)) return { url: wanted, started: false, stop: async () => undefined };
  const binary = findRedisServer();
  if (!binary) {
    throw new Error(
      `${purpose} need Redis (BullMQ wants >= 6.2), but nothing answers at ${wanted} (REDIS_URL) and there is no redis-server on the PATH to start one.\n` +
        "Install it, e.g. `apt-get install -y redis-server` on Debian/Ubuntu (a private server is then started), " +
        "or point REDIS_URL at a Redis that answers.",
    );
  }
  const started = await startPrivateRedis(binary);
  process.stderr.write(`Nothing answered at ${wanted}; ${purpose.toLowerCase()} use a private redis-server at ${started.url}.\n`);
  return { url: started.url, started: true, stop: () => started.stop() };
}

/**
 * A private redis-server that asks for `password` (for the tests of a refused login); its url
 * has no credentials. Fails when redis-server is not on the PATH, as the queue suites do.
 */
export async function startRedisWithPassword(password: string): Promise<PrivateRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error("This test needs redis-server on the PATH (e.g. `apt-get install -y redis-server`) to start a Redis that asks for a password.");
  return startPrivateRedis(binary, ["--requirepass", password], (url) => url.replace("redis://", `redis://:${password}@`));
}
