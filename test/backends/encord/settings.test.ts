import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encordSettingsFromEnv, hasEncordCredentials, parseDomain } from "../../../src/backends/encord/settings.js";
import type { EncordSettings } from "../../../src/backends/encord/settings.js";
import { isConfigurationError } from "../../../src/domain/errors.js";
import { tempDir } from "../../support/temp-dir.js";
import { sshKeygen, vectorPem, vectorPublicKeyHex } from "../../support/ssh-keys.js";

/* encord-protocol.md §1.1 (encord-agents' rules) plus the bearer-token alternative (§1.6). */

const passphrase = "settings-pass-99";
const token = "tok_9f8e7d6c5b4a3210";
const dir = tempDir("task-agents-settings-");
const home = join(dir.path, "home");
const keyFile = join(home, ".ssh", "id_ed25519");
const encryptedKeyFile = join(dir.path, "id_enc");

beforeAll(() => {
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(keyFile, vectorPem);
  sshKeygen(encryptedKeyFile, { passphrase });
}, 60_000);

afterAll(() => dir[Symbol.dispose]());

const load = (env: NodeJS.ProcessEnv, options: Parameters<typeof encordSettingsFromEnv>[1] = {}): EncordSettings =>
  encordSettingsFromEnv(env, { homeDir: home, ...options });

/** The error of a failing load, checked to quote no key line, passphrase or token. */
function loadError(env: NodeJS.ProcessEnv, options: Parameters<typeof encordSettingsFromEnv>[1] = {}): { code: string; message: string } {
  let caught: unknown;
  try {
    load(env, options);
  } catch (error) {
    caught = error;
  }
  expect(isConfigurationError(caught)).toBe(true);
  const error = caught as Error & { code: string };
  const shown = `${error.message}\n${inspect(error)}`;
  for (const line of vectorPem.split("\n")) if (line.length >= 8 && !line.startsWith("-----")) expect(shown).not.toContain(line);
  expect(shown).not.toContain(passphrase);
  expect(shown).not.toContain(token);
  return { code: error.code, message: error.message };
}

