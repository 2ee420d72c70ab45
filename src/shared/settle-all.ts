/**
 * Like `Promise.all`, but waits for every promise to settle before throwing the first failure,
 * so nothing started together is still in flight when the caller moves on (or closes the
 * connection pool). Results come in the order given.
 */
export async function settleAll<T extends readonly unknown[]>(promises: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  const failure = settled.find((result) => result.status === "rejected");
  if (failure !== undefined) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
