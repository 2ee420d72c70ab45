import { verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConfigurationError } from "../../../src/domain/errors.js";
import { ed25519PublicKeyFromHex, parseEd25519PrivateKey } from "../../../src/backends/encord/ssh-key.js";
import { tempDir } from "../../support/temp-dir.js";
import { publicKeyHexOf, runKeyTool, sshKeygen } from "../../support/ssh-keys.js";

/* Loading the user's key (encord-protocol.md §1.2, ecosystem-notes §8): keys made at test time by
 * ssh-keygen and openssl, so they are real and never checked in. */

const passphrase = "correct-horse-42";
const dir = tempDir("task-agents-ssh-key-");

const file = (name: string): string => join(dir.path, name);
const text = (name: string): string => readFileSync(file(name), "utf8");

const publicHexFromPubFile = (name: string): string => publicKeyHexOf(file(name));

beforeAll(() => {
  const keygen = (type: string, name: string, pass: string, extra: string[] = []): void => sshKeygen(file(name), { type, passphrase: pass, extra });
  keygen("ed25519", "id_ed25519", "");
  keygen("ed25519", "id_ed25519_enc", passphrase);
  keygen("rsa", "id_rsa", "", ["-b", "2048"]);
  keygen("rsa", "id_rsa_enc", passphrase, ["-b", "2048"]);
  keygen("rsa", "id_rsa_pem", "", ["-b", "2048", "-m", "PEM"]);
  keygen("ecdsa", "id_ecdsa", "");
  runKeyTool("openssl", ["genpkey", "-algorithm", "ed25519", "-out", file("pkcs8.pem")]);
  runKeyTool("openssl", ["pkey", "-in", file("pkcs8.pem"), "-pubout", "-outform", "DER", "-out", file("pkcs8.pub.der")]);
  runKeyTool("openssl", ["genpkey", "-algorithm", "ed25519", "-aes256", "-pass", `pass:${passphrase}`, "-out", file("pkcs8-enc.pem")]);
  runKeyTool("openssl", ["genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file("pkcs8-rsa.pem")]);
}, 60_000);

afterAll(() => dir[Symbol.dispose]());

/** The ConfigurationError message of a failing parse, checked to quote nothing of the key or passphrase. */
function parseError(keyText: string, options?: Parameters<typeof parseEd25519PrivateKey>[1]): string {
  let caught: unknown;
  try {
    parseEd25519PrivateKey(keyText, options);
  } catch (error) {
    caught = error;
  }
  expect(isConfigurationError(caught)).toBe(true);
  const error = caught as Error & { code: string };
  expect(error.code).toBe("TA_ENCORD_CREDENTIALS");
  const shown = `${error.message}\n${inspect(error)}`;
  for (const line of keyText.split(/\r?\n|\\n/)) {
    const trimmed = line.trim();
    if (trimmed.length >= 8 && !trimmed.startsWith("-----")) expect(shown).not.toContain(trimmed);
  }
  expect(shown).not.toContain(passphrase);
  if (options?.passphrase) expect(shown).not.toContain(options.passphrase);
  return error.message;
}

describe("OpenSSH Ed25519 keys", () => {
  it("parses an unencrypted key: public key hex as in the .pub file, signatures verify", () => {
    const key = parseEd25519PrivateKey(text("id_ed25519"));
    const expected = publicHexFromPubFile("id_ed25519.pub");
    expect(key.publicKeyHex).toBe(expected);
    expect(key.publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
    const message = Buffer.from("hello encord");
    const signature = key.sign(message);
    expect(signature).toHaveLength(64);
    expect(verify(null, message, key.verifyKey, signature)).toBe(true);
    expect(verify(null, message, ed25519PublicKeyFromHex(expected), signature)).toBe(true);
    expect(verify(null, Buffer.from("hello encore"), key.verifyKey, signature)).toBe(false);
    expect(key.verifyKey.type).toBe("public");
  });

  it("parses a passphrase-protected key (bcrypt KDF) with its passphrase", () => {
    const key = parseEd25519PrivateKey(text("id_ed25519_enc"), { passphrase });
    expect(key.publicKeyHex).toBe(publicHexFromPubFile("id_ed25519_enc.pub"));
    const signature = key.sign(Buffer.from("x"));
    expect(verify(null, Buffer.from("x"), ed25519PublicKeyFromHex(key.publicKeyHex), signature)).toBe(true);
  });

  it("ignores a passphrase given for an unencrypted key", () => {
    expect(parseEd25519PrivateKey(text("id_ed25519"), { passphrase }).publicKeyHex).toBe(publicHexFromPubFile("id_ed25519.pub"));
  });

  it("accepts CRLF line breaks, surrounding blank lines, and literal \\n from one-line env files", () => {
    const expected = publicHexFromPubFile("id_ed25519.pub");
    expect(parseEd25519PrivateKey(`\n\n${text("id_ed25519").replaceAll("\n", "\r\n")}  \n`).publicKeyHex).toBe(expected);
    expect(parseEd25519PrivateKey(text("id_ed25519").trim().replaceAll("\n", "\\n")).publicKeyHex).toBe(expected);
  });

  it("never prints the private key: inspect and JSON.stringify show only the public key", () => {
    const key = parseEd25519PrivateKey(text("id_ed25519"));
    const label = `Ed25519Key(${key.publicKeyHex})`;
    expect(inspect(key)).toBe(label);
    expect(inspect({ key }, { showHidden: true, depth: 5 })).toContain(label);
    expect(JSON.stringify({ key })).toBe(JSON.stringify({ key: label }));
    expect(String(key)).toBe(label);
    expect(Object.keys(key).sort()).toEqual(["publicKeyHex", "verifyKey"]);
  });
});

describe("keys that are refused", () => {
  it("an encrypted key without a passphrase names ENCORD_SSH_KEY_PASSPHRASE", () => {
    expect(parseError(text("id_ed25519_enc"), { source: "ENCORD_SSH_KEY" })).toMatch(
      /^ENCORD_SSH_KEY is protected by a passphrase; set ENCORD_SSH_KEY_PASSPHRASE/,
    );
  });

  it("an encrypted key with the wrong passphrase", () => {
    expect(parseError(text("id_ed25519_enc"), { passphrase: "wrong-pass-17", source: "ENCORD_SSH_KEY" })).toMatch(/wrong passphrase/);
  });

  it("RSA and ECDSA keys (OpenSSH, encrypted, PEM, PKCS#8) say Encord needs Ed25519", () => {
    const needs = /Encord needs an Ed25519 key \(ssh-keygen -t ed25519\)/;
    expect(parseError(text("id_rsa"), { source: "ENCORD_SSH_KEY" })).toMatch(/^ENCORD_SSH_KEY is an RSA key; /);
    expect(parseError(text("id_rsa"))).toMatch(needs);
    expect(parseError(text("id_rsa_enc"))).toMatch(/is an RSA key/);
    expect(parseError(text("id_rsa_pem"))).toMatch(/is an RSA key/);
    expect(parseError(text("pkcs8-rsa.pem"))).toMatch(/is an RSA key/);
    expect(parseError(text("id_ecdsa"), { source: "ENCORD_SSH_KEY" })).toMatch(/^ENCORD_SSH_KEY is an ECDSA key; .*needs an Ed25519 key/);
  });

  it("garbage, empty text, a public key, a key body without its armour", () => {
    const notKey = /does not hold an OpenSSH private key \(-----BEGIN OPENSSH PRIVATE KEY-----/;
    expect(parseError("hello world, this is not a key", { source: "ENCORD_SSH_KEY" })).toMatch(new RegExp(`^ENCORD_SSH_KEY ${notKey.source}`));
    expect(parseError("")).toMatch(/is empty/);
    expect(parseError(text("id_ed25519.pub"))).toMatch(/public key \(the \.pub file\)/);
    const body = text("id_ed25519")
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("-----"))
      .join("\n");
    expect(parseError(body)).toMatch(/without its -----BEGIN OPENSSH PRIVATE KEY-----/);
  });

  it("a damaged or truncated OpenSSH key", () => {
    const lines = text("id_ed25519").trim().split("\n");
    const truncated = lines.slice(0, 3).join("\n");
    expect(parseError(truncated)).toMatch(/no -----END OPENSSH PRIVATE KEY----- line/);
    const damaged = [lines[0], "AAAA" + (lines[1] ?? "").slice(4), ...lines.slice(2)].join("\n");
    expect(parseError(damaged)).toMatch(/cannot be read/);
  });

  it("names the source in the message", () => {
    expect(parseError("nope", { source: 'the file in ENCORD_SSH_KEY_FILE ("/x/id")' })).toMatch(/^The file in ENCORD_SSH_KEY_FILE \("\/x\/id"\) does not hold/);
  });
});

describe("PKCS#8 Ed25519 keys (a leniency; the SDK refuses them)", () => {
  it("parses openssl genpkey -algorithm ed25519 output", () => {
    const key = parseEd25519PrivateKey(text("pkcs8.pem"));
    const der = readFileSync(file("pkcs8.pub.der"));
    expect(key.publicKeyHex).toBe(der.subarray(der.length - 32).toString("hex"));
    const signature = key.sign(Buffer.from("m"));
    expect(verify(null, Buffer.from("m"), ed25519PublicKeyFromHex(key.publicKeyHex), signature)).toBe(true);
  });

  it("parses an encrypted PKCS#8 key with its passphrase, refuses it without or with a wrong one", () => {
    expect(parseEd25519PrivateKey(text("pkcs8-enc.pem"), { passphrase }).publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(parseError(text("pkcs8-enc.pem"))).toMatch(/protected by a passphrase; set ENCORD_SSH_KEY_PASSPHRASE/);
    expect(parseError(text("pkcs8-enc.pem"), { passphrase: "wrong-pass-17" })).toMatch(/wrong passphrase/);
  });
});
