/**
 * Calls `send` for every item at once (the HTTP client's in-flight window decides how many are
 * on the wire) and waits for all of them, so nothing is left in flight when it throws; then
 * throws the first failure, or returns the results in order.
 */
export async function inParallel<T, R>(items: readonly T[], send: (item: T) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(items.map(send));
  const failure = settled.find((result) => result.status === "rejected");
  if (failure !== undefined) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
}
