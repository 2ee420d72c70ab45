import { encodeQuery, pythonJsonDumps, type QueryValue } from "../python-wire.js";
import { authHeaders } from "../signing.js";
import { resolveClientOptions, type EncordHttpClientOptions, type ResolvedEncordHttpClientOptions } from "./client-options.js";
import { traceContext, newTraceId } from "./common-headers.js";
import { encordBase, pathOf, subjectOfPath, templateOf, v1RequestTarget, v2RequestTarget, type EncordBase } from "./encord-url.js";
import { transportError, type FailedCall } from "./error-mapping.js";
import { THROTTLE_STATUSES, type BackOff, type RequestOutcome } from "./back-off.js";
import { RequestGate } from "./request-gate.js";
import { isRetryableMethod, RETRY_STATUSES, retryAfterMs, retryDelayMs } from "./retry-policy.js";
import { v1Result, v2Result } from "./responses.js";
import { HttpTransport } from "./http-transport.js";
import { TransportFailure, type WireRequest, type WireResponse } from "./transport.js";
import { withoutNulls } from "./without-nulls.js";

/** HTTP methods of the v2 API. */
export type EncordHttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** Query parameters of a v2 call: camelCase keys; lists repeat the key, null/undefined are left out. */
export type EncordQuery = Readonly<Record<string, QueryValue>>;

/** Options of {@link EncordHttpClient.v2}. */
export interface V2CallOptions {
  readonly query?: EncordQuery;
  /** Sent as JSON (Python `json.dumps` spacing) with null/undefined fields left out. */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** `false` turns status and mid-request retries off (connect failures are still retried). @defaultValue true */
  readonly allowRetries?: boolean;
}

/** Options of {@link EncordHttpClient.v2Pages}. */
export interface V2PagesOptions {
  readonly signal?: AbortSignal;
  readonly allowRetries?: boolean;
}

/** Whom a v1 call concerns: a project (`/public`) or the key's user (`/public/user`). */
export type V1Scope = { readonly projectHash: string } | "user";

/** The logical verb of a v1 query (the HTTP method is always POST). */
export type V1QueryMethod = "GET" | "POST" | "PUT" | "DELETE";

/** Options of {@link EncordHttpClient.v1}. */
export interface V1CallOptions {
  /** Whether the call may be retried (the SDK flags each operation, §3.3). */
  readonly retryable: boolean;
  readonly signal?: AbortSignal;
}

/** Counters for benchmarks and tests. */
export interface EncordHttpStats {
  /** Attempts sent, retries included. */
  requests: number;
  /** Attempts that were retries. */
  retries: number;
  /** Attempts per endpoint kind: `"GET /v2/public/projects/{id}"`, `"v1 labelrow GET"`. */
  readonly byEndpoint: Map<string, number>;
  /** Throttling answers (429, 503), each of which halved the in-flight window. */
  throttled: number;
}

/** One logical call, ready to send as often as the retry policy allows. */
interface PreparedCall {
  readonly api: "v1" | "v2";
  readonly method: EncordHttpMethod;
  readonly target: string;
  readonly body: Uint8Array | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether statuses and mid-request failures may be retried (connect failures always may). */
  readonly retryable: boolean;
  readonly statsKey: string;
  readonly call: Omit<FailedCall, "retries">;
  readonly signal: AbortSignal | undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * The Encord HTTP client: signs v2 and v1 requests, retries as the Python SDK does, keeps an
 * adaptive cap on requests in flight (halved by 429/503, grown back by successes; a fixed rate
 * only when asked for), and maps failures to {@link EncordApiError}s.
 *
 * @example
 * ```ts
 * const client = new EncordHttpClient({ settings: encordSettingsFromEnv(process.env) });
 * const project = await client.v2<ProjectWire>("GET", `projects/${projectHash}`);
 * await client.close();
 * ```
 */
export class EncordHttpClient {
  /** Attempts sent, retries, attempts per endpoint. */
  readonly stats: EncordHttpStats = { requests: 0, retries: 0, byEndpoint: new Map(), throttled: 0 };
  readonly #options: ResolvedEncordHttpClientOptions;
  readonly #base: EncordBase;
  readonly #transport: HttpTransport;
  readonly #gate: RequestGate;
  readonly #backOffListeners = new Set<(event: BackOff) => void>();
  readonly #requestListeners = new Set<(event: RequestOutcome) => void>();
  #closing: Promise<void> | undefined;
  /** Values never to quote in an error message. */
  readonly #secrets: readonly string[];

  constructor(options: EncordHttpClientOptions) {
    this.#options = resolveClientOptions(options);
    this.#base = encordBase(options.settings.domain);
    const { credentials } = options.settings;
    this.#secrets = credentials.kind === "bearer" ? [credentials.token.reveal()] : [];
    const { connections, maxInFlight, requestsPerSecond, now, sleep } = this.#options;
    this.#transport = new HttpTransport(this.#base.origin, connections);
    this.#gate = new RequestGate(maxInFlight, requestsPerSecond, now, (ms) => sleep(ms));
  }