describe("credentials", () => {
  it("nothing set: an error naming the three variables", () => {
    for (const env of [{}, { ENCORD_SSH_KEY: "", ENCORD_SSH_KEY_FILE: "  ", ENCORD_BEARER_TOKEN: "" }]) {
      const { code, message } = loadError(env);
      expect(code).toBe("TA_ENCORD_CREDENTIALS");
      expect(message).toMatch(/ENCORD_SSH_KEY\b.*ENCORD_SSH_KEY_FILE.*ENCORD_BEARER_TOKEN/);
    }
  });

  it("ENCORD_SSH_KEY holds the key content", () => {
    const settings = load({ ENCORD_SSH_KEY: vectorPem });
    expect(settings.credentials.kind).toBe("ssh");
    if (settings.credentials.kind === "ssh") expect(settings.credentials.key.publicKeyHex).toBe(vectorPublicKeyHex);
    expect(settings.domain).toBe("https://api.encord.com");
    expect(settings.warnings).toEqual([]);
  });

  it("ENCORD_SSH_KEY holding an existing path: error telling to use ENCORD_SSH_KEY_FILE, naming the path", () => {
    const { code, message } = loadError({ ENCORD_SSH_KEY: keyFile });
    expect(code).toBe("TA_ENCORD_CREDENTIALS");
    expect(message).toContain(JSON.stringify(keyFile));
    expect(message).toMatch(/is a file path.*ENCORD_SSH_KEY_FILE/);
    expect(loadError({ ENCORD_SSH_KEY: "~/.ssh/id_ed25519" }).message).toMatch(/is a file path \("~\/\.ssh\/id_ed25519"\)/);
  });

  it("ENCORD_SSH_KEY that looks like a path: error telling to use ENCORD_SSH_KEY_FILE", () => {
    for (const value of ["/nonexistent/keys/id", "./id_ed25519", "id_ed25519", "C:\\Users\\me\\.ssh\\id_ed25519", "keys/encord.pem"]) {
      expect(loadError({ ENCORD_SSH_KEY: value }).message).toMatch(/looks like a file path.*ENCORD_SSH_KEY_FILE/);
    }
  });

  it("ENCORD_SSH_KEY with something else: the parser's message, naming ENCORD_SSH_KEY", () => {
    expect(loadError({ ENCORD_SSH_KEY: "not a key" }).message).toMatch(/^ENCORD_SSH_KEY does not hold an OpenSSH private key/);
    // A key body pasted without its BEGIN/END lines holds "/" but is no path.
    const body = vectorPem
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("-----"))
      .join("");
    expect(loadError({ ENCORD_SSH_KEY: body }).message).toMatch(/without its -----BEGIN OPENSSH PRIVATE KEY-----/);
  });

  it("ENCORD_SSH_KEY_FILE: read, ~ expanded, named in parse errors", () => {
    const settings = load({ ENCORD_SSH_KEY_FILE: "~/.ssh/id_ed25519" });
    expect(settings.credentials.kind === "ssh" && settings.credentials.key.publicKeyHex).toBe(vectorPublicKeyHex);
    expect(load({ ENCORD_SSH_KEY_FILE: keyFile }).credentials.kind).toBe("ssh");
    const garbage = join(dir.path, "garbage");
    writeFileSync(garbage, "hello");
    expect(loadError({ ENCORD_SSH_KEY_FILE: garbage }).message).toMatch(
      new RegExp(`^The file in ENCORD_SSH_KEY_FILE \\(${JSON.stringify(garbage).replaceAll("/", "\\/")}\\) does not hold an OpenSSH private key`),
    );
  });

  it("ENCORD_SSH_KEY_FILE missing, a folder, or unreadable: error naming the variable and the path", () => {
    const missing = join(dir.path, "nope", "id_ed25519");
    const absent = loadError({ ENCORD_SSH_KEY_FILE: missing });
    expect(absent.code).toBe("TA_ENCORD_CREDENTIALS");
    expect(absent.message).toBe(
      `ENCORD_SSH_KEY_FILE (${JSON.stringify(missing)}) does not exist. It must name a readable file holding an Ed25519 private key (e.g. ~/.ssh/id_ed25519).`,
    );
    expect(loadError({ ENCORD_SSH_KEY_FILE: "~/missing" }).message).toContain(`("~/missing" = ${JSON.stringify(join(home, "missing"))}) does not exist`);
    expect(loadError({ ENCORD_SSH_KEY_FILE: home }).message).toMatch(/is not a regular file/);
    const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    const unreadable = loadError(
      { ENCORD_SSH_KEY_FILE: keyFile },
      {
        readFile: () => {
          throw denied;
        },
      },
    );
    expect(unreadable.message).toContain(`ENCORD_SSH_KEY_FILE (${JSON.stringify(keyFile)}) is not readable`);
  });

  it("an injected readFile replaces the file system", () => {
    const read: string[] = [];
    const settings = load({ ENCORD_SSH_KEY_FILE: "/virtual/key" }, { readFile: (path) => (read.push(path), vectorPem) });
    expect(read).toEqual(["/virtual/key"]);
    expect(settings.credentials.kind).toBe("ssh");
  });

  it("both key variables: the key content wins, with a warning; the file is not read", () => {
    const settings = load({ ENCORD_SSH_KEY: vectorPem, ENCORD_SSH_KEY_FILE: "/does/not/exist" });
    expect(settings.credentials.kind === "ssh" && settings.credentials.key.publicKeyHex).toBe(vectorPublicKeyHex);
    expect(settings.warnings).toHaveLength(1);
    expect(settings.warnings[0]).toMatch(/Both ENCORD_SSH_KEY and ENCORD_SSH_KEY_FILE are set; using the key in ENCORD_SSH_KEY/);
  });

  it("ENCORD_SSH_KEY_PASSPHRASE unlocks an encrypted key; missing or wrong passphrase is an error", () => {
    const settings = load({ ENCORD_SSH_KEY_FILE: encryptedKeyFile, ENCORD_SSH_KEY_PASSPHRASE: passphrase });
    expect(settings.credentials.kind).toBe("ssh");
    expect(loadError({ ENCORD_SSH_KEY_FILE: encryptedKeyFile }).message).toMatch(/protected by a passphrase; set ENCORD_SSH_KEY_PASSPHRASE/);
    expect(loadError({ ENCORD_SSH_KEY_FILE: encryptedKeyFile, ENCORD_SSH_KEY_PASSPHRASE: "" }).message).toMatch(/protected by a passphrase/);
    expect(loadError({ ENCORD_SSH_KEY_FILE: encryptedKeyFile, ENCORD_SSH_KEY_PASSPHRASE: "wrong-wrong" }).message).toMatch(/wrong passphrase/);
  });

  it("ENCORD_BEARER_TOKEN when no SSH key is set; it never prints", () => {
    const settings = load({ ENCORD_BEARER_TOKEN: ` ${token}\n` });
    expect(settings.credentials.kind).toBe("bearer");
    if (settings.credentials.kind !== "bearer") return;
    expect(settings.credentials.token.reveal()).toBe(token);
    expect(inspect(settings, { depth: 10, showHidden: true })).not.toContain(token);
    expect(JSON.stringify(settings)).not.toContain(token);
    expect(`${String(settings.credentials.token)}`).toBe("BearerToken(<hidden>)");
    expect(load({ ENCORD_BEARER_TOKEN: `Bearer ${token}` }).credentials).toMatchObject({ kind: "bearer" });
    const prefixed = load({ ENCORD_BEARER_TOKEN: `Bearer ${token}` }).credentials;
    expect(prefixed.kind === "bearer" && prefixed.token.reveal()).toBe(token);
  });

  it("a bearer token with spaces or line breaks inside is refused without being quoted", () => {
    const { message } = loadError({ ENCORD_BEARER_TOKEN: `${token} ${token}` });
    expect(message).toMatch(/ENCORD_BEARER_TOKEN holds spaces, line breaks or non-ASCII/);
  });

  it("an SSH key and a bearer token: the SSH key wins, with a warning", () => {
    const settings = load({ ENCORD_SSH_KEY: vectorPem, ENCORD_BEARER_TOKEN: token });
    expect(settings.credentials.kind).toBe("ssh");
    expect(settings.warnings).toEqual([expect.stringMatching(/signing with the SSH key and ignoring ENCORD_BEARER_TOKEN/)]);
    expect(settings.warnings.join("\n")).not.toContain(token);
  });

  it("the loaded settings never print key material", () => {
    const settings = load({ ENCORD_SSH_KEY: vectorPem });
    const shown = `${inspect(settings, { depth: 10, showHidden: true })}\n${JSON.stringify(settings)}`;
    expect(shown).toContain(`Ed25519Key(${vectorPublicKeyHex})`);
    for (const line of vectorPem.split("\n")) if (line.length >= 8 && !line.startsWith("-----")) expect(shown).not.toContain(line);
  });
});

