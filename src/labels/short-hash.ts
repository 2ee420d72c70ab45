import { randomBytes } from "node:crypto";

/** A new object, classification or track hash: 6 random bytes in base64, as the SDK draws them. */
export function shortHash(): string {
  return randomBytes(6).toString("base64");
}