  /** Requests allowed in flight now: `maxInFlight`, or less after throttling. */
  get window(): number {
    return this.#gate.window;
  }

  /** Calls `listener` on every throttling answer (429, 503); returns the function that stops it. */
  onBackOff(listener: (event: BackOff) => void): () => void {
    this.#backOffListeners.add(listener);
    return () => this.#backOffListeners.delete(listener);
  }

  /** Calls `listener` after every attempt with its endpoint and HTTP status; returns the function that stops it. */
  onRequest(listener: (event: RequestOutcome) => void): () => void {
    this.#requestListeners.add(listener);
    return () => this.#requestListeners.delete(listener);
  }

  /**
   * Counts a request another client made on this one's behalf (the stage reader's thread) and
   * tells this client's listeners, so stats, metrics and the run report cover it.
   */
  relayRequest(event: RequestOutcome): void {
    this.#countAttempt(event.endpoint);
    this.#answered(event);
  }

  /** Counts a throttling answer another client got on this one's behalf, as {@link relayRequest}. */
  relayBackOff(event: BackOff): void {
    this.#backedOff(event);
  }

  #backedOff(event: BackOff): void {
    this.stats.throttled += 1;
    for (const listener of this.#backOffListeners) listener(event);
  }

  #countAttempt(statsKey: string): void {
    this.stats.requests += 1;
    this.stats.byEndpoint.set(statsKey, (this.stats.byEndpoint.get(statsKey) ?? 0) + 1);
  }

  #answered(event: RequestOutcome): void {
    for (const listener of this.#requestListeners) listener(event);
  }

  /** The domain requests go to, normalised (no trailing slash). */
  get domain(): string {
    return this.#base.domain;
  }

