/** A key given twice in one JSON object: where (path and position of the second one). */
export interface DuplicateJsonKey {
  readonly key: string;
  /** The object holding it, as `workflow.stages[1]`; "" for the top-level object. */
  readonly objectPath: string;
  readonly line: number;
  readonly column: number;
}

interface Frame {
  readonly path: string;
  /** The keys seen so far; undefined for an array. */
  readonly keys: Set<string> | undefined;
  expectingKey: boolean;
  lastKey: string;
  index: number;
}

/**
 * The first key that appears twice in one object of `text`, which must be valid JSON (parse it
 * first). JSON.parse keeps the last value without a word, while the YAML reader refuses
 * duplicates; this one pass makes JSON input as strict. Not done with the yaml package, which
 * reads JSON too: it builds a whole document per call, too heavy for every line of a big
 * manifest, where this is one pass over characters JSON.parse has just read.
 */
export function findDuplicateJsonKey(text: string): DuplicateJsonKey | undefined {
  const frames: Frame[] = [];
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) {
      line++;
      lineStart = i + 1;
    } else if (code === 0x22) {
      // A string: valid JSON has no raw newline in one, so lines are counted outside them only.
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          escaped = true;
          i++;
        }
      }
      const frame = frames.at(-1);
      if (frame?.keys !== undefined && frame.expectingKey) {
        const raw = text.slice(start + 1, i);
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : raw;
        if (frame.keys.has(key)) return { key, objectPath: frame.path, line, column: start - lineStart + 1 };
        frame.keys.add(key);
        frame.lastKey = key;
        frame.expectingKey = false;
      }
    } else if (code === 0x7b || code === 0x5b) {
      const parent = frames.at(-1);
      const path =
        parent === undefined
          ? ""
          : parent.keys === undefined
            ? `${parent.path}[${parent.index}]`
            : parent.path === ""
              ? parent.lastKey
              : `${parent.path}.${parent.lastKey}`;
      frames.push({ path, keys: code === 0x7b ? new Set() : undefined, expectingKey: true, lastKey: "", index: 0 });
    } else if (code === 0x7d || code === 0x5d) {
      frames.pop();
    } else if (code === 0x2c) {
      const frame = frames.at(-1);
      if (frame?.keys !== undefined) frame.expectingKey = true;
      else if (frame !== undefined) frame.index++;
    }
  }
  return undefined;
}

/**
 * "key "title" appears twice in workflow.stages[1] (the second time at line 7, column 9)"; for
 * one line of a JSON Lines file (`oneLine`), only the column.
 */
export function describeDuplicateJsonKey(duplicate: DuplicateJsonKey, oneLine = false): string {
  const where = duplicate.objectPath === "" ? "the top-level object" : duplicate.objectPath;
  const at = oneLine ? `column ${duplicate.column}` : `line ${duplicate.line}, column ${duplicate.column}`;
  return `key ${JSON.stringify(duplicate.key)} appears twice in ${where} (the second time at ${at})`;
}