describe("ENCORD_DOMAIN", () => {
  const domain = (value: string | undefined): string => load({ ENCORD_SSH_KEY: vectorPem, ENCORD_DOMAIN: value }).domain;

  it("defaults to https://api.encord.com", () => {
    expect(domain(undefined)).toBe("https://api.encord.com");
    expect(domain("")).toBe("https://api.encord.com");
  });

  it("strips trailing slashes and keeps a path", () => {
    expect(domain("https://api.us.encord.com")).toBe("https://api.us.encord.com");
    expect(domain("https://api.annotation.encord.ai/")).toBe("https://api.annotation.encord.ai");
    expect(domain("https://encord.example.com/api//")).toBe("https://encord.example.com/api");
    expect(domain("http://localhost:8080/")).toBe("http://localhost:8080");
    expect(domain("  https://api.encord.com  ")).toBe("https://api.encord.com");
  });

  it("refuses what is not an absolute http(s) URL without query or fragment, listing accepted forms", () => {
    const cases: [string, RegExp][] = [
      ["api.us.encord.com", /is not an absolute URL/],
      ["/v2/public", /is not an absolute URL/],
      ["ftp://api.encord.com", /uses ftp, not http or https/],
      ["https://api.encord.com/?key=abc123secret", /has a query string/],
      ["https://api.encord.com/#frag", /has a fragment/],
      ["https://user:pw123@api.encord.com", /user name or password/],
      ["https://exa mple.com", /not a valid URL/],
    ];
    for (const [value, problem] of cases) {
      const { code, message } = loadError({ ENCORD_SSH_KEY: vectorPem, ENCORD_DOMAIN: value });
      expect(code).toBe("TA_ENCORD_DOMAIN");
      expect(message).toMatch(problem);
      expect(message).toMatch(/Accepted: an absolute http\(s\) URL without query or fragment, e\.g\. https:\/\/api\.encord\.com/);
      expect(message).not.toContain("abc123secret");
      expect(message).not.toContain("pw123");
    }
    expect(() => parseDomain("https://api.encord.com?x=1")).toThrow(/has a query string/);
  });
});

describe("hasEncordCredentials", () => {
  it("is true when any credential variable is set and not empty", () => {
    expect(hasEncordCredentials({})).toBe(false);
    expect(hasEncordCredentials({ ENCORD_SSH_KEY: "", ENCORD_SSH_KEY_FILE: " ", ENCORD_DOMAIN: "https://x", ENCORD_SSH_KEY_PASSPHRASE: "p" })).toBe(false);
    expect(hasEncordCredentials({ ENCORD_SSH_KEY: "x" })).toBe(true);
    expect(hasEncordCredentials({ ENCORD_SSH_KEY_FILE: "~/.ssh/id_ed25519" })).toBe(true);
    expect(hasEncordCredentials({ ENCORD_BEARER_TOKEN: "t" })).toBe(true);
  });
});
