/**
 * True when `value` is an object (or function) whose `brand` property is `true`. Brands are
 * `Symbol.for` keys, so a value made by another copy of the package carries the same one, where
 * `instanceof` would say no (an agent file may import another copy than the CLI's).
 */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return (typeof value === "object" || typeof value === "function") && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
