import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { ConfigurationError } from "../domain/errors.js";
import type { TaskMetrics } from "./task-metrics.js";

/** A started metrics server: its URL and how to stop it. */
export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) for a process that has no HTTP server of its
 * own (`queue work --metrics-port`). A port that cannot be listened on is a configuration error.
 */
export async function startMetricsServer(metrics: TaskMetrics, host: string, port: number): Promise<MetricsServer> {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    const { body, contentType } = await metrics.exposition();
    return c.body(body, 200, { "Content-Type": contentType });
  });
  const server = await listenOn(app.fetch, host, port);
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Starts a Node HTTP server for `fetch`; a port in use or an address not of this machine is a clear error. */
export function listenOn(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number, flag = "--port"): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "EADDRINUSE"
          ? "is in use"
          : error.code === "EADDRNOTAVAIL"
            ? "is not an address of this machine"
            : error.code === "EACCES"
              ? "needs privileges this process lacks"
              : `cannot be listened on (${error.code ?? error.message})`;
      reject(new ConfigurationError("TA_INVALID_ARGUMENT", `Port ${port} on ${host} ${why}; choose another with ${flag}.`));
    });
  });
}
