import { LabelError } from "../domain/errors.js";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

const pad = (n: number): string => String(n).padStart(2, "0");

/** A time as the SDK writes it into label JSON: `Thu, 09 Feb 2023 14:12:03 UTC`. */
export function formatLabelDate(date: Date): string {
  return (
    `${WEEKDAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`
  );
}

const RFC_1123 = /^[A-Za-z]{3}, (\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (?:UTC|GMT|Z|\+0000)$/;
// ISO 8601 and Python's str(datetime): a space or T between date and time; no zone means UTC.
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads the time formats found in label rows: `Thu, 09 Feb 2023 14:12:03 UTC` (or `GMT`),
 * `2023-02-09 14:12:03` and ISO 8601 with or without an offset. A time without a zone is UTC,
 * as the SDK takes it.
 */
export function parseLabelDate(value: string, what: string): Date {
  const rfc = RFC_1123.exec(value);
  if (rfc !== null) {
    const month = MONTHS.indexOf(rfc[2] as (typeof MONTHS)[number]);
    if (month >= 0 && validParts(Number(rfc[3]), month, Number(rfc[1]), Number(rfc[4]), Number(rfc[5]), Number(rfc[6]))) {
      return new Date(Date.UTC(Number(rfc[3]), month, Number(rfc[1]), Number(rfc[4]), Number(rfc[5]), Number(rfc[6])));
    }
  }
  const iso = ISO_LIKE.exec(value.trim());
  if (iso !== null) {
    const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = iso;
    const ms = Number(fraction.padEnd(3, "0").slice(0, 3));
    if (!validParts(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))) throw notATime(value, what);
    let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    if (zone !== undefined && zone !== "Z") {
      const sign = zone.startsWith("-") ? -1 : 1;
      const digits = zone.slice(1).replace(":", "");
      time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    if (!Number.isNaN(time)) return new Date(time);
  }
  throw notATime(value, what);
}

function notATime(value: string, what: string): LabelError {
  return new LabelError(
    "TA_INVALID_LABEL",
    `${what} ${JSON.stringify(value)} is not a time; accepted: "Thu, 09 Feb 2023 14:12:03 UTC", "2023-02-09 14:12:03" or ISO 8601.`,
  );
}

/** Whether the parts name a real time (`Date.UTC` would roll 2024-13-45 over into 2025). */
function validParts(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return month >= 0 && month <= 11 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

/** A user-given time: a `Date` or a string in one of the formats {@link parseLabelDate} reads. */
export function toLabelDate(value: Date | string, what: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new LabelError("TA_INVALID_LABEL", `${what} is an invalid Date.`);
    return new Date(value.getTime());
  }
  if (typeof value === "string") return parseLabelDate(value, what);
  throw new LabelError("TA_INVALID_LABEL", `${what} must be a Date or a date string; got ${typeof value}.`);
}
