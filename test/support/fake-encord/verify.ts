/**
 * Request authentication as the fake Encord server checks it, written straight from
 * docs/encord-protocol.md §1.4–1.6 and independent of src/backends/encord/signing.ts, so that a
 * bug in the client's signer cannot be mirrored by the verifier.
 *
 * * v2 (§1.4): `Content-Digest`, `Signature-Input` and `Signature` headers; the signature base is
 *   rebuilt from the raw request (method, request target exactly as received, SHA-256 of the raw
 *   body bytes) and checked with Ed25519.
 * * v1 (§1.5): `Authorization: <pubkey hex>:<hex(sig)>`, the signature being Ed25519 over the
 *   32-byte SHA-256 digest of the raw body.
 * * Both (§1.6): `Authorization: Bearer <token>`.
 */
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** SPKI DER prefix of an Ed25519 public key; the raw 32 key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** How far `created` may be from the server's clock, in seconds (either way). */
export const CREATED_TOLERANCE_SECONDS = 300;

/** The credentials the server knows. Public keys are lowercase hex of the raw 32 bytes. */
export interface KnownCredentials {
  readonly publicKeys: ReadonlySet<string>;
  readonly bearerTokens: ReadonlySet<string>;
}

/** Who made a request. */
export type Identity = { readonly kind: "key"; readonly publicKeyHex: string } | { readonly kind: "bearer"; readonly token: string };

/** `unknownKey` is set when the request was well-formed but signed by a key nobody registered. */
export type VerifyResult = { readonly ok: true; readonly identity: Identity } | { readonly ok: false; readonly reason: string; readonly unknownKey?: boolean };

/** The raw request, as received. */
export interface RawRequest {
  readonly method: string;
  /** Path plus `?query`, byte for byte as on the request line. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const publicKeyCache = new Map<string, KeyObject>();

/** A node:crypto public key object from the raw 32-byte key in lowercase hex. */
export function publicKeyFromHex(hex: string): KeyObject {
  let key = publicKeyCache.get(hex);
  if (!key) {
    const raw = Buffer.from(hex, "hex");
    if (raw.length !== 32) throw new Error(`an Ed25519 public key has 32 bytes, got ${raw.length}`);
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
    publicKeyCache.set(hex, key);
  }
  return key;
}

/** `sha-256=:<base64>:` of the bytes (§1.4 step 2). */
export function contentDigest(body: Buffer): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

/** The four-line signature base of §1.4 step 5. */
export function signatureBase(method: string, target: string, digest: string, params: string): string {
  return [`"@method": ${method.toUpperCase()}`, `"@request-target": ${target}`, `"content-digest": ${digest}`, `"@signature-params": ${params}`].join("\n");
}

const SIGNATURE_PARAMS = /^\("@method" "@request-target" "content-digest"\);created=(\d{1,15});keyid="([0-9a-f]{64})";alg="ed25519"$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

function bearer(authorization: string, known: KnownCredentials): VerifyResult {
  const token = authorization.slice("Bearer ".length);
  if (token === "" || !known.bearerTokens.has(token)) return { ok: false, reason: "Unknown or expired bearer token." };
  return { ok: true, identity: { kind: "bearer", token } };
}

function ed25519(publicKeyHex: string, message: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, message, publicKeyFromHex(publicKeyHex), signature);
  } catch {
    return false;
  }
}

/** Checks a v2 request (§1.4, or a bearer token §1.6). `nowSeconds` is the server's Unix time. */
export function verifyV2Request(request: RawRequest, known: KnownCredentials, nowSeconds: number): VerifyResult {
  const authorization = single(request.headers, "authorization");
  if (authorization !== undefined) {
    if (authorization.startsWith("Bearer ")) return bearer(authorization, known);
    return { ok: false, reason: "Unsupported Authorization scheme on the v2 API; sign the request or send 'Bearer <token>'." };
  }
  const digestHeader = single(request.headers, "content-digest");
  const inputHeader = single(request.headers, "signature-input");
  const signatureHeader = single(request.headers, "signature");
  if (digestHeader === undefined || inputHeader === undefined || signatureHeader === undefined) {
    return { ok: false, reason: "Missing request signature: Content-Digest, Signature-Input and Signature are required." };
  }
  const expectedDigest = contentDigest(request.body);
  if (digestHeader !== expectedDigest) return { ok: false, reason: "Content-Digest does not match the request body." };

  if (!inputHeader.startsWith("encord-sig=")) return { ok: false, reason: "Signature-Input must use the label encord-sig." };
  const params = inputHeader.slice("encord-sig=".length);
  const match = SIGNATURE_PARAMS.exec(params);
  if (!match) {
    return {
      ok: false,
      reason: 'Malformed Signature-Input; expected encord-sig=("@method" "@request-target" "content-digest");created=<int>;keyid="<hex>";alg="ed25519".',
    };
  }
  const created = Number(match[1]);
  const keyid = match[2]!;
  if (Math.abs(nowSeconds - created) > CREATED_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: `Signature created=${created} is more than ${CREATED_TOLERANCE_SECONDS} s away from the server time ${Math.floor(nowSeconds)}.`,
    };
  }

  if (!signatureHeader.startsWith("encord-sig=:") || !signatureHeader.endsWith(":") || signatureHeader.length < "encord-sig=::".length) {
    return { ok: false, reason: "Malformed Signature; expected encord-sig=:<base64>:." };
  }
  const encoded = signatureHeader.slice("encord-sig=:".length, -1);
  const signature = Buffer.from(encoded, "base64");
  if (!BASE64.test(encoded) || signature.length !== 64) return { ok: false, reason: "Malformed Signature; expected 64 bytes of base64." };

  if (!known.publicKeys.has(keyid)) return { ok: false, reason: `Public key ${keyid} is not registered.`, unknownKey: true };
  const base = signatureBase(request.method, request.target, digestHeader, params);
  if (!ed25519(keyid, Buffer.from(base, "utf8"), signature)) return { ok: false, reason: "Signature verification failed." };
  return { ok: true, identity: { kind: "key", publicKeyHex: keyid } };
}

const V1_AUTHORIZATION = /^([0-9a-f]{64}):([0-9a-f]{128})$/;

/** Checks a v1 request (§1.5, or a bearer token §1.6). */
export function verifyV1Request(request: Pick<RawRequest, "headers" | "body">, known: KnownCredentials): VerifyResult {
  const authorization = single(request.headers, "authorization");
  if (authorization === undefined || authorization === "") return { ok: false, reason: "Missing Authorization header." };
  if (authorization.startsWith("Bearer ")) return bearer(authorization, known);
  const match = V1_AUTHORIZATION.exec(authorization);
  if (!match) return { ok: false, reason: "Malformed Authorization header; expected <public key hex>:<signature hex>." };
  const publicKeyHex = match[1]!;
  if (!known.publicKeys.has(publicKeyHex)) return { ok: false, reason: `Public key ${publicKeyHex} is not registered.`, unknownKey: true };
  const digest = createHash("sha256").update(request.body).digest();
  if (!ed25519(publicKeyHex, digest, Buffer.from(match[2]!, "hex"))) return { ok: false, reason: "Signature verification failed." };
  return { ok: true, identity: { kind: "key", publicKeyHex } };
}
