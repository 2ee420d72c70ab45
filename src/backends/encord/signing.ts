/**
 * Encord request authentication (docs/encord-protocol.md §1.4–1.6): the v2 HTTP-message signature
 * (label `encord-sig`, covering method, request target and content digest), the v1
 * `Authorization: <pubkey hex>:<sig hex>` header, the bearer alternative, and verifiers of both
 * schemes for the fake Encord server used by the tests.
 */
import { createHash, timingSafeEqual, verify as cryptoVerify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { ConfigurationError } from "../../domain/errors.js";
import type { EncordCredentials } from "./settings.js";
import { ed25519PublicKeyFromHex } from "./ssh-key.js";
import type { Ed25519Key } from "./ssh-key.js";

/** The one signature label the SDK uses. */
export const signatureLabel = "encord-sig";
/** The SDK backdates `created` by this many seconds (a clock-skew workaround). */
export const createdSkewSeconds = 30;

/** A type alias (not an interface) so that it fits `Record<string, string>` and `HeadersInit`. */
export type V2SignatureHeaders = {
  readonly "Content-Digest": string;
  readonly "Signature-Input": string;
  readonly Signature: string;
};

/** `sha-256=:<base64 of SHA-256(body)>:` */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

/** `("@method" "@request-target" "content-digest");created=<int>;keyid="<hex>";alg="ed25519"` */
export function signatureParamsV2(created: number, keyId: string): string {
  return `("@method" "@request-target" "content-digest");created=${created};keyid="${keyId}";alg="ed25519"`;
}

export interface SignatureBaseInput {
  readonly method: string;
  /** Path plus `?query` exactly as sent (`/v2/public/...`); just the path when there is no query. */
  readonly requestTarget: string;
  readonly contentDigest: string;
  /** The {@link signatureParamsV2} string. */
  readonly signatureParams: string;
}

/** The four `\n`-joined lines that are signed (no trailing newline); the method is uppercased. */
export function signatureBaseV2(input: SignatureBaseInput): string {
  return [
    `"@method": ${input.method.toUpperCase()}`,
    `"@request-target": ${input.requestTarget}`,
    `"content-digest": ${input.contentDigest}`,
    `"@signature-params": ${input.signatureParams}`,
  ].join("\n");
}

export interface SignV2Input {
  readonly method: string;
  readonly requestTarget: string;
  /** The exact body bytes sent; empty for GET/DELETE. */
  readonly body: Uint8Array;
  readonly key: Ed25519Key;
  /** Unix seconds; defaults to the clock. `created` is this minus 30. */
  readonly nowSeconds?: number;
}

/** The three v2 signature headers for one request (§1.4). No `Authorization` header goes with them. */
export function signV2(input: SignV2Input): V2SignatureHeaders {
  assertRequestTarget(input.requestTarget);
  const now = Math.floor(input.nowSeconds ?? Date.now() / 1000);
  const digest = contentDigest(input.body);
  const params = signatureParamsV2(now - createdSkewSeconds, input.key.publicKeyHex);
  const base = signatureBaseV2({ method: input.method, requestTarget: input.requestTarget, contentDigest: digest, signatureParams: params });
  const signature = input.key.sign(Buffer.from(base, "utf8")).toString("base64");
  return {
    "Content-Digest": digest,
    "Signature-Input": `${signatureLabel}=${params}`,
    Signature: `${signatureLabel}=:${signature}:`,
  };
}

/** The v1 `Authorization` value: `<pubkey hex>:<hex of Ed25519(SHA-256(body))>` (§1.5). */
export function signV1(body: Uint8Array, key: Ed25519Key): string {
  const digest = createHash("sha256").update(body).digest();
  return `${key.publicKeyHex}:${key.sign(digest).toString("hex")}`;
}

export interface AuthRequest {
  readonly method: string;
  /** Path plus `?query` exactly as sent. Used by v2 only. */
  readonly requestTarget: string;
  readonly body: Uint8Array;
  readonly api: "v1" | "v2";
}

/**
 * The authentication headers to add to one request: v2 signature headers or the v1
 * `Authorization` signature with an SSH key; `Authorization: Bearer <token>` with a token.
 */
export function authHeaders(credentials: EncordCredentials, request: AuthRequest, nowSeconds?: number): Record<string, string> {
  if (credentials.kind === "bearer") return { Authorization: `Bearer ${credentials.token.reveal()}` };
  if (request.api === "v1") return { Authorization: signV1(request.body, credentials.key) };
  return { ...signV2({ method: request.method, requestTarget: request.requestTarget, body: request.body, key: credentials.key, nowSeconds }) };
}

// ---------------------------------------------------------------------------------------------
// Verification (the fake Encord server's side)

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Received headers: Node's `IncomingHttpHeaders` (lowercase names), any record, or a fetch `Headers`. */
export type ReceivedHeaders = Readonly<Record<string, string | readonly string[] | undefined>> | Headers;

export interface VerifyV2Input {
  /** The key the request must be signed with (64 hex). */
  readonly publicKeyHex: string;
  readonly method: string;
  /** The request target as received (path plus `?query`). */
  readonly requestTarget: string;
  readonly body: Uint8Array;
  readonly headers: ReceivedHeaders;
  /** When given, `created` must lie within [now − maxAgeSeconds, now + 5]. */
  readonly nowSeconds?: number;
  /** Default 300. */
  readonly maxAgeSeconds?: number;
}

const signatureInputPattern = /^encord-sig=\("@method" "@request-target" "content-digest"\);created=(0|[1-9][0-9]{0,15});keyid="([^"]*)";alg="([^"]*)"$/;
const signaturePattern = /^encord-sig=:([A-Za-z0-9+/]+={0,2}):$/;

/** Checks a v2-signed request: digest, `Signature-Input` format, keyid, alg, created, signature. */
export function verifyV2(input: VerifyV2Input): VerifyResult {
  const digestHeader = header(input.headers, "content-digest");
  if (digestHeader === undefined) return fail("missing Content-Digest header");
  if (digestHeader !== contentDigest(input.body)) return fail("Content-Digest does not match the body");

  const signatureInput = header(input.headers, "signature-input");
  if (signatureInput === undefined) return fail("missing Signature-Input header");
  const params = signatureInputPattern.exec(signatureInput);
  if (!params) {
    return fail('Signature-Input is not encord-sig=("@method" "@request-target" "content-digest");created=<int>;keyid="<hex>";alg="ed25519"');
  }
  const [, createdText = "", keyId = "", alg = ""] = params;
  if (alg !== "ed25519") return fail(`alg is ${JSON.stringify(alg)}, expected "ed25519"`);
  if (!/^[0-9a-f]{64}$/.test(keyId)) return fail("keyid is not 64 lowercase hex characters");
  if (keyId !== input.publicKeyHex.toLowerCase()) return fail("keyid is not the expected public key");
  const created = Number(createdText);
  if (input.nowSeconds !== undefined) {
    const maxAge = input.maxAgeSeconds ?? 300;
    if (created > input.nowSeconds + 5) return fail(`created ${created} is in the future (now ${input.nowSeconds})`);
    if (created < input.nowSeconds - maxAge) return fail(`created ${created} is more than ${maxAge} s old (now ${input.nowSeconds})`);
  }

  const signatureHeader = header(input.headers, "signature");
  if (signatureHeader === undefined) return fail("missing Signature header");
  const signature = signaturePattern.exec(signatureHeader)?.[1];
  if (signature === undefined) return fail("Signature is not encord-sig=:<base64>:");
  const signatureBytes = Buffer.from(signature, "base64");
  if (signatureBytes.length !== 64) return fail(`Signature holds ${signatureBytes.length} bytes, expected 64`);

  const base = signatureBaseV2({
    method: input.method,
    requestTarget: input.requestTarget,
    contentDigest: digestHeader,
    signatureParams: signatureInput.slice(`${signatureLabel}=`.length),
  });
  return verifyEd25519(keyId, Buffer.from(base, "utf8"), signatureBytes);
}

export interface VerifyV1Input {
  readonly publicKeyHex: string;
  readonly body: Uint8Array;
  readonly headers: ReceivedHeaders;
}

/** Checks a v1-signed request: `Authorization: <pubkey hex>:<hex of Ed25519(SHA-256(body))>`. */
export function verifyV1(input: VerifyV1Input): VerifyResult {
  const authorization = header(input.headers, "authorization");
  if (authorization === undefined) return fail("missing Authorization header");
  const match = /^([0-9a-f]{64}):([0-9a-f]{128})$/.exec(authorization);
  if (!match) return fail("Authorization is not <64 lowercase hex public key>:<128 lowercase hex signature>");
  const [, keyId = "", signature = ""] = match;
  if (keyId !== input.publicKeyHex.toLowerCase()) return fail("Authorization names another public key than the expected one");
  return verifyEd25519(keyId, createHash("sha256").update(input.body).digest(), Buffer.from(signature, "hex"));
}

/** Checks `Authorization: Bearer <token>` against the expected token (constant time). */
export function verifyBearer(input: { readonly token: string; readonly headers: ReceivedHeaders }): VerifyResult {
  const authorization = header(input.headers, "authorization");
  if (authorization === undefined) return fail("missing Authorization header");
  if (!authorization.startsWith("Bearer ")) return fail("Authorization is not Bearer <token>");
  const received = Buffer.from(authorization.slice("Bearer ".length), "utf8");
  const expected = Buffer.from(input.token, "utf8");
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return fail("the bearer token is not the expected one");
  return { ok: true };
}

function verifyEd25519(publicKeyHex: string, message: Buffer, signature: Buffer): VerifyResult {
  let publicKey: KeyObject;
  try {
    publicKey = ed25519PublicKeyFromHex(publicKeyHex);
  } catch {
    return fail("the public key is not a valid Ed25519 key");
  }
  return cryptoVerify(null, message, publicKey, signature) ? { ok: true } : fail("the signature does not verify");
}

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}

function header(headers: ReceivedHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.join(", ");
}

function assertRequestTarget(target: string): void {
  if (!target.startsWith("/") || /[\s#]/.test(target)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      "A request target to sign must be the path plus ?query exactly as sent, starting with / and without spaces or a #fragment.",
    );
  }
}
