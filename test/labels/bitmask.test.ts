import { describe, expect, it } from "vitest";
import {
  BitmaskCoordinates,
  decodeRle,
  encodeRle,
  frameCoordinatesFromEntry,
  maskToRleCounts,
  rleCountsFromString,
  rleStringFromCounts,
} from "../../src/labels/coordinates/index.js";
import { expectLabelError } from "../support/label-errors.js";

/**
 * Known answers worked out by hand from the COCO algorithm (zeros first; counts from index 3 on
 * stored as the difference to count i-2; 5-bit groups, least significant first, char = group + 48,
 * 0x20 = more groups follow, 0x10 in the last group = negative).
 */
const HAND_VECTORS: readonly { name: string; counts: number[]; rle: string }[] = [
  // 0 0 0 0 0 1 1 0 0 0 0 0: single digits, no differences yet.
  { name: "one run of ones", counts: [5, 2, 5], rle: "525" },
  // 16 = 0b10000 sets the sign bit of its only group, so a zero group must follow ("`" = 0x30 + 48).
  // 100 = 4 + 3·32 → "T" (4 | 0x20) then "3". 40 is stored as 40 - 100 = -60 = 4 + (-2)·32:
  // "T" (4 | 0x20) then -2 → 30 with the sign bit → "N".
  { name: "sign bit, two groups and a negative difference", counts: [16, 100, 3, 40], rle: "`0T33TN" },
  // A mask that starts with a set pixel starts with a zero run.
  { name: "mask starting with a set pixel", counts: [0, 2, 1], rle: "021" },
];

/**
 * Encoded by the SDK's own test (tests/objects/test_bitmask.py): a 2294 × 1914 mask. Its runs must
 * add up to exactly that many pixels and it must re-encode to the same string.
 */
const SDK_TEST_RLE =
  "V[^i0g1Rj1101Df0D2N2G?H20OJ;J2O001I<J000J<J0O2J:J101J7M2O0N4M2N1L6M2OOK<I20ON4L3O000J9M001I8N0O1N201" +
  "N1K7M2O0N4M2O0K7M2OOL6N100N4M2O0O1K8L100J60001I8N0O1N2O101J7M100K5O100N2O10001I8N0O1N200O1K5O2O0K7M2" +
  "N001O2N0L501OOO3N10OK8M3N000J60000M211N1K402OOO2O2OOL5O2OOL6N10OO3N100K5O100O1N102O0J511OOK601N0O201" +
  "N0L5O2OOO3N11NN1110OL6N011O0M211N0L3110OO2O2OOL5O2OOO2O2N00O1010K5O100O0O020O1K5O10OO10010M300O0L320" +
  "O0O3O000J32100NO21000NO1200OK420O1N201N0L31010N01010NO2100KO5100NO2011NOM3110OO10010NM401OL041O00L41" +
  "O0L05O10NL421OO0NN500OK06000M12O01NM5O00OM410OL0411NN11010NL51000OK150O0OL61N0O0110OL04010NL51O1ON21" +
  "00KO510OOM4010O0O0110OL0410OO0110OOM41O0L05O01N02O10NL421OK212000ONM600ONO4O00L4001OOM410OO0110OL040" +
  "10NL51000ON120O0LO61N0O0110OOM4010K31001ON2100NL5100K22100OO0M410OO0110OO1001OOM41O0L320O0OM5O10N001" +
  "2ONO12000OK1500ON21O00OM50O0O0110OO01010KO5100NO21000NON51ONO120O1K31010NM401OO0110OOM411NN1110OL040" +
  "100ON120O0O0110OOM410OL311O00O11O00L4010NO2100NO2100O0LO52OOOO22OOO0110OOM4001K32O01NO211ONL421NO001" +
  "100ON1200ONO4O00O11O00O020O0OM50O0O0102ON001100ONN500OK4200ON120O0OM410OO01010N0102OMM5100NO21000ON0" +
  "31OONM60O1N02O01N01010NL5100NO211NK4110OO010100ONN50O0O11O00O1001OOM410OO0110OO01010N010100ONN500ON1" +
  "20O0O020O0O0110OO0110OOM402OON3000NO21000ON1200ONM61N0O020O0O0110OO01010N0102OMM5100NO21000NO121OO1M" +
  "30O1NM5O00O1001OO0111N1N111NN1111NOM31100O1N200ON21O1O2N001OOM410O1N20O00O10100N2O100ON1200O1N20O0O1" +
  "002N1K411N1N111N1N2O10M1102OON4O00O02M110O2M110OO0111N1N111N1N111N0O2O2OON30000M30000O2J410O2M111N1N" +
  "111N1N111N1N102OON301OON30000O1N200O2L220N3L201N1N111N1N102O0N102O2K4O00ON4O00O02M201O2M11OO1N200O3L" +
  "3O0O1N200O4K2O100M30003J30000000001N4K111N3L201N3L201N10O20N3L3N102L3N103J30001N3L201N2J6O1N6I201N3L" +
  "201N3L3N106E5O106D60002M6E610M7F501N8B8N2N<ZO;01NgRhi1";

