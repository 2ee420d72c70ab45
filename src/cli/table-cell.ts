import stringWidth from "string-width";

/** The most terminal columns a table cell takes; longer text is cut with "…" (--json has it whole). */
export const maxCellWidth = 60;

/** Characters that move the cursor or print nothing (NUL, newline, tab, DEL, C1 controls). */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;
const namedEscapes: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Long text is cut to this many UTF-16 units before measuring, so a 100k-character title costs little. */
const measureLimit = maxCellWidth * 16;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The terminal columns `text` takes: East Asian wide characters and most emoji take two. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * Text as a table cell shows it: control characters written as escapes (`\n`, `\u0000`) so one
 * row stays one line, and cut to {@link maxCellWidth} columns with "…".
 */
export function tableCell(text: string): string {
  const head = text.length > measureLimit ? text.slice(0, measureLimit) : text;
  const escaped = head.replace(controlCharacters, (c) => namedEscapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (head === text && stringWidth(escaped) <= maxCellWidth) return escaped;
  // Cut between graphemes, so no wide character or emoji sequence is split.
  let cut = "";
  let width = 0;
  for (const { segment } of graphemes.segment(escaped)) {
    const segmentWidth = stringWidth(segment);
    if (width + segmentWidth > maxCellWidth - 1) break;
    cut += segment;
    width += segmentWidth;
  }
  return `${cut}…`;
}

/** The columns `text` takes once shown as a cell, for widths fixed before rows are known. */
export function cellWidth(text: string): number {
  return stringWidth(tableCell(text));
}

/** A cell padded with spaces to `width` columns (measured as a terminal shows it). */
export function padCell(cell: string, width: number, align: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, width - stringWidth(cell)));
  return align === "right" ? fill + cell : cell + fill;
}
