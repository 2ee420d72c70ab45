/**
 * The bytes the Python SDK puts on the wire, reproduced: query strings as `requests` encodes a
 * params dict, and JSON bodies as `json.dumps` writes them. Signatures cover these bytes, so what
 * is signed must be exactly what is sent.
 */
import { ConfigurationError } from "../../domain/errors.js";

export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | null | undefined;

/**
 * `requests`' encoding of a params dict (`urlencode(..., doseq=True)`, `quote_plus` rules):
 * keys in insertion order, lists as repeated keys, booleans `True`/`False`, null/undefined
 * omitted (also inside lists), Dates as ISO-8601 (see {@link pythonIsoFormat}); UTF-8, space →
 * `+`, `A-Za-z0-9_.-~` kept, everything else `%XX` (uppercase). No leading `?`; `""` when empty.
 */
export function encodeQuery(params: Readonly<Record<string, QueryValue>>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    const values: readonly unknown[] = Array.isArray(value) ? (value as readonly unknown[]) : [value];
    for (const item of values) {
      if (item === null || item === undefined) continue;
      pairs.push(`${quotePlus(key)}=${quotePlus(queryText(key, item))}`);
    }
  }
  return pairs.join("&");
}

function queryText(key: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pythonNumber(value, `query parameter ${JSON.stringify(key)}`);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return pythonIsoFormat(value);
  throw new ConfigurationError(
    "TA_INVALID_ARGUMENT",
    `Query parameter ${JSON.stringify(key)} has a ${typeof value} value; accepted: strings, ` +
      `numbers, booleans, Dates, lists of strings or numbers, null/undefined (omitted).`,
  );
}

const unreserved = /^[A-Za-z0-9_.\-~]$/;

/** Python's `urllib.parse.quote_plus(text)` (UTF-8, safe set empty). */
export function quotePlus(text: string): string {
  assertWellFormed(text, "a query parameter");
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && unreserved.test(char)) out += char;
    else if (byte === 0x20) out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * A Date as Python's `datetime.isoformat()` of the same UTC instant: `2024-02-01T00:02:03+00:00`,
 * with `.mmm000` microseconds only when the milliseconds are not zero. (For another UTC offset,
 * such as `2024-02-01T01:02:03+01:00`, pass the string.)
 */
export function pythonIsoFormat(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", "An invalid Date cannot be sent to Encord; accepted: a valid Date or an ISO-8601 string.");
  }
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ (or ±YYYYYY- for far years)
  const [withoutMillis, millis = "000"] = iso.slice(0, -1).split(".");
  return `${withoutMillis}${millis === "000" ? "" : `.${millis}000`}+00:00`;
}

/**
 * Python's text for a number as `str()`/`repr()`/`json.dumps` write it. Safe integers are written
 * as ints; other values as Python floats (`1e-05`, `1e+16`). JS cannot tell `1.0` from `1`, so an
 * integral float is written `1`, which a JSON or query parser reads back as the same value.
 */
export function pythonNumber(value: number, where = "a value"): string {
  if (!Number.isFinite(value)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${where.charAt(0).toUpperCase() + where.slice(1)} is ${String(value)}; Encord accepts only finite numbers (JSON has no NaN or Infinity).`,
    );
  }
  if (Number.isSafeInteger(value)) return Object.is(value, -0) ? "0" : String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  // Python switches to exponent notation below 1e-4 and from 1e16, with at least two exponent digits.
  const [mantissa = "", exponent = "0"] = value.toExponential().split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  const digits = exponent.replace(/^[+-]/, "").padStart(2, "0");
  return `${mantissa}e${sign}${digits}`;
}

/**
 * Python's `json.dumps(value)` with default settings: separators `", "` and `": "`, keys in
 * insertion order, `ensure_ascii=True` (everything outside space…`~` escaped as lowercase
 * `\uXXXX`, astral characters as surrogate pairs), NaN/Infinity rejected. Like `JSON.stringify`,
 * `toJSON()` is honoured (Dates go through {@link pythonIsoFormat} instead), undefined, functions
 * and symbols are left out of objects and become `null` in arrays.
 */
export function pythonJsonDumps(value: unknown): string {
  let out: string | undefined;
  try {
    out = plainDump(value, 0);
  } catch (error) {
    if (error !== notPlain) throw error;
    out = undefined;
  }
  try {
    out ??= dump(value, new Set());
  } catch (error) {
    if (error instanceof UnserialisableValue) throw error.toConfigurationError();
    throw error;
  }
  if (out === undefined) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Cannot serialise a ${typeof value} as JSON; accepted: objects, arrays, strings, numbers, booleans, null.`,
    );
  }
  return out;
}

