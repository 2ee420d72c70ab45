import { describe, expect, test } from "vitest";
import { AudioCoordinates, audioRangeToSamples, isConfigurationError, samplesToAudioRange } from "../../src/index.js";

describe("audioRangeToSamples", () => {
  test.each([
    [{ start: 0, end: 1000 }, 16000, { start: 0, end: 16000 }],
    [{ start: 250, end: 500 }, 16000, { start: 4000, end: 8000 }],
    [{ start: 1000, end: 2000 }, 44100, { start: 44100, end: 88200 }],
    // Not whole samples: the start rounds down, the end up, so the span is covered.
    [{ start: 1, end: 2 }, 22050, { start: 22, end: 45 }],
    // A zero-length span still covers the sample playing then.
    [{ start: 500, end: 500 }, 8000, { start: 4000, end: 4001 }],
  ])("%j at %d Hz is samples %j", (span, rate, expected) => {
    expect(audioRangeToSamples(span, rate)).toEqual(expected);
  });

  test("takes the spans of AudioCoordinates as they are", () => {
    const coordinates = new AudioCoordinates({
      range: [
        { start: 100, end: 200 },
        { start: 900, end: 1000 },
      ],
    });
    expect(coordinates.range.map((span) => audioRangeToSamples(span, 16000))).toEqual([
      { start: 1600, end: 3200 },
      { start: 14400, end: 16000 },
    ]);
  });

  test.each([
    [{ start: 10, end: 5 }, 16000, /\{"start":10,"end":5\} is not accepted; a span is \{ start, end \} in milliseconds, numbers from 0 with start ≤ end/],
    [{ start: -1, end: 5 }, 16000, /not accepted/],
    [{ start: 0 }, 16000, /not accepted/],
    [{ start: 0, end: 5 }, 0, /sampleRate must be a number of samples per second above 0, got 0/],
  ])("%j at %d is a TA_INVALID_ARGUMENT", (span, rate, message) => {
    let error: unknown;
    try {
      audioRangeToSamples(span as never, rate);
    } catch (caught) {
      error = caught;
    }
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe("samplesToAudioRange", () => {
  test("gives the milliseconds that cover the samples, and maps back onto them", () => {
    expect(samplesToAudioRange({ start: 8000, end: 24000 }, 16000)).toEqual({ start: 500, end: 1500 });
    expect(samplesToAudioRange({ start: 22, end: 45 }, 22050)).toEqual({ start: 0, end: 3 });
    for (const range of [
      { start: 0, end: 1 },
      { start: 12345, end: 67890 },
      { start: 44099, end: 44101 },
    ]) {
      const back = audioRangeToSamples(samplesToAudioRange(range, 44100), 44100);
      expect(back.start).toBeLessThanOrEqual(range.start);
      expect(back.end).toBeGreaterThanOrEqual(range.end);
    }
  });

  test("an empty or backwards range is refused", () => {
    expect(() => samplesToAudioRange({ start: 5, end: 5 }, 16000)).toThrow(/whole numbers from 0 with start < end \(end exclusive\)/);
  });
});