/** A bitmask from a real Encord export of a 512 × 512 frame (public example data). */
const REAL_512_RLE =
  "dVW16h?4N0O2N2`@FV?e0L3N2M2O2M2N2N2M3O001M2O10001O0000O02N10O1O1O01000001O00010O0000000O2O01O010O010" +
  "O000010O0010O010O10O010O0100O01000O01000O10000O010O10O01000O1000000OO2000O0100O010O10O01000000O100O0" +
  "010O0100O001O001O1O1O1O10O01O1O00100O1O010O010O1O100O100O00100O10000O1000OO2000O10000N200000000O0100" +
  "000000000000000O10000000000O100000000000000000000000000000000000000000000000000000O10000O2O00000O100" +
  "0000O10001O00001O0001O0000000000000002OO00001O01O000001O0010O0002N001O001O010O00010O001O00010O00010O" +
  "010O10O01O01O01O00010O010O00010O00100O10O01O01O0100000O100000O0100O010O010000O0100O11OO2OO01O010O100" +
  "0000O100O01000000010O010O02N1O10O2N1N2O2M2N1O2M4M2M3M103Kbif1";

/** Deterministic pseudo-random masks (xorshift32), so a failure can be reproduced. */
function randomMask(length: number, seed: number, density: number): Uint8Array {
  let state = seed >>> 0 || 1;
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    mask[i] = state / 0x1_0000_0000 < density ? 1 : 0;
  }
  return mask;
}

/** Index of the first differing pixel, or -1; `toEqual` on 300k-element typed arrays takes seconds. */
function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

