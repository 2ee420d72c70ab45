import { cloneJson } from "../clone-json.js";
import { parseLabelDate } from "../dates.js";
import type { AnnotationInfo } from "../annotation-info.js";
import type { JsonObject } from "../ontology/wire.js";

/** Parses label times once per distinct string: a long video repeats the same few thousand. */
export class DateCache {
  readonly #parsed = new Map<string, Date>();
  readonly #now = new Date();

  /** The time of a wire field; "now" when it is missing or unreadable: one odd date must not make a row unreadable. */
  read(value: unknown, what: string): Date {
    if (typeof value !== "string") return new Date(this.#now.getTime());
    let date = this.#parsed.get(value);
    if (date === undefined) {
      try {
        date = parseLabelDate(value, what);
      } catch {
        date = this.#now;
      }
      this.#parsed.set(value, date);
    }
    return new Date(date.getTime());
  }
}

/** Metadata of a frame entry or an answer entry, with the SDK's defaults for what is missing. */
export function readAnnotationInfo(entry: JsonObject, dates: DateCache): AnnotationInfo {
  return {
    createdAt: dates.read(entry["createdAt"], "createdAt"),
    createdBy: typeof entry["createdBy"] === "string" ? entry["createdBy"] : null,
    lastEditedAt: dates.read(entry["lastEditedAt"], "lastEditedAt"),
    lastEditedBy: typeof entry["lastEditedBy"] === "string" ? entry["lastEditedBy"] : null,
    confidence: typeof entry["confidence"] === "number" ? entry["confidence"] : 1,
    manualAnnotation: entry["manualAnnotation"] !== false,
  };
}

/** The keys of `entry` not in `known`, copied. */
export function extraKeys(entry: JsonObject, known: ReadonlySet<string>): JsonObject {
  const extra: JsonObject = {};
  for (const key of Object.keys(entry)) if (!known.has(key)) extra[key] = cloneJson(entry[key]);
  return extra;
}
