import { existsSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { StoreConnection } from "../backends/local/database.js";
import { LocalBackend } from "../backends/local/local-backend.js";
import { ConfigurationError, isTaskAgentsError } from "../domain/errors.js";
import { listenOn } from "../serve/metrics-server.js";
import { createUiApp } from "./app.js";
import type { UiContext } from "./context.js";
import { isLoopbackHost } from "./security/request-checks.js";

/** Environment variable of the access token (the same as --token). */
export const uiTokenVariable = "TASK_AGENTS_UI_TOKEN";

/** Shortest access token accepted: a guessable one would open the store to the network. */
export const minTokenLength = 16;

/** Options of {@link startUi}. */
export interface StartUiOptions {
  readonly storePath: string;
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly token?: string;
  readonly readOnly?: boolean;
  readonly agentFile?: string;
  readonly logger: Logger;
}

/** A started dashboard: where it answers and how to stop it. */
export interface RunningUi {
  readonly url: string;
  readonly context: UiContext;
  close(): Promise<void>;
}

/**
 * Checks what a dashboard is started with before anything listens: a store that exists, an
 * agent file that exists, and an access token whenever the address is not loopback.
 */
export function checkUiOptions(options: Omit<StartUiOptions, "logger">): void {
  if (!isLoopbackHost(options.host) && options.token === undefined) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `--host ${options.host} would serve the dashboard, which reads and changes the store, ` +
        `beyond this machine; that needs an access token: --token <secret> or ${uiTokenVariable}` +
        ` (at least ${minTokenLength} characters). Without a token the accepted addresses ` +
        `are 127.0.0.1 (the default), other 127.x.x.x addresses, ::1 and localhost.`,
    );
  }
  if (options.token !== undefined && options.token.length < minTokenLength) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `The access token (--token or ${uiTokenVariable}) has ${options.token.length} ` +
        `characters; use at least ${minTokenLength}, e.g. from \`openssl rand -hex 16\`.`,
    );
  }
  if (options.storePath !== ":memory:" && !existsSync(options.storePath)) {
    throw new ConfigurationError(
      "TA_NO_STORE",
      `There is no task-agents store at ${JSON.stringify(options.storePath)}` +
        `. The dashboard shows an existing store: point --store or TASK_AGENTS_STORE ` +
        `at one, or make one with \`task-agents project create <spec>\`.`,
    );
  }
  if (options.agentFile !== undefined && !(existsSync(options.agentFile) && statSync(options.agentFile).isFile())) {
    throw new ConfigurationError(
      "TA_FILE_NOT_FOUND",
      `--agent ${JSON.stringify(options.agentFile)} is not a file; give the TypeScript or JavaScript file that exports your Runner.`,
    );
  }
}

/**
 * Opens the store's page connection: read-only when it can be read as it is; a store an older
 * task-agents wrote is upgraded first (as any command that writes does) unless `readOnly`.
 */
function openPageConnection(storePath: string, readOnly: boolean): StoreConnection {
  const connection = StoreConnection.open(storePath, "read");
  try {
    connection.use("read");
  } catch (error) {
    if (readOnly || !isTaskAgentsError(error) || error.code !== "TA_STORE_OUTDATED") {
      connection.close();
      throw error;
    }
    connection.use("write");
  }
  return connection;
}

/** Starts the dashboard server on `host:port` for the store; resolves once it listens. */
export async function startUi(options: StartUiOptions): Promise<RunningUi> {
  checkUiOptions(options);
  const connection = openPageConnection(options.storePath, options.readOnly === true);
  const backend = new LocalBackend({ storePath: options.storePath });
  const context: UiContext = {
    storePath: options.storePath,
    db: connection.db,
    backend,
    readOnly: options.readOnly === true,
    agentFile: options.agentFile,
    logger: options.logger,
  };
  const closeStore = async () => {
    await backend.close();
    connection.close();
  };
  let server;
  try {
    const app = createUiApp({ context, host: options.host, ...(options.token === undefined ? {} : { token: options.token }) });
    server = await listenOn(app.fetch, options.host, options.port, "--port or --host");
  } catch (error) {
    await closeStore();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    context,
    close: async () => {
      // Open event streams would keep close() waiting for ever.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeStore();
    },
  };
}