/**
 * A value that cannot be written, with the path to it. The path is built while the error travels
 * up, so writing a label row does not build a path string for every member it holds.
 */
class UnserialisableValue extends Error {
  readonly #keys: string[] = [];
  constructor(readonly problem: (where: string) => string) {
    super("unserialisable value");
  }
  /** Adds the array index or object key the value was found under (called innermost first). */
  under(key: string | number): this {
    this.#keys.push(typeof key === "number" ? `[${key}]` : `.${key}`);
    return this;
  }
  toConfigurationError(): ConfigurationError {
    return new ConfigurationError("TA_INVALID_ARGUMENT", this.problem(`value${[...this.#keys].reverse().join("")}`));
  }
}

/** Thrown by {@link plainDump} for anything it leaves to {@link dump}: one instance, made once. */
const notPlain = new Error("not plain JSON");
/** Deeper than this, {@link plainDump} leaves the value to {@link dump}, which finds cycles. */
const plainDepth = 64;

/**
 * The common case fast, as {@link dump} writes it: plain objects and arrays of strings, finite
 * numbers, booleans and null (a request body, a label row). It keeps no set of the objects it is
 * in and no path for errors: anything else (a Date, `toJSON`, a non-finite number, a cycle, which
 * shows as depth) throws `notPlain`, and {@link dump} writes the whole value or says what is wrong.
 */
function plainDump(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return needsEscape.test(value) ? pythonJsonString(value) : `"${value}"`;
    case "number":
      if (!Number.isFinite(value)) throw notPlain;
      return pythonNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw notPlain;
  }
  if (value === null) return "null";
  if (depth >= plainDepth) throw notPlain;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    let text = `[${plainDump(value[0], depth + 1)}`;
    for (let i = 1; i < value.length; i++) text += `, ${plainDump(value[i], depth + 1)}`;
    return `${text}]`;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") throw notPlain;
  let text = "{";
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    text += `${text.length === 1 ? "" : ", "}${needsEscape.test(key) ? pythonJsonString(key) : `"${key}"`}: ${plainDump(member, depth + 1)}`;
  }
  return `${text}}`;
}

function dump(value: unknown, seen: Set<object>): string | undefined {
  if (value instanceof Date) return pythonJsonString(pythonIsoFormat(value));
  if (typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case "string":
      return pythonJsonString(value);
    case "number":
      if (Number.isFinite(value)) return pythonNumber(value);
      throw new UnserialisableValue(
        (where) => `${where.charAt(0).toUpperCase() + where.slice(1)} is ${String(value)}; Encord accepts only finite numbers (JSON has no NaN or Infinity).`,
      );
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  const object = value as object;
  if (seen.has(object)) throw new UnserialisableValue((where) => `Cannot serialise ${where} as JSON: it contains itself (circular reference).`);
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      let text = "[";
      for (let i = 0; i < object.length; i++) {
        let item: string | undefined;
        try {
          item = dump(object[i], seen);
        } catch (error) {
          throw error instanceof UnserialisableValue ? error.under(i) : error;
        }
        text += `${i === 0 ? "" : ", "}${item ?? "null"}`;
      }
      return `${text}]`;
    }
    let text = "{";
    let first = true;
    for (const key in object) {
      if (!Object.hasOwn(object, key)) continue;
      let member: string | undefined;
      try {
        member = dump((object as Record<string, unknown>)[key], seen);
      } catch (error) {
        throw error instanceof UnserialisableValue ? error.under(key) : error;
      }
      if (member === undefined) continue;
      text += `${first ? "" : ", "}${pythonJsonString(key)}: ${member}`;
      first = false;
    }
    return `${text}}`;
  } finally {
    seen.delete(object);
  }
}

const shortEscapes: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** Characters that `json.dumps` escapes: outside space…`~`, the quote and the backslash. */
const needsEscape = /[^ !#-[\]-~]/;

/** A JSON string literal as Python's `json.dumps` writes it with `ensure_ascii=True`. */
export function pythonJsonString(text: string): string {
  if (!needsEscape.test(text)) return `"${text}"`;
  // Per UTF-16 code unit, which is what Python does for astral characters (surrogate pairs).
  return `"${text.replace(/[^ -~]|["\\]/g, (char) => shortEscapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

function assertWellFormed(text: string, what: string): void {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `Cannot send ${what} holding an unpaired UTF-16 surrogate; accepted: well-formed Unicode text.`);
  }
}
