import { randomBytes } from "node:crypto";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for any 8-4-4-4-12 hex string. Encord UUIDs do not always carry RFC version and variant
 * nibbles, so this is deliberately looser than RFC 4122.
 */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

let lastMs = 0;
let sequence = 0;
// Random bytes are drawn 4 KiB at a time: one system call per 256 ids instead of one per id.
const poolSize = 4096;
let pool = Buffer.alloc(0);
let poolOffset = poolSize;

function randomSixteen(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(poolSize);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

/**
 * A time-ordered UUID (RFC 9562 version 7) for rows the store creates. Ids made one after
 * another sort together, so bulk inserts append to the key indexes instead of scattering
 * writes over every page. A 12-bit counter keeps ids made within the same millisecond in order.
 */
export function timeOrderedUuid(): string {
  const now = Date.now();
  sequence = now === lastMs ? (sequence + 1) & 0xfff : 0;
  lastMs = now;
  const bytes = randomSixteen();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
