/**
 * Loading the user's Ed25519 private key for Encord: OpenSSH format (plain or passphrase
 * protected) and, as a leniency, PKCS#8 PEM. sshpk only parses; signing is node:crypto's.
 * Error messages never quote the key text or the passphrase.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { inspect } from "node:util";
import { createRequire } from "node:module";
import type sshpkModule from "sshpk";

// Loaded on first use: a run on the local store never needs it (and it weighs ~10 MB of memory).
const require = createRequire(import.meta.url);
let sshpkCache: typeof sshpkModule | undefined;
const sshpk = (): typeof sshpkModule => (sshpkCache ??= require("sshpk") as typeof sshpkModule);
import { ConfigurationError } from "../../domain/errors.js";

/** An Ed25519 key pair; the private half never leaves the object and never prints. */
export interface Ed25519Key {
  /** The raw 32-byte public key, 64 lowercase hex characters: Encord's key id. */
  readonly publicKeyHex: string;
  /** Pure Ed25519 signature (64 bytes) of `message`. */
  sign(message: Uint8Array): Buffer;
  /** The public key, for verifying. */
  readonly verifyKey: KeyObject;
  /** `"Ed25519Key(<publicKeyHex>)"`, never key material (also what `util.inspect` shows). */
  toJSON(): string;
  /** The same as {@link toJSON}. */
  toString(): string;
}

export interface ParseEd25519KeyOptions {
  readonly passphrase?: string;
  /** Where the text came from, for messages: "ENCORD_SSH_KEY", "the file in ENCORD_SSH_KEY_FILE (…)". */
  readonly source?: string;
}

const pkcs8Ed25519Prefix = Buffer.from("302e020100300506032b657004220420", "hex");
const spkiEd25519Prefix = Buffer.from("302a300506032b6570032100", "hex");
const opensshMagic = "openssh-key-v1\0";
const passphraseVariable = "ENCORD_SSH_KEY_PASSPHRASE";
const needEd25519 = "Encord needs an Ed25519 key (ssh-keygen -t ed25519) whose public key is registered in your Encord account";
const accepted =
  "Accepted: the whole content of an Ed25519 private key file made by ssh-keygen -t ed25519 " +
  "(for example ~/.ssh/id_ed25519: -----BEGIN OPENSSH PRIVATE KEY----- … -----END OPENSSH PRIVATE KEY-----), " +
  "or an Ed25519 PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)";

/** The private halves of parsed keys, for handing a key to a worker thread of this package. */
const privateKeys = new WeakMap<Ed25519Key, KeyObject>();

/**
 * The private KeyObject of a key this module made, to pass to a worker thread (KeyObjects cross
 * threads without their bytes being exported); undefined for other implementations.
 */
export function privateKeyObjectOf(key: Ed25519Key): KeyObject | undefined {
  return privateKeys.get(key);
}

/** The key whose private half is `privateKey` (an Ed25519 KeyObject, e.g. one passed to a thread). */
export function ed25519KeyFromKeyObject(privateKey: KeyObject): Ed25519Key {
  return new Ed25519KeyPair(privateKey);
}

class Ed25519KeyPair implements Ed25519Key {
  readonly #privateKey: KeyObject;
  readonly publicKeyHex: string;
  readonly verifyKey: KeyObject;

  constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    privateKeys.set(this, privateKey);
    this.verifyKey = createPublicKey(privateKey);
    this.publicKeyHex = rawPublicKey(this.verifyKey).toString("hex");
  }

  sign(message: Uint8Array): Buffer {
    return cryptoSign(null, message, this.#privateKey);
  }

  toJSON(): string {
    return `Ed25519Key(${this.publicKeyHex})`;
  }

  toString(): string {
    return this.toJSON();
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("Ed25519 public key without x");
  return Buffer.from(jwk.x, "base64url");
}

/** The key pair of a 32-byte Ed25519 seed (the private key proper). */
export function ed25519KeyFromSeed(seed: Uint8Array): Ed25519Key {
  if (seed.length !== 32) {
    throw new ConfigurationError("TA_ENCORD_CREDENTIALS", `An Ed25519 seed has 32 bytes, not ${seed.length}.`);
  }
  const key = createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: "der", type: "pkcs8" });
  return new Ed25519KeyPair(key);
}

