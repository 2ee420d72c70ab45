/** Splits a list into chunks of at most `size` items (bundles, docs/encord-protocol.md §5). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
