import { writeChunk, type OutputStream } from "./cli-io.js";
import { displayWidth, padCell, tableCell } from "./table-cell.js";

/** A column of a plain-text table. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Fixed width in terminal columns (see cellWidth), for tables streamed before all rows are known. */
  readonly width?: number;
  readonly align?: "left" | "right";
}

function formatLine<Row>(columns: readonly Column<Row>[], widths: readonly number[], cells: readonly string[]): string {
  return cells
    .map((cell, i) => (i === cells.length - 1 && columns[i]!.align !== "right" ? cell : padCell(cell, widths[i]!, columns[i]!.align)))
    .join("  ")
    .trimEnd();
}

/**
 * Renders rows as an aligned table with a header line. Cells are shown as {@link tableCell} makes
 * them (control characters escaped, long text cut) and aligned by the columns a terminal gives them.
 */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => tableCell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))));
  return [columns.map((c) => c.header), ...cells].map((line) => formatLine(columns, widths, line)).join("\n") + "\n";
}

/**
 * Streams a table whose column widths are fixed up front (`width`), page by page, so a listing of
 * any length is never held in memory.
 */
export async function streamTable<Row>(
  stream: OutputStream,
  columns: readonly Column<Row>[],
  pages: AsyncIterable<readonly Row[]> | Iterable<readonly Row[]>,
): Promise<number> {
  const widths = columns.map((c) => Math.max(displayWidth(c.header), c.width ?? 0));
  await writeChunk(
    stream,
    formatLine(
      columns,
      widths,
      columns.map((c) => c.header),
    ) + "\n",
  );
  let count = 0;
  for await (const rows of pages) {
    if (rows.length === 0) continue;
    count += rows.length;
    await writeChunk(
      stream,
      rows
        .map((row) =>
          formatLine(
            columns,
            widths,
            columns.map((c) => tableCell(c.value(row))),
          ),
        )
        .join("\n") + "\n",
    );
  }
  return count;
}

/** Streams one JSON object per line. */
export async function streamJsonLines<Row>(
  stream: OutputStream,
  pages: AsyncIterable<readonly Row[]> | Iterable<readonly Row[]>,
  toJson: (row: Row) => unknown,
): Promise<number> {
  let count = 0;
  for await (const rows of pages) {
    if (rows.length === 0) continue;
    count += rows.length;
    await writeChunk(stream, rows.map((row) => JSON.stringify(toJson(row))).join("\n") + "\n");
  }
  return count;
}

/** Writes one JSON object as a line. */
export function writeJsonLine(stream: OutputStream, value: unknown): void {
  stream.write(JSON.stringify(value) + "\n");
}