  /**
   * A v2 call (`{domain}/v2/public/{path}`). Resolves to the parsed JSON, or `null` for 204 or an
   * empty body; rejects with an {@link EncordApiError}, or with `signal.reason` when aborted.
   */
  async v2<T>(method: EncordHttpMethod, path: string, options: V2CallOptions = {}): Promise<T | null> {
    const target = v2RequestTarget(this.#base, path, options.query === undefined ? "" : encodeQuery(options.query));
    const body = options.body === undefined ? undefined : Buffer.from(pythonJsonDumps(withoutNulls(options.body)), "utf8");
    const endpointPath = pathOf(target);
    const publicPath = endpointPath.slice(this.#base.basePath.length + "/v2/public".length);
    const prepared = this.#prepare({
      api: "v2",
      method,
      target,
      body,
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      retryable: options.allowRetries !== false,
      statsKey: `${method} ${templateOf(endpointPath)}`,
      endpoint: `${method} ${endpointPath}`,
      subject: subjectOfPath(publicPath),
      projectScoped: /(^|\/)projects\/[^/]+/.test(publicPath),
      signal: options.signal,
    });
    const { response, retries } = await this.#exchange(prepared);
    return v2Result(response, { ...prepared.call, retries }, this.#options.now()) as T | null;
  }

  /**
   * The pages of a paged v2 GET (§2.3): yields each page's `results`, following `nextPageToken`
   * (or `next_page_token`) as `pageToken` until it is null.
   */
  async *v2Pages<T>(path: string, query: EncordQuery = {}, options: V2PagesOptions = {}): AsyncGenerator<T[], void, undefined> {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.v2<{ results?: T[] | null; nextPageToken?: string | null; next_page_token?: string | null }>("GET", path, {
        query: pageToken === undefined ? query : { ...query, pageToken },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.allowRetries === undefined ? {} : { allowRetries: options.allowRetries }),
      });
      if (page === null) return;
      yield page.results ?? [];
      const next = page.nextPageToken ?? page.next_page_token ?? null;
      // A token handed out twice would page forever.
      if (next === null || next === "" || seen.has(next)) return;
      seen.add(next);
      pageToken = next;
    }
  }

  /**
   * A v1 query (§3): POST `{domain}/public` (project) or `{domain}/public/user` with the
   * `{query_type, query_method, values: {uid, payload}}` envelope. Resolves to the envelope's
   * `response`; rejects with an {@link EncordApiError} for an error envelope or a `null` result.
   */
  async v1<T>(
    scope: V1Scope,
    queryType: string,
    queryMethod: V1QueryMethod,
    uid: unknown,
    payload: unknown,
    options: V1CallOptions = { retryable: false },
  ): Promise<T> {
    const userScoped = scope === "user";
    const target = v1RequestTarget(this.#base, userScoped);
    const envelope = { query_type: queryType, query_method: queryMethod, values: { uid: uid ?? null, payload: payload ?? null } };
    const prepared = this.#prepare({
      api: "v1",
      method: "POST",
      target,
      body: Buffer.from(pythonJsonDumps(envelope), "utf8"),
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "Accept-Encoding": "gzip",
        ResourceType: userScoped ? "" : "project",
        ResourceID: userScoped ? "" : scope.projectHash,
      },
      retryable: options.retryable,
      statsKey: `v1 ${queryType} ${queryMethod}`,
      endpoint: `POST ${target} (${queryType} ${queryMethod})`,
      subject: userScoped ? `${queryType} result` : `${queryType} result of project ${JSON.stringify(scope.projectHash)}`,
      projectScoped: !userScoped,
      signal: options.signal,
    });
    const { response, retries } = await this.#exchange(prepared);
    return v1Result(response, { ...prepared.call, retries }, queryMethod === "GET", this.#options.now()) as T;
  }

  /** Closes the connection pool; later calls fail. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#transport.close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #prepare(input: {
    api: "v1" | "v2";
    method: EncordHttpMethod;
    target: string;
    body: Uint8Array | undefined;
    headers: Record<string, string>;
    retryable: boolean;
    statsKey: string;
    endpoint: string;
    subject: string;
    projectScoped: boolean;
    signal: AbortSignal | undefined;
  }): PreparedCall {
    const traceId = newTraceId();
    return {
      api: input.api,
      method: input.method,
      target: input.target,
      body: input.body,
      // One trace id for all attempts of a call, so they can be found together.
      headers: { ...input.headers, "User-Agent": this.#options.userAgent, "X-Cloud-Trace-Context": traceContext(traceId) },
      retryable: input.retryable,
      statsKey: input.statsKey,
      call: {
        endpoint: input.endpoint,
        traceId,
        domain: this.#base.domain,
        subject: input.subject,
        projectScoped: input.projectScoped,
        secrets: this.#secrets,
      },
      signal: input.signal,
    };
  }

  /** Throttling answers shrink the in-flight window; answers the server could give grow it back. */
  #adapt(prepared: PreparedCall, response: WireResponse): void {
    if (!THROTTLE_STATUSES.has(response.status)) {
      if (response.status < 500) this.#gate.answered();
      return;
    }
    const window = this.#gate.throttled();
    this.#backedOff({
      status: response.status,
      endpoint: prepared.statsKey,
      retryAfterMs: retryAfterMs(response.status, response.headers["retry-after"], this.#options.now()),
      window,
    });
  }

  /** Sends a call until it gets a final response or the retry policy gives up. */
  async #exchange(prepared: PreparedCall): Promise<{ response: WireResponse; retries: number }> {
    const { maxRetries } = this.#options;
    for (let retries = 0; ; retries++) {
      const outcome = await this.#attempt(prepared, retries);
      const retryable =
        outcome.failure === undefined
          ? prepared.retryable && isRetryableMethod(prepared.method) && RETRY_STATUSES.has(outcome.response.status)
          : outcome.failure.kind === "connect" ||
            (prepared.retryable && isRetryableMethod(prepared.method) && (outcome.failure.kind === "network" || outcome.failure.kind === "timeout"));
      if (!retryable || retries >= maxRetries) {
        if (outcome.failure !== undefined) throw transportError(outcome.failure.message, { ...prepared.call, retries }, outcome.failure);
        return { response: outcome.response, retries };
      }
      const retryAfter =
        outcome.response === undefined ? undefined : retryAfterMs(outcome.response.status, outcome.response.headers["retry-after"], this.#options.now());
      this.stats.retries += 1;
      await this.#options.sleep(retryDelayMs(retries + 1, retryAfter, this.#options), prepared.signal);
    }
  }

  /** One attempt: waits for a slot and a rate token, signs afresh, sends. */
  async #attempt(
    prepared: PreparedCall,
    retries: number,
  ): Promise<{ response: WireResponse; failure?: undefined } | { response?: undefined; failure: TransportFailure }> {
    if (this.#closing !== undefined) throw transportError("the HTTP client is closed", { ...prepared.call, retries });
    const release = await this.#gate.enter(prepared.signal);
    try {
      this.#countAttempt(prepared.statsKey);
      const body = prepared.body ?? EMPTY;
      // Signed per attempt: a retry carries a fresh `created`.
      const auth = authHeaders(
        this.#options.settings.credentials,
        { method: prepared.method, requestTarget: prepared.target, body, api: prepared.api },
        Math.floor(this.#options.now() / 1000),
      );
      const request: WireRequest = {
        origin: this.#base.origin,
        path: prepared.target,
        method: prepared.method,
        headers: { ...prepared.headers, ...auth },
        body: prepared.body,
      };
      const response = await this.#transport.send(request, this.#options.timeoutMs, prepared.signal);
      this.#adapt(prepared, response);
      this.#answered({ endpoint: prepared.statsKey, status: response.status });
      return { response };
    } catch (error) {
      if (error instanceof TransportFailure) {
        this.#answered({ endpoint: prepared.statsKey, status: "transport-error" });
        return { failure: error };
      }
      throw error;
    } finally {
      release();
    }
  }
}
