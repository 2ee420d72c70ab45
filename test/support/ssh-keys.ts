/**
 * SSH keys for the Encord tests: the protocol notes' test-vector key (§1.7), and real keys made
 * at test time with ssh-keygen (never checked in).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The §1.7 vector key: seed 00 01 … 1f. */
export const vectorSeedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
export const vectorPublicKeyHex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
export const vectorPem = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUx
OQAAACADoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuAAAAIiG+2mPhvtpjwAAAAtzc2gt
ZWQyNTUxOQAAACADoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuAAAAEAAAQIDBAUGBwgJ
CgsMDQ4PEBESExQVFhcYGRobHB0eHwOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4AAAA
AAECAwQF
-----END OPENSSH PRIVATE KEY-----
`;

/** Runs ssh-keygen or openssl, saying how to install it when it is missing (CI installs both). */
export function runKeyTool(tool: "ssh-keygen" | "openssl", args: readonly string[]): void {
  try {
    execFileSync(tool, args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") {
      throw new Error(`${tool} is not installed; these tests need it (apt-get install ${tool === "ssh-keygen" ? "openssh-client" : "openssl"}).`);
    }
    throw error;
  }
}

/** Writes a new key to `file` (and `file.pub`): `ssh-keygen -t <type> -N <passphrase>`. */
export function sshKeygen(file: string, options: { type?: string; passphrase?: string; comment?: string; extra?: readonly string[] } = {}): void {
  runKeyTool("ssh-keygen", [
    "-q",
    "-t",
    options.type ?? "ed25519",
    ...(options.extra ?? []),
    "-N",
    options.passphrase ?? "",
    "-C",
    options.comment ?? "test@example",
    "-f",
    file,
  ]);
}

/** The raw public key of a `.pub` file (`ssh-ed25519 AAAA… comment`): the last 32 bytes of the blob, hex. */
export function publicKeyHexOf(pubFile: string): string {
  const blob = Buffer.from(readFileSync(pubFile, "utf8").split(" ")[1] ?? "", "base64");
  return blob.subarray(blob.length - 32).toString("hex");
}
