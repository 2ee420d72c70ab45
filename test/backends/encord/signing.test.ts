import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeQuery, pythonJsonDumps } from "../../../src/backends/encord/python-wire.js";
import { BearerToken } from "../../../src/backends/encord/settings.js";
import type { EncordCredentials } from "../../../src/backends/encord/settings.js";
import {
  authHeaders,
  contentDigest,
  signV1,
  signV2,
  signatureBaseV2,
  signatureParamsV2,
  verifyBearer,
  verifyV1,
  verifyV2,
} from "../../../src/backends/encord/signing.js";
import { ed25519KeyFromSeed, parseEd25519PrivateKey } from "../../../src/backends/encord/ssh-key.js";
import { vectorPem, vectorPublicKeyHex as publicKeyHex, vectorSeedHex as seedHex } from "../../support/ssh-keys.js";

/* encord-protocol.md §1.4–1.7: v2 HTTP message signatures, the v1 Authorization signature, bearer. */

const emptyDigest = "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:";
const now = 1_700_000_030;
const key = parseEd25519PrivateKey(vectorPem, { source: "the vector key" });

/** An independent signer: the seed as PKCS#8 v1 DER, straight into node:crypto. */
const independentKey = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]),
  format: "der",
  type: "pkcs8",
});
const independentPublic = createPublicKey(independentKey);
const empty = new Uint8Array(0);

describe("Vector A (§1.7): v2 GET with list query params", () => {
  const path = "/v2/public/projects/00000000-0000-0000-0000-0000000000aa/workflow/stages/00000000-0000-0000-0000-0000000000bb/tasks";
  const vectorUrl =
    "https://api.encord.com/v2/public/projects/00000000-0000-0000-0000-0000000000aa/" +
    "workflow/stages/00000000-0000-0000-0000-0000000000bb/" +
    "tasks?pageToken=tok%2F%2B%3D&statuses=NEW&statuses=ASSIGNED&dataTitleContains=a+b";

  it("the key of the vector PEM and of the seed is the documented one", () => {
    expect(key.publicKeyHex).toBe(publicKeyHex);
    expect(ed25519KeyFromSeed(Buffer.from(seedHex, "hex")).publicKeyHex).toBe(publicKeyHex);
  });

  it("encodeQuery builds the vector's query string", () => {
    const query = encodeQuery({ pageToken: "tok/+=", statuses: ["NEW", "ASSIGNED"], dataTitleContains: "a b" });
    const url = new URL(vectorUrl);
    expect(query).toBe(url.search.slice(1));
    expect(`${path}?${query}`).toBe(url.pathname + url.search);
  });

  it("signV2 gives the vector's three headers byte for byte", () => {
    const query = encodeQuery({ pageToken: "tok/+=", statuses: ["NEW", "ASSIGNED"], dataTitleContains: "a b" });
    const headers = signV2({ method: "GET", requestTarget: `${path}?${query}`, body: empty, key, nowSeconds: now });
    expect(headers).toEqual({
      "Content-Digest": emptyDigest,
      "Signature-Input": `encord-sig=("@method" "@request-target" "content-digest");created=1700000000;keyid="${publicKeyHex}";alg="ed25519"`,
      Signature: "encord-sig=:bqZcXKOVzmFl3CxPcOw4ZZx/DmmGhkTQL9GqrkxZE/FbnckWe4cfnAgMF5U2uOb+aY6tbrEdTozVhqhahFQKAQ==:",
    });
    const url = new URL(vectorUrl);
    expect(verifyV2({ publicKeyHex, method: "GET", requestTarget: url.pathname + url.search, body: empty, headers, nowSeconds: now })).toEqual({ ok: true });
  });

  it("a lowercase method is signed as uppercase", () => {
    const target = `${path}?pageToken=tok%2F%2B%3D&statuses=NEW&statuses=ASSIGNED&dataTitleContains=a+b`;
    const lower = signV2({ method: "get", requestTarget: target, body: empty, key, nowSeconds: now });
    expect(lower.Signature).toBe("encord-sig=:bqZcXKOVzmFl3CxPcOw4ZZx/DmmGhkTQL9GqrkxZE/FbnckWe4cfnAgMF5U2uOb+aY6tbrEdTozVhqhahFQKAQ==:");
  });
});

describe("contentDigest", () => {
  it("of the empty body is the documented value", () => {
    expect(contentDigest(empty)).toBe(emptyDigest);
  });
  it("is sha-256=:<base64>: of the bytes", () => {
    const body = Buffer.from('{"a": 1}', "utf8");
    expect(contentDigest(body)).toBe(`sha-256=:${createHash("sha256").update(body).digest("base64")}:`);
  });
});