/** The public KeyObject of a raw Ed25519 public key given as 64 hex characters. */
export function ed25519PublicKeyFromHex(publicKeyHex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(publicKeyHex)) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${JSON.stringify(publicKeyHex)} is not an Ed25519 public key; expected 64 hex characters (32 bytes).`);
  }
  return createPublicKey({ key: Buffer.concat([spkiEd25519Prefix, Buffer.from(publicKeyHex, "hex")]), format: "der", type: "spki" });
}

/**
 * Parses an Ed25519 private key: OpenSSH format (`-----BEGIN OPENSSH PRIVATE KEY-----`), plain or
 * protected by a passphrase (bcrypt KDF), or PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, also
 * `-----BEGIN ENCRYPTED PRIVATE KEY-----` with a passphrase). Throws a ConfigurationError
 * (`TA_ENCORD_CREDENTIALS`) saying what is wrong: not a key, another key type, missing or wrong
 * passphrase, damaged content.
 */
export function parseEd25519PrivateKey(text: string, options: ParseEd25519KeyOptions = {}): Ed25519Key {
  const source = options.source ?? "the SSH private key";
  const Source = source.charAt(0).toUpperCase() + source.slice(1);
  const passphrase = options.passphrase === "" ? undefined : options.passphrase;
  const fail = (message: string): never => {
    throw new ConfigurationError("TA_ENCORD_CREDENTIALS", message);
  };

  const normalised = normaliseKeyText(text);
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(normalised);
  if (!begin) {
    if (normalised === "") return fail(`${Source} is empty. ${accepted}.`);
    if (/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/.test(normalised)) {
      return fail(
        `${Source} holds an OpenSSH public key (the .pub file); Encord needs the private key: the file without .pub ` +
          `(for example ~/.ssh/id_ed25519, starting with -----BEGIN OPENSSH PRIVATE KEY-----).`,
      );
    }
    if (normalised.startsWith("PuTTY-User-Key-File")) {
      return fail(`${Source} is a PuTTY key (.ppk); convert it with "puttygen key.ppk -O private-openssh -o id_ed25519". ${accepted}.`);
    }
    if (normalised.startsWith("b3BlbnNzaC1rZXktdjE")) {
      return fail(
        `${Source} holds the body of an OpenSSH key without its -----BEGIN OPENSSH PRIVATE KEY----- and ` +
          `-----END OPENSSH PRIVATE KEY----- lines; use the whole file content.`,
      );
    }
    return fail(`${Source} does not hold an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- …). ${accepted}.`);
  }

  const label = begin[1] ?? "";
  const endLine = `-----END ${label}-----`;
  const endAt = normalised.indexOf(endLine, begin.index);
  if (endAt === -1) {
    return fail(
      `${Source} starts a ${label} block but has no ${endLine} line (truncated?); use the whole file content, ` +
        `or put the key in a file and set ENCORD_SSH_KEY_FILE.`,
    );
  }
  const block = normalised.slice(begin.index, endAt + endLine.length);

  switch (label) {
    case "OPENSSH PRIVATE KEY":
      return parseOpenssh(block);
    case "PRIVATE KEY":
    case "ENCRYPTED PRIVATE KEY":
      return parsePkcs8(block, label === "ENCRYPTED PRIVATE KEY");
    case "RSA PRIVATE KEY":
      return fail(`${Source} is an RSA key; ${needEd25519}.`);
    case "EC PRIVATE KEY":
      return fail(`${Source} is an ECDSA key; ${needEd25519}.`);
    case "DSA PRIVATE KEY":
      return fail(`${Source} is a DSA key; ${needEd25519}.`);
    case "PUBLIC KEY":
    case "RSA PUBLIC KEY":
    case "SSH2 PUBLIC KEY":
    case "OPENSSH PUBLIC KEY":
      return fail(`${Source} holds a public key (${label}); Encord needs the private key. ${accepted}.`);
    default:
      return fail(`${Source} holds a ${label}, not an OpenSSH private key. ${accepted}.`);
  }

  function parseOpenssh(block: string): Ed25519Key {
    const header = readOpensshHeader(block);
    if (header === undefined) {
      return fail(
        `${Source} starts with -----BEGIN OPENSSH PRIVATE KEY----- but its content cannot be read (damaged, ` +
          `truncated or with changed line breaks); use the whole file content, or set ENCORD_SSH_KEY_FILE to the file.`,
      );
    }
    const typeName = describeSshKeyType(header.keyType);
    if (typeName !== undefined) return fail(`${Source} is ${typeName} key; ${needEd25519}.`);
    if (header.encrypted && passphrase === undefined) {
      return fail(`${Source} is protected by a passphrase; set ${passphraseVariable} to it (or remove it with ssh-keygen -p).`);
    }
    let parsed: sshpkModule.PrivateKey;
    try {
      // sshpk rewrites the options object it gets; give it a fresh one.
      parsed = sshpk().parsePrivateKey(block, "ssh", passphrase === undefined ? {} : { passphrase });
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      const message = error instanceof Error ? error.message : "";
      if (name === "KeyEncryptedError") {
        return fail(`${Source} is protected by a passphrase; set ${passphraseVariable} to it (or remove it with ssh-keygen -p).`);
      }
      if (/incorrect passphrase/i.test(message)) {
        return fail(
          `${Source} cannot be decrypted with the passphrase in ${passphraseVariable}: wrong passphrase. Set the passphrase the key was created with.`,
        );
      }
      // sshpk's own message is not quoted: it may echo bytes of a damaged key.
      return fail(
        `${Source} starts with -----BEGIN OPENSSH PRIVATE KEY----- but its content cannot be read (damaged, ` +
          `truncated, or an unsupported cipher); use the whole file content of a key made by ssh-keygen -t ed25519.`,
      );
    }
    if (parsed.type !== "ed25519") return fail(`${Source} is ${describeAlgorithm(parsed.type)} key; ${needEd25519}.`);
    const k = parsed.parts.find((part) => part.name === "k")?.data;
    const seed = k && k.length === 64 ? k.subarray(0, 32) : k;
    if (!seed || seed.length !== 32) return fail(`${Source} is an Ed25519 key whose private part cannot be read; ${accepted}.`);
    const key = ed25519KeyFromSeed(seed);
    const publicPart = parsed.parts.find((part) => part.name === "A")?.data;
    if (publicPart && !publicPart.equals(Buffer.from(key.publicKeyHex, "hex"))) {
      return fail(`${Source} is damaged: its public key does not belong to its private key. Make a new key with ssh-keygen -t ed25519.`);
    }
    return key;
  }

  function parsePkcs8(block: string, encrypted: boolean): Ed25519Key {
    if (encrypted && passphrase === undefined) {
      return fail(`${Source} is protected by a passphrase; set ${passphraseVariable} to it.`);
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(encrypted ? { key: block, format: "pem", passphrase } : { key: block, format: "pem" });
    } catch {
      if (encrypted) {
        return fail(
          `${Source} cannot be decrypted with the passphrase in ${passphraseVariable}: wrong passphrase. Set the passphrase the key was created with.`,
        );
      }
      return fail(`${Source} starts with -----BEGIN PRIVATE KEY----- but its content cannot be read (damaged or truncated). ${accepted}.`);
    }
    const type = privateKey.asymmetricKeyType ?? "unknown";
    if (type !== "ed25519") return fail(`${Source} is ${describeAlgorithm(type)} key; ${needEd25519}.`);
    return new Ed25519KeyPair(privateKey);
  }
}

/** Trims, unifies line breaks, and turns literal `\n` (keys pasted into one-line env files) into newlines. */
function normaliseKeyText(text: string): string {
  let result = text.replace(/\r\n?/g, "\n").trim();
  if (!result.includes("\n") && result.includes("\\n")) result = result.replaceAll("\\n", "\n").trim();
  return result;
}

interface OpensshHeader {
  readonly encrypted: boolean;
  readonly keyType: string;
}

/** The clear-text header of an openssh-key-v1 blob: cipher and the public key's type. */
function readOpensshHeader(block: string): OpensshHeader | undefined {
  const body = block
    .split("\n")
    .filter((line) => !line.startsWith("-----"))
    .join("")
    .replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const bytes = Buffer.from(body, "base64");
  if (bytes.subarray(0, opensshMagic.length).toString("latin1") !== opensshMagic) return undefined;
  let at = opensshMagic.length;
  const readString = (): Buffer | undefined => {
    if (at + 4 > bytes.length) return undefined;
    const length = bytes.readUInt32BE(at);
    if (at + 4 + length > bytes.length) return undefined;
    const value = bytes.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return value;
  };
  const cipher = readString();
  const kdf = readString();
  const kdfOptions = readString();
  if (!cipher || !kdf || !kdfOptions || at + 4 > bytes.length) return undefined;
  const count = bytes.readUInt32BE(at);
  at += 4;
  if (count < 1) return undefined;
  const publicBlob = readString();
  if (!publicBlob || publicBlob.length < 4) return undefined;
  const typeLength = publicBlob.readUInt32BE(0);
  if (4 + typeLength > publicBlob.length) return undefined;
  return { encrypted: cipher.toString("latin1") !== "none", keyType: publicBlob.subarray(4, 4 + typeLength).toString("latin1") };
}

/** "an RSA" etc. for an SSH key type other than Ed25519; undefined for Ed25519. */
function describeSshKeyType(keyType: string): string | undefined {
  if (keyType === "ssh-ed25519") return undefined;
  if (keyType === "ssh-rsa") return "an RSA";
  if (keyType.startsWith("ecdsa-")) return "an ECDSA";
  if (keyType === "ssh-dss") return "a DSA";
  if (keyType === "sk-ssh-ed25519@openssh.com") return "a security-key (FIDO, ed25519-sk)";
  if (keyType.startsWith("sk-ecdsa")) return "a security-key (FIDO, ecdsa-sk)";
  return `a ${JSON.stringify(keyType)}`;
}

function describeAlgorithm(type: string): string {
  switch (type) {
    case "rsa":
    case "rsa-pss":
      return "an RSA";
    case "ec":
    case "ecdsa":
      return "an ECDSA";
    case "dsa":
      return "a DSA";
    case "ed448":
      return "an Ed448";
    case "x25519":
      return "an X25519";
    case "x448":
      return "an X448";
    case "curve25519":
      return "a Curve25519";
    default:
      return `a ${JSON.stringify(type)}`;
  }
}
