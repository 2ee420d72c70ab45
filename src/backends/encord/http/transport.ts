import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate } from "node:zlib";

/** One HTTP request exactly as it goes on the wire. */
export interface WireRequest {
  readonly origin: string;
  /** The request target (path and query), sent verbatim. */
  readonly path: string;
  readonly method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | undefined;
}

/** A complete response, its body already decompressed. */
export interface WireResponse {
  readonly status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * How an attempt failed without a usable response: `connect` (nothing reached the server, safe to
 * retry for any method), `network` (connection lost mid-request), `timeout`, `decode` (a body that
 * does not decompress), `fatal` (anything else, e.g. a closed pool: never retried).
 */
export type TransportFailureKind = "connect" | "network" | "timeout" | "decode" | "fatal";

/** An attempt that produced no usable response. */
export class TransportFailure extends Error {
  override name = "TransportFailure";
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const CONNECT_CODES = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A failure of any transport, as a {@link TransportFailure} of the right kind. */
export function classifyTransportError(error: unknown): TransportFailure {
  if (error instanceof TransportFailure) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const kind: TransportFailureKind = code === undefined ? "fatal" : CONNECT_CODES.has(code) ? "connect" : NETWORK_CODES.has(code) ? "network" : "fatal";
  const what = kind === "connect" ? "could not connect" : kind === "network" ? "the connection failed" : "the request failed";
  return new TransportFailure(kind, `${what} (${code ?? "error"}: ${message})`, { cause: error });
}

const decoders: Readonly<Record<string, (data: Buffer) => Promise<Buffer>>> = {
  gzip: promisify(gunzip),
  "x-gzip": promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** Undoes `Content-Encoding` (applied in order, so decoded in reverse). */
export async function decodeBody(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  if (contentEncoding === undefined || body.length === 0) return body;
  const codings = contentEncoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  let out = body;
  for (const coding of codings.reverse()) {
    const decoder = decoders[coding];
    if (decoder === undefined) throw new TransportFailure("decode", `unsupported Content-Encoding ${JSON.stringify(coding)}`);
    try {
      out = await decoder(out);
    } catch (error) {
      throw new TransportFailure("decode", `the ${coding} response body does not decompress`, { cause: error });
    }
  }
  return out;
}