describe("own known-answer vector: v2 POST with a JSON body", () => {
  const target =
    "/v2/public/projects/00000000-0000-0000-0000-0000000000aa/workflow/stages/" +
    "00000000-0000-0000-0000-0000000000bb/tasks/00000000-0000-0000-0000-0000000000cc/actions";
  const body = Buffer.from(pythonJsonDumps({ action: "proceed", pathwayUuid: "22222222-2222-2222-2222-222222222222", note: "é" }), "utf8");

  it("the JSON body is Python's json.dumps bytes", () => {
    expect(body.toString("utf8")).toBe('{"action": "proceed", "pathwayUuid": "22222222-2222-2222-2222-222222222222", "note": "\\u00e9"}');
  });

  it("matches the signature computed independently from the documented base", () => {
    const digest = `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
    const params = `("@method" "@request-target" "content-digest");created=1700000000;keyid="${publicKeyHex}";alg="ed25519"`;
    const base = `"@method": POST\n"@request-target": ${target}\n"content-digest": ${digest}\n"@signature-params": ${params}`;
    const expected = sign(null, Buffer.from(base, "utf8"), independentKey).toString("base64");

    const headers = signV2({ method: "POST", requestTarget: target, body, key, nowSeconds: now });
    expect(headers).toEqual({ "Content-Digest": digest, "Signature-Input": `encord-sig=${params}`, Signature: `encord-sig=:${expected}:` });
    expect(signatureParamsV2(1_700_000_000, publicKeyHex)).toBe(params);
    expect(signatureBaseV2({ method: "post", requestTarget: target, contentDigest: digest, signatureParams: params })).toBe(base);
    expect(verify(null, Buffer.from(base, "utf8"), independentPublic, Buffer.from(expected, "base64"))).toBe(true);
  });

  it("uses the clock when no time is given: created = now − 30", () => {
    const before = Math.floor(Date.now() / 1000) - 30;
    const headers = signV2({ method: "POST", requestTarget: target, body, key });
    const created = Number(/;created=(\d+);/.exec(headers["Signature-Input"])?.[1]);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 30);
    expect(verifyV2({ publicKeyHex, method: "POST", requestTarget: target, body, headers, nowSeconds: Math.floor(Date.now() / 1000) })).toEqual({ ok: true });
  });

  describe("tampering makes verification fail", () => {
    const headers = signV2({ method: "POST", requestTarget: target, body, key, nowSeconds: now });
    const good = { publicKeyHex, method: "POST", requestTarget: target, body, headers };
    const reason = (input: Parameters<typeof verifyV2>[0]): string => {
      const result = verifyV2(input);
      expect(result.ok).toBe(false);
      return result.ok ? "" : result.reason;
    };

    it("untouched, it verifies (with Node's lowercase header names too)", () => {
      expect(verifyV2(good)).toEqual({ ok: true });
      const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
      expect(verifyV2({ ...good, headers: lower })).toEqual({ ok: true });
      expect(verifyV2({ ...good, headers: new Headers(headers) })).toEqual({ ok: true });
    });
    it("changed body", () => {
      expect(reason({ ...good, body: Buffer.from(body.toString("utf8").replace("proceed", "procees")) })).toMatch(/Content-Digest/);
    });
    it("changed body with a matching digest", () => {
      const other = Buffer.from("{}");
      expect(reason({ ...good, body: other, headers: { ...headers, "Content-Digest": contentDigest(other) } })).toMatch(/signature does not verify/);
    });
    it("changed target", () => {
      expect(reason({ ...good, requestTarget: `${target}?x=1` })).toMatch(/signature does not verify/);
    });
    it("changed method", () => {
      expect(reason({ ...good, method: "PUT" })).toMatch(/signature does not verify/);
    });
    it("another keyid", () => {
      const other = ed25519KeyFromSeed(Buffer.alloc(32, 7));
      expect(reason({ ...good, publicKeyHex: other.publicKeyHex })).toMatch(/keyid/);
      const swapped = headers["Signature-Input"].replace(publicKeyHex, other.publicKeyHex);
      expect(reason({ ...good, publicKeyHex: other.publicKeyHex, headers: { ...headers, "Signature-Input": swapped } })).toMatch(/signature does not verify/);
    });
    it("changed created", () => {
      const shifted = headers["Signature-Input"].replace("created=1700000000", "created=1700000001");
      expect(reason({ ...good, headers: { ...headers, "Signature-Input": shifted } })).toMatch(/signature does not verify/);
    });
    it("other alg, malformed params, missing headers, bad signature encoding", () => {
      expect(reason({ ...good, headers: { ...headers, "Signature-Input": headers["Signature-Input"].replace('"ed25519"', '"rsa"') } })).toMatch(/alg/);
      expect(reason({ ...good, headers: { ...headers, "Signature-Input": headers["Signature-Input"].replace('" "', '"  "') } })).toMatch(
        /Signature-Input is not/,
      );
      expect(reason({ ...good, headers: { ...headers, "Signature-Input": headers["Signature-Input"].replace("encord-sig", "sig1") } })).toMatch(
        /Signature-Input is not/,
      );
      expect(reason({ ...good, headers: { "Signature-Input": headers["Signature-Input"], Signature: headers.Signature } })).toMatch(/missing Content-Digest/);
      expect(reason({ ...good, headers: { "Content-Digest": headers["Content-Digest"], Signature: headers.Signature } })).toMatch(/missing Signature-Input/);
      expect(reason({ ...good, headers: { ...headers, Signature: undefined } })).toMatch(/missing Signature header/);
      expect(reason({ ...good, headers: { ...headers, Signature: headers.Signature.replace("encord-sig=:", "encord-sig=") } })).toMatch(/Signature is not/);
    });
    it("created outside the allowed window when the verifier gives its clock", () => {
      expect(verifyV2({ ...good, nowSeconds: now })).toEqual({ ok: true });
      expect(reason({ ...good, nowSeconds: now + 3600 })).toMatch(/old/);
      expect(reason({ ...good, nowSeconds: now - 3600 })).toMatch(/future/);
    });
  });
});

describe("own known-answer vector: v1 Authorization", () => {
  const body = Buffer.from(pythonJsonDumps({ query_type: "labelrow", query_method: "GET", values: { uid: "abc", payload: null } }), "utf8");

  it("is <pubkey hex>:<hex of Ed25519(SHA-256(body))>, computed independently", () => {
    const digest = createHash("sha256").update(body).digest();
    const expected = `${publicKeyHex}:${sign(null, digest, independentKey).toString("hex")}`;
    const header = signV1(body, key);
    expect(header).toBe(expected);
    expect(header).toMatch(/^[0-9a-f]{64}:[0-9a-f]{128}$/);
    expect(verifyV1({ publicKeyHex, body, headers: { authorization: header } })).toEqual({ ok: true });
  });

  it("tampering makes verification fail", () => {
    const header = signV1(body, key);
    const other = ed25519KeyFromSeed(Buffer.alloc(32, 9));
    const fails = (result: ReturnType<typeof verifyV1>): string => (result.ok ? "" : result.reason);
    expect(fails(verifyV1({ publicKeyHex, body: Buffer.concat([body, Buffer.from(" ")]), headers: { Authorization: header } }))).toMatch(/does not verify/);
    expect(fails(verifyV1({ publicKeyHex: other.publicKeyHex, body, headers: { Authorization: header } }))).toMatch(/another public key/);
    const forged = `${other.publicKeyHex}:${header.slice(65)}`;
    expect(fails(verifyV1({ publicKeyHex: other.publicKeyHex, body, headers: { Authorization: forged } }))).toMatch(/does not verify/);
    expect(fails(verifyV1({ publicKeyHex, body, headers: { Authorization: `Bearer x` } }))).toMatch(/is not/);
    expect(fails(verifyV1({ publicKeyHex, body, headers: {} }))).toMatch(/missing/);
  });
});

describe("authHeaders", () => {
  const ssh: EncordCredentials = { kind: "ssh", key };
  const bearer: EncordCredentials = { kind: "bearer", token: new BearerToken("tok-123") };
  const body = Buffer.from("{}");

  it("v2 with an SSH key: the three signature headers, no Authorization", () => {
    const headers = authHeaders(ssh, { method: "POST", requestTarget: "/v2/public/x", body, api: "v2" }, now);
    expect(Object.keys(headers).sort()).toEqual(["Content-Digest", "Signature", "Signature-Input"]);
    expect(headers).toEqual(signV2({ method: "POST", requestTarget: "/v2/public/x", body, key, nowSeconds: now }));
  });
  it("v1 with an SSH key: the Authorization signature", () => {
    expect(authHeaders(ssh, { method: "POST", requestTarget: "/public", body, api: "v1" })).toEqual({ Authorization: signV1(body, key) });
  });
  it("a bearer token: Authorization: Bearer <token> on both APIs", () => {
    for (const api of ["v1", "v2"] as const) {
      const headers = authHeaders(bearer, { method: "GET", requestTarget: "/v2/public/x", body: empty, api });
      expect(headers).toEqual({ Authorization: "Bearer tok-123" });
      expect(verifyBearer({ token: "tok-123", headers })).toEqual({ ok: true });
      expect(verifyBearer({ token: "tok-124", headers }).ok).toBe(false);
    }
  });
  it("refuses a request target that is not a path", () => {
    expect(() => authHeaders(ssh, { method: "GET", requestTarget: "https://api.encord.com/v2/public/x", body: empty, api: "v2" })).toThrow(/starting with \//);
  });
});
