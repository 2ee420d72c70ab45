/**
 * Encord settings from the environment (docs/encord-protocol.md §1.1, encord-agents' rules):
 * ENCORD_SSH_KEY (key content) or ENCORD_SSH_KEY_FILE (a path; content wins when both are set),
 * ENCORD_SSH_KEY_PASSPHRASE, ENCORD_BEARER_TOKEN (used when no SSH key is set), ENCORD_DOMAIN.
 * The one place that reads these variables. Messages never quote keys, passphrases or tokens.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename } from "node:path";
import { inspect } from "node:util";
import { ConfigurationError } from "../../domain/errors.js";
import { parseEd25519PrivateKey } from "./ssh-key.js";
import type { Ed25519Key } from "./ssh-key.js";

export const defaultEncordDomain = "https://api.encord.com";

/** A bearer token that prints as `BearerToken(<hidden>)`; `reveal()` gives the value for the header. */
export class BearerToken {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return "BearerToken(<hidden>)";
  }
  toString(): string {
    return this.toJSON();
  }
  [inspect.custom](): string {
    return this.toJSON();
  }
}

export type EncordCredentials = { readonly kind: "ssh"; readonly key: Ed25519Key } | { readonly kind: "bearer"; readonly token: BearerToken };

export interface EncordSettings {
  readonly credentials: EncordCredentials;
  /** Absolute http(s) URL without trailing slash, e.g. `https://api.encord.com`; a path is kept. */
  readonly domain: string;
  /** Things the user should know but that do not stop the run (both key variables set, …). */
  readonly warnings: readonly string[];
}

export interface EncordSettingsOptions {
  /** Reads ENCORD_SSH_KEY_FILE's file (default: fs, after checking it is a regular file). */
  readonly readFile?: (path: string) => string;
  /** For `~` expansion (default: os.homedir()). */
  readonly homeDir?: string;
}

const credentialVariables = ["ENCORD_SSH_KEY", "ENCORD_SSH_KEY_FILE", "ENCORD_BEARER_TOKEN"] as const;

function setValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** True when ENCORD_SSH_KEY, ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN is set and not empty. */
export function hasEncordCredentials(env: NodeJS.ProcessEnv): boolean {
  return credentialVariables.some((name) => setValue(env, name) !== undefined);
}

/** Reads and checks the Encord settings; throws a ConfigurationError naming the variable at fault. */
export function encordSettingsFromEnv(env: NodeJS.ProcessEnv, options: EncordSettingsOptions = {}): EncordSettings {
  const warnings: string[] = [];
  const keyContent = setValue(env, "ENCORD_SSH_KEY");
  const keyFile = setValue(env, "ENCORD_SSH_KEY_FILE")?.trim();
  const token = setValue(env, "ENCORD_BEARER_TOKEN");
  const passphrase = env.ENCORD_SSH_KEY_PASSPHRASE === "" ? undefined : env.ENCORD_SSH_KEY_PASSPHRASE;
  const home = options.homeDir ?? homedir();

  let credentials: EncordCredentials;
  if (keyContent !== undefined || keyFile !== undefined) {
    let text: string;
    let source: string;
    if (keyContent !== undefined) {
      rejectPathInKeyContent(keyContent, home);
      if (keyFile !== undefined) {
        warnings.push(
          `Both ENCORD_SSH_KEY and ENCORD_SSH_KEY_FILE are set; using the key in ENCORD_SSH_KEY ` +
            `and ignoring ENCORD_SSH_KEY_FILE (${JSON.stringify(keyFile)}). Unset one of them.`,
        );
      }
      text = keyContent;
      source = "ENCORD_SSH_KEY";
    } else {
      const path = expandHome(keyFile ?? "", home);
      text = readKeyFile(path, keyFile ?? "", options.readFile);
      source = `the file in ENCORD_SSH_KEY_FILE (${JSON.stringify(path)})`;
    }
    credentials = { kind: "ssh", key: parseEd25519PrivateKey(text, { passphrase, source }) };
    if (token !== undefined) {
      warnings.push("Both an SSH key and ENCORD_BEARER_TOKEN are set; signing with the SSH key and ignoring ENCORD_BEARER_TOKEN. Unset one of them.");
    }
  } else if (token !== undefined) {
    credentials = { kind: "bearer", token: new BearerToken(checkToken(token)) };
    if (passphrase !== undefined) warnings.push("ENCORD_SSH_KEY_PASSPHRASE is set but no SSH key is; it is ignored (ENCORD_BEARER_TOKEN is used).");
  } else {
    throw new ConfigurationError(
      "TA_ENCORD_CREDENTIALS",
      "No Encord credentials: set ENCORD_SSH_KEY (the content of an Ed25519 private key, -----BEGIN OPENSSH PRIVATE KEY----- …), " +
        "or ENCORD_SSH_KEY_FILE (the path of that key file, e.g. ~/.ssh/id_ed25519), or ENCORD_BEARER_TOKEN (a bearer token). " +
        "The key's public half must be registered in your Encord account.",
    );
  }

  return { credentials, domain: parseDomain(env.ENCORD_DOMAIN), warnings };
}

