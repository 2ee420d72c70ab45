import type { Range } from "../frames.js";
import { invalid, lenient, requireArray, requireInteger, requireRecord, requireString } from "./validate.js";

/**
 * An inclusive range of the media: milliseconds for audio, character offsets for text.
 * @deprecated The same shape as {@link Range}; use that name.
 */
export type Span = Range;

function readSpans(value: unknown, label: string, unit: string): readonly Range[] {
  const spans = requireArray(value, `${label} range`, `a range is a list of {start, end} in ${unit}`);
  if (!lenient() && spans.length === 0) {
    throw invalid(`${label} range is empty; give at least one {start, end} in ${unit}.`);
  }
  const accepted = `start and end are ${unit}, integers from 0, with start ≤ end`;
  return Object.freeze(
    spans.map((span, i) => {
      const s = requireRecord(span, `${label} range ${i}`, `give {start, end} in ${unit}`);
      const start = requireInteger(s.start, `${label} range ${i} start`, 0, accepted);
      const end = requireInteger(s.end, `${label} range ${i} end`, 0, accepted);
      if (!lenient() && start > end) throw invalid(`${label} range ${i} starts at ${start} after its end ${end}; ${accepted}.`);
      return Object.freeze({ start, end });
    }),
  );
}

function spansToWire(spans: readonly Range[]): number[][] {
  return spans.map((s) => [s.start, s.end]);
}

/** Where an audio object sits: spans in milliseconds. */
export class AudioCoordinates {
  readonly shape = "audio";
  readonly range: readonly Range[];

  constructor(options: { readonly range: readonly Range[] }) {
    const o = requireRecord(options, "Audio coordinates", "give {range: [{start, end}, ...]} in milliseconds");
    this.range = readSpans(o.range, "Audio", "milliseconds");
    Object.freeze(this);
  }

  toAnswerFields(): Record<string, unknown> {
    return { range: spansToWire(this.range) };
  }
}

/** Where a plain-text object sits: spans of character offsets. */
export class TextCoordinates {
  readonly shape = "text";
  readonly range: readonly Range[];

  constructor(options: { readonly range: readonly Range[] }) {
    const o = requireRecord(options, "Text coordinates", "give {range: [{start, end}, ...]} in characters");
    this.range = readSpans(o.range, "Text", "characters");
    Object.freeze(this);
  }

  toAnswerFields(): Record<string, unknown> {
    return { range: spansToWire(this.range) };
  }
}

/** A position in an HTML document: a node and a character offset inside it. */
export interface HtmlNode {
  readonly xpath: string;
  readonly offset: number;
}

export interface HtmlSpan {
  readonly start: HtmlNode;
  readonly end: HtmlNode;
}

function readNode(value: unknown, what: string): HtmlNode {
  const n = requireRecord(value, what, "an HTML position is {xpath, offset}");
  const xpath = requireString(n.xpath, `${what} xpath`);
  const offset = requireInteger(n.offset, `${what} offset`, 0, "an offset counts characters from 0");
  return Object.freeze({ xpath, offset });
}

/** Where an object sits in an HTML document; both HTML and plain text objects have shape "text". */
export class HtmlCoordinates {
  readonly shape = "text";
  readonly range: readonly HtmlSpan[];

  constructor(options: { readonly range: readonly HtmlSpan[] }) {
    const o = requireRecord(options, "HTML coordinates", "give {range: [{start: {xpath, offset}, end: {xpath, offset}}, ...]}");
    const spans = requireArray(o.range, "HTML range", "a range is a list of {start: {xpath, offset}, end: {xpath, offset}}");
    if (!lenient() && spans.length === 0) {
      throw invalid("HTML range is empty; give at least one {start: {xpath, offset}, end: {xpath, offset}}.");
    }
    this.range = Object.freeze(
      spans.map((span, i) => {
        const s = requireRecord(span, `HTML range ${i}`, "give {start: {xpath, offset}, end: {xpath, offset}}");
        return Object.freeze({ start: readNode(s.start, `HTML range ${i} start`), end: readNode(s.end, `HTML range ${i} end`) });
      }),
    );
    Object.freeze(this);
  }

  /** The SDK writes an empty `range` next to `range_html`. */
  toAnswerFields(): Record<string, unknown> {
    return {
      range_html: this.range.map((s) => ({
        start: { xpath: s.start.xpath, offset: s.start.offset },
        end: { xpath: s.end.xpath, offset: s.end.offset },
      })),
      range: [],
    };
  }
}

/** Wire `range: [[start, end], ...]` → spans. */
export function spansFromWire(value: unknown, what: string): Range[] {
  return requireArray(value, what, "range is [[start, end], ...]").map((pair, i) => {
    const p = requireArray(pair, `${what}[${i}]`, "each range is [start, end]");
    if (p.length !== 2) throw invalid(`${what}[${i}] has ${p.length} numbers; each range is [start, end].`);
    return { start: p[0] as number, end: p[1] as number };
  });
}
