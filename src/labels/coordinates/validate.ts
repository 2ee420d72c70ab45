import { LabelError } from "../../domain/errors.js";

/**
 * Whether constructors run on wire data. Real label rows carry values a user could not set (points a
 * hair outside the image, two-point polygons), and refusing them would make a row unreadable, so
 * wire parsing checks types and structure only. The flag is module-private and only flipped by
 * {@link fromWire}; construction is synchronous, so it cannot leak into unrelated code.
 */
let wireMode = false;

/** Runs `build` with the value-range checks off (types and structure are still checked). */
export function fromWire<T>(build: () => T): T {
  const previous = wireMode;
  wireMode = true;
  try {
    return build();
  } finally {
    wireMode = previous;
  }
}

/** True while building from wire data: range checks are skipped. */
export function lenient(): boolean {
  return wireMode;
}

export function invalid(message: string): LabelError {
  return new LabelError("TA_INVALID_LABEL", message);
}

/** Renders a rejected value for a message; `JSON.stringify` drops `undefined` and turns NaN into null. */
export function show(value: unknown): string {
  if (typeof value === "number" || value === undefined) return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  try {
    // JSON.stringify returns undefined for functions and symbols, and throws on cycles and BigInt.
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) return `a ${typeof value}`;
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return `a ${typeof value}`;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function requireFinite(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw invalid(`${what} ${show(value)} is not a finite number; coordinates are numbers.`);
  }
  return value;
}

/** A coordinate normalised to the image size: 0..1 inclusive (not checked on wire data). */
export function requireUnit(value: unknown, what: string): number {
  const n = requireFinite(value, what);
  if (!wireMode && (n < 0 || n > 1)) {
    throw invalid(`${what} ${n} is outside 0..1; coordinates are normalised to the image size.`);
  }
  return n;
}

/** A size that cannot be negative (not checked on wire data). */
export function requireNonNegative(value: unknown, what: string, accepted: string): number {
  const n = requireFinite(value, what);
  if (!wireMode && n < 0) throw invalid(`${what} ${n} is negative; ${accepted}.`);
  return n;
}

/** An integer; `min` is a value check, skipped on wire data. */
export function requireInteger(value: unknown, what: string, min: number, accepted: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalid(`${what} ${show(value)} is not an integer; ${accepted}.`);
  }
  if (!wireMode && value < min) throw invalid(`${what} ${value} is below ${min}; ${accepted}.`);
  return value;
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== "string") throw invalid(`${what} ${show(value)} is not a string.`);
  return value;
}

export function requireArray(value: unknown, what: string, accepted: string): readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(`${what} ${show(value)} is not a list; ${accepted}.`);
  return value;
}

export function requireRecord(value: unknown, what: string, accepted: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(`${what} ${show(value)} is not an object; ${accepted}.`);
  return value;
}

/** A minimum count that user-built shapes must meet (not checked on wire data). */
export function requireMinLength(items: readonly unknown[], min: number, what: string, unit: string): void {
  if (!wireMode && items.length < min) {
    throw invalid(`${what} has ${items.length} ${unit}${items.length === 1 ? "" : "s"}; at least ${min} are needed.`);
  }
}