function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/") || path.startsWith("~\\")) return home + path.slice(1);
  return path;
}

const keyFileName = /^(id_(ed25519|rsa|ecdsa|dsa|xmss)(_sk)?|identity)$|\.(pem|key|ppk|pub)$/i;

/** ENCORD_SSH_KEY must hold key content: a value that is (or looks like) a path is refused. */
function rejectPathInKeyContent(value: string, home: string): void {
  const text = value.trim();
  if (text.includes("-----BEGIN ") || text.includes("\n")) return;
  const fix = "ENCORD_SSH_KEY takes the key content (-----BEGIN OPENSSH PRIVATE KEY----- …); put a path in ENCORD_SSH_KEY_FILE instead.";
  const expanded = expandHome(text, home);
  let exists = false;
  try {
    statSync(expanded);
    exists = true;
  } catch {
    exists = false;
  }
  // A path that exists is no secret: name it. Anything else may be a mangled key: never quote it.
  if (exists) throw new ConfigurationError("TA_ENCORD_CREDENTIALS", `ENCORD_SSH_KEY is a file path (${JSON.stringify(text)}). ${fix}`);
  const pathLike =
    text.length < 1024 &&
    !text.startsWith("b3BlbnNzaC1rZXktdjE") &&
    (/^(~|\.{1,2})?[/\\]/.test(text) ||
      /^[A-Za-z]:[/\\]/.test(text) ||
      keyFileName.test(basename(text.replaceAll("\\", "/"))) ||
      (text.includes("/") && !/^[A-Za-z0-9+/=]{40,}$/.test(text)));
  if (pathLike) throw new ConfigurationError("TA_ENCORD_CREDENTIALS", `ENCORD_SSH_KEY looks like a file path, not a key. ${fix}`);
}

function readKeyFile(path: string, asGiven: string, readFile: ((path: string) => string) | undefined): string {
  const where = `ENCORD_SSH_KEY_FILE (${JSON.stringify(asGiven)}${asGiven === path ? "" : ` = ${JSON.stringify(path)}`})`;
  const accepted = "It must name a readable file holding an Ed25519 private key (e.g. ~/.ssh/id_ed25519).";
  if (readFile === undefined) {
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch (error) {
      throw fileError(error, where, accepted);
    }
    if (!isFile) throw new ConfigurationError("TA_ENCORD_CREDENTIALS", `${where} is not a regular file. ${accepted}`);
  }
  try {
    return (readFile ?? ((p: string) => readFileSync(p, "utf8")))(path);
  } catch (error) {
    throw fileError(error, where, accepted);
  }
}

function fileError(error: unknown, where: string, accepted: string): ConfigurationError {
  const code = (error as { code?: unknown } | null)?.code;
  const problem =
    code === "ENOENT" || code === "ENOTDIR"
      ? "does not exist"
      : code === "EACCES" || code === "EPERM"
        ? "is not readable (permission denied)"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot be read (${typeof code === "string" ? code : "unknown error"})`;
  return new ConfigurationError("TA_ENCORD_CREDENTIALS", `${where} ${problem}. ${accepted}`);
}

function checkToken(raw: string): string {
  const token = raw.trim().replace(/^Bearer\s+/i, "");
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigurationError(
      "TA_ENCORD_CREDENTIALS",
      "ENCORD_BEARER_TOKEN holds spaces, line breaks or non-ASCII characters; accepted: the token alone, as printed by Encord (printable ASCII).",
    );
  }
  return token;
}

const acceptedDomains =
  "Accepted: an absolute http(s) URL without query or fragment, e.g. https://api.encord.com " +
  "(default), https://api.us.encord.com, or https://encord.example.com/api for a private deployment";

/** ENCORD_DOMAIN checked and normalised (no trailing slash); the default when unset. */
export function parseDomain(raw: string | undefined): string {
  const value = raw?.trim() ?? "";
  if (value === "") return defaultEncordDomain;
  // Queries can carry secrets: quote the value without them.
  const shown = JSON.stringify(value.replace(/[?#].*$/s, (rest) => `${rest.charAt(0)}…`).replace(/\/\/[^/@]*@/, "//…@"));
  const fail = (problem: string): never => {
    throw new ConfigurationError("TA_ENCORD_DOMAIN", `ENCORD_DOMAIN ${shown} ${problem}. ${acceptedDomains}.`);
  };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return fail("is not an absolute URL (it needs https:// or http://)");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return fail(`uses ${url.protocol.slice(0, -1)}, not http or https`);
  if (url.username !== "" || url.password !== "") return fail("carries a user name or password");
  if (url.search !== "" || value.includes("?")) return fail("has a query string");
  if (url.hash !== "" || value.includes("#")) return fail("has a fragment");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
