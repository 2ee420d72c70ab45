import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { classifyTransportError, decodeBody, TransportFailure, type WireRequest, type WireResponse } from "./transport.js";

/**
 * Idle kept-alive connections are closed after this long, before a load balancer's idle timeout
 * (commonly 60 s) can close one just as a request is written to it.
 */
const idleSocketTimeoutMs = 30_000;

/**
 * Sends attempts over Node's own HTTP client, with a pool of kept-alive connections to one origin.
 * Node's client spends about half the CPU per request of undici's `Dispatcher.request` on a run's
 * hundreds of small JSON calls (docs/encord-requests.md, "Where the time goes"), and on two cores a
 * run is bound by the client's CPU as much as by the server.
 */
export class HttpTransport {
  readonly #agent: HttpAgent;
  readonly #send: typeof httpRequest;
  readonly #host: string;
  readonly #port: string;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(origin: string, connections: number) {
    const url = new URL(origin);
    const secure = url.protocol === "https:";
    // LIFO: the connection used last is the one least likely to have been closed by the server.
    const options = { keepAlive: true, maxSockets: connections, maxFreeSockets: connections, scheduling: "lifo" as const, timeout: idleSocketTimeoutMs };
    this.#agent = secure ? new HttpsAgent(options) : new HttpAgent(options);
    this.#send = secure ? httpsRequest : httpRequest;
    this.#host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.#port = url.port;
  }

  /**
   * Sends one attempt and reads the whole response within `timeoutMs`. Rejects with
   * `signal.reason` when `signal` aborts, and with a {@link TransportFailure} for every other failure.
   */
  send(request: WireRequest, timeoutMs: number, signal?: AbortSignal): Promise<WireResponse> {
    signal?.throwIfAborted();
    const attempt = this.#attempt(request, timeoutMs, signal);
    this.#inFlight.add(attempt);
    const forget = (): void => void this.#inFlight.delete(attempt);
    attempt.then(forget, forget);
    return attempt;
  }

  /** Waits for the attempts in flight to end, then closes every connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    this.#agent.destroy();
  }

  #attempt(request: WireRequest, timeoutMs: number, signal: AbortSignal | undefined): Promise<WireResponse> {
    return new Promise<WireResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: unknown, response?: WireResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (response === undefined) {
          outgoing.destroy();
          // An abort rejects with the caller's own reason, as fetch does.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
        } else resolve(response);
      };
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers["Content-Length"] = String(request.body.byteLength);
      const outgoing = this.#send({
        agent: this.#agent,
        host: this.#host,
        ...(this.#port === "" ? {} : { port: this.#port }),
        method: request.method,
        path: request.path,
        headers,
      });
      const timer = setTimeout(() => finish(new TransportFailure("timeout", `no complete response within ${timeoutMs / 1000} s`)), timeoutMs);
      timer.unref();
      const onAbort = (): void => finish(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      outgoing.on("error", (error) => finish(classifyTransportError(error)));
      outgoing.on("response", (incoming: IncomingMessage) => {
        const parts: Buffer[] = [];
        incoming.on("data", (part: Buffer) => parts.push(part));
        incoming.on("error", (error) => finish(classifyTransportError(error)));
        incoming.on("aborted", () => finish(new TransportFailure("network", "the connection failed (the response was cut short)")));
        incoming.on("end", () => {
          const responseHeaders = flattenHeaders(incoming.headers);
          const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          decodeBody(body, responseHeaders["content-encoding"]).then(
            (decoded) => finish(undefined, { status: incoming.statusCode ?? 0, headers: responseHeaders, body: decoded }),
            (error: unknown) => finish(error),
          );
        });
      });
      outgoing.end(request.body === undefined ? undefined : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength));
    });
  }
}

/** Lower-cased names (as Node gives them); repeated headers joined with ", ". */
function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