describe("COCO compressed RLE strings", () => {
  for (const vector of HAND_VECTORS) {
    it(`encodes and decodes a hand-worked vector: ${vector.name}`, () => {
      expect(rleStringFromCounts(vector.counts)).toBe(vector.rle);
      expect(rleCountsFromString(vector.rle)).toEqual(vector.counts);
    });
  }

  it("turns a hand-worked mask into its runs and string", () => {
    const mask = [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
    expect(maskToRleCounts(mask)).toEqual([5, 2, 5]);
    expect(encodeRle(mask)).toBe("525");
    expect([...decodeRle("525", 12)]).toEqual(mask);
  });

  it("decodes alternating pixels as the SDK's zebra test expects", () => {
    expect([...decodeRle(rleStringFromCounts([1, 1, 1, 1, 1, 1, 1, 1]), 8)]).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it("reads the SDK's own test string: 2294 × 1914 pixels, re-encoded byte for byte", () => {
    const counts = rleCountsFromString(SDK_TEST_RLE);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1914 * 2294);
    expect(rleStringFromCounts(counts)).toBe(SDK_TEST_RLE);
    expect(decodeRle(SDK_TEST_RLE, 1914 * 2294)).toHaveLength(1914 * 2294);
  });

  it("reads a real 512 × 512 Encord mask: every pixel covered once, re-encoded byte for byte", () => {
    const counts = rleCountsFromString(REAL_512_RLE);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(512 * 512);
    expect(counts.slice(0, 4)).toEqual([40148, 6, 504, 10]);
    const mask = decodeRle(REAL_512_RLE, 512 * 512);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(11697);
    expect(mask.indexOf(1)).toBe(40148);
    expect(encodeRle(mask)).toBe(REAL_512_RLE);
  });

  it("handles counts that need more than six 5-bit groups", () => {
    const counts = [2 ** 33, 5, 2 ** 31 + 7, 1];
    expect(rleCountsFromString(rleStringFromCounts(counts))).toEqual(counts);
  });

  it("rejects characters outside the alphabet, truncated counts and overlong masks", () => {
    expectLabelError(() => rleCountsFromString("52 5"), '" "', "position 2", '"0" to "o"');
    expectLabelError(() => rleCountsFromString("5T"), "ends in the middle of count 1");
    expectLabelError(() => decodeRle("525", 11), "more than 11 pixels");
    expectLabelError(() => encodeRle([0, 1, 1], 4), "3 pixels but 4 were expected");
  });

  it("leaves pixels past short runs unset, as the SDK does", () => {
    expect([...decodeRle("23", 7)]).toEqual([0, 0, 1, 1, 1, 0, 0]);
  });
});

describe("BitmaskCoordinates", () => {
  it("flattens row by row: a 3 × 3 mask whose row and column orders give different strings", () => {
    const rows = [
      [1, 1, 0],
      [0, 0, 0],
      [0, 1, 1],
    ];
    const bitmask = BitmaskCoordinates.fromArray(rows.flat(), { width: 3, height: 3 });
    // Row-major 1 1 0 0 0 0 0 1 1 → runs [0, 2, 5, 2] → "0", "2", "5", then 2 - 2 = 0 → "0250".
    // Column-major (COCO files) would be 1 0 0 1 0 1 0 0 1 → "0120O010".
    expect(bitmask.rleString).toBe("0250");
    expect(rleStringFromCounts([0, 1, 2, 1, 1, 1, 2, 1])).toBe("0120O010");
    expect([...bitmask.toArray()]).toEqual(rows.flat());
    expect(bitmask.toFrameFields()).toEqual({ bitmask: { top: 0, left: 0, width: 3, height: 3, rleString: "0250" } });
    expect(bitmask.shape).toBe("bitmask");
  });

  it("keeps the row order for a non-square mask (width 4, height 2)", () => {
    const mask = [0, 0, 0, 1, 1, 0, 0, 0];
    const bitmask = BitmaskCoordinates.fromArray(mask, { width: 4, height: 2 });
    expect(rleCountsFromString(bitmask.rleString)).toEqual([3, 2, 3]);
    expect([...bitmask.toArray()]).toEqual(mask);
  });

  it.each([
    { width: 1, height: 1, seed: 1 },
    { width: 7, height: 3, seed: 2 },
    { width: 640, height: 480, seed: 3 },
  ])("round-trips random $width×$height masks", ({ width, height, seed }) => {
    for (const density of [0.05, 0.5, 0.95]) {
      const mask = randomMask(width * height, seed * 101 + Math.round(density * 100), density);
      const bitmask = BitmaskCoordinates.fromArray(mask, { width, height });
      expect(firstDifference(bitmask.toArray(), mask)).toBe(-1);
      const again = BitmaskCoordinates.fromRle({ rleString: bitmask.rleString, width, height });
      expect(again.rleString).toBe(bitmask.rleString);
      expect(firstDifference(again.toArray(), mask)).toBe(-1);
      expect(firstDifference(decodeRle(encodeRle(mask), mask.length), mask)).toBe(-1);
    }
  });

  it("encodes all-zero and all-one masks", () => {
    const zeros = BitmaskCoordinates.fromArray(new Uint8Array(640 * 480), { width: 640, height: 480 });
    expect(rleCountsFromString(zeros.rleString)).toEqual([640 * 480]);
    expect(zeros.toArray().every((v) => v === 0)).toBe(true);

    const ones = BitmaskCoordinates.fromArray(new Uint8Array(640 * 480).fill(1), { width: 640, height: 480 });
    expect(rleCountsFromString(ones.rleString)).toEqual([0, 640 * 480]);
    expect(ones.toArray().every((v) => v === 1)).toBe(true);

    const single = BitmaskCoordinates.fromArray([true], { width: 1, height: 1 });
    expect(single.rleString).toBe("01");
    expect([...single.toArray()]).toEqual([1]);
  });

  it("treats any non-zero value and true as set", () => {
    const bitmask = BitmaskCoordinates.fromArray([0, 255, false, true, 0.5, 0], { width: 3, height: 2 });
    expect([...bitmask.toArray()]).toEqual([0, 1, 0, 1, 1, 0]);
  });

  it("rejects a mask whose length is not width × height", () => {
    expectLabelError(() => BitmaskCoordinates.fromArray(new Uint8Array(10), { width: 4, height: 3 }), "10 values", "4×3 = 12", "row by row");
  });

  it("rejects sizes that are not positive integers", () => {
    expectLabelError(() => BitmaskCoordinates.fromArray([], { width: 0, height: 3 }), "Bitmask width", "positive integers");
    expectLabelError(() => BitmaskCoordinates.fromArray([1], { width: 1, height: 1.5 }), "Bitmask height 1.5", "positive integers");
    expectLabelError(() => BitmaskCoordinates.fromRle({ rleString: "1", width: 1, height: 1, top: -1 }), "Bitmask top -1", "pixel offsets");
  });

  it("rejects an RLE string that does not cover width × height", () => {
    expectLabelError(() => BitmaskCoordinates.fromRle({ rleString: "525", width: 4, height: 4 }), "covers 12 pixels", "4×4 (16)");
  });

  it("checks that it covers the whole media frame", () => {
    const bitmask = BitmaskCoordinates.fromArray(new Uint8Array(200), { width: 10, height: 20 });
    expect(() => bitmask.checkFitsMedia(10, 20)).not.toThrow();
    expectLabelError(() => bitmask.checkFitsMedia(100, 200), "Bitmask is 10×20 but the image is 100×200; a bitmask covers the whole frame.");
  });

  it("reads a wire entry leniently but keeps its values as they are", () => {
    const entry = {
      objectHash: "bm000001",
      shape: "bitmask",
      bitmask: { top: 0, left: 0, width: 512, height: 512, rleString: REAL_512_RLE },
    };
    const coordinates = frameCoordinatesFromEntry(entry);
    expect(coordinates).toBeInstanceOf(BitmaskCoordinates);
    expect(coordinates.toFrameFields()).toEqual({ bitmask: entry.bitmask });
  });

  it("is immutable", () => {
    const bitmask = BitmaskCoordinates.fromArray([1, 0], { width: 2, height: 1 });
    expect(Object.isFrozen(bitmask)).toBe(true);
    expect(() => {
      (bitmask as { width: number }).width = 3;
    }).toThrow(TypeError);
  });
});
