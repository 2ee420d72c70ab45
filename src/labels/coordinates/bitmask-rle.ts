/**
 * COCO "compressed RLE" strings, the encoding of Encord's `bitmask.rleString`.
 *
 * A mask is a list of alternating run lengths, zeros first (so a mask that starts with a set pixel
 * starts with a 0 count). From the fourth count on, each is stored as the difference to the count two
 * places before. Every number is written as 5-bit groups, least significant first; each group becomes
 * one character (group + 48), 0x20 marks "more groups follow" and 0x10 in the last group is the sign.
 * Encord flattens the mask row by row (unlike COCO files, which go column by column).
 *
 * Arithmetic uses multiplication rather than bit shifts: shifts are 32-bit in JavaScript, and a
 * large frame's counts need more than six 5-bit groups.
 */
import { invalid } from "./validate.js";

/** Run lengths of a mask, zeros first. Non-zero / `true` entries are set pixels. */
export function maskToRleCounts(mask: ArrayLike<number | boolean>): number[] {
  const counts: number[] = [];
  let current = false;
  let run = 0;
  for (let i = 0; i < mask.length; i++) {
    const set = Boolean(mask[i]);
    if (set !== current) {
      counts.push(run);
      current = set;
      run = 0;
    }
    run++;
  }
  counts.push(run);
  return counts;
}

/** Run lengths → COCO compressed string. */
export function rleStringFromCounts(counts: readonly number[]): string {
  const chars: string[] = [];
  counts.forEach((count, i) => {
    let x = i > 2 ? count - (counts[i - 2] as number) : count;
    let more = true;
    while (more) {
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      // The last group's 0x10 bit is read back as a sign, so a positive value whose top group has it
      // set needs one more (zero) group, and a negative one stops only once the rest is all ones.
      more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(String.fromCharCode(c + 48));
    }
  });
  return chars.join("");
}

/** COCO compressed string → run lengths. Throws on characters or counts no encoder produces. */
export function rleCountsFromString(rleString: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < rleString.length) {
    let x = 0;
    let scale = 1;
    let more = true;
    while (more) {
      if (p >= rleString.length) {
        throw invalid(`RLE string ends in the middle of count ${counts.length}; a bitmask rleString is a complete COCO compressed RLE.`);
      }
      const c = rleString.charCodeAt(p) - 48;
      if (c < 0 || c > 63) {
        throw invalid(`RLE string has ${JSON.stringify(rleString[p])} at position ${p}; a COCO compressed RLE uses only characters "0" to "o".`);
      }
      x += (c & 0x1f) * scale;
      scale *= 32;
      more = (c & 0x20) !== 0;
      p++;
      if (!more && (c & 0x10) !== 0) x -= scale;
    }
    if (counts.length > 2) x += counts[counts.length - 2] as number;
    if (x < 0) throw invalid(`RLE string decodes to a negative run length (${x}) at count ${counts.length}; run lengths are 0 or more.`);
    counts.push(x);
  }
  return counts;
}

/**
 * Encodes a row-major mask. `length`, when given, is the pixel count the mask must have
 * (width × height); a mismatch throws rather than encoding a mask of the wrong size.
 */
export function encodeRle(mask: Uint8Array | ArrayLike<number | boolean>, length?: number): string {
  if (length !== undefined && mask.length !== length) {
    throw invalid(`Mask has ${mask.length} pixels but ${length} were expected; a mask holds width × height values, row by row.`);
  }
  return rleStringFromCounts(maskToRleCounts(mask));
}

/**
 * Decodes to `length` pixels (0/1, row-major). Runs that stop short leave the rest unset, as the SDK
 * does; runs that go past `length` throw, since the mask then belongs to a larger frame.
 */
export function decodeRle(rleString: string, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) {
    throw invalid(`Mask length ${length} is not accepted; the length is width × height, a non-negative integer.`);
  }
  const mask = new Uint8Array(length);
  let offset = 0;
  rleCountsFromString(rleString).forEach((count, i) => {
    if (offset + count > length) {
      throw invalid(`RLE string covers more than ${length} pixels; a bitmask's runs add up to width × height.`);
    }
    if (i % 2 === 1) mask.fill(1, offset, offset + count);
    offset += count;
  });
  return mask;
}

/** Total pixels covered by an RLE string, without allocating the mask. */
export function rleLength(rleString: string): number {
  return rleCountsFromString(rleString).reduce((sum, count) => sum + count, 0);
}
