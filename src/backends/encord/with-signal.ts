/** `{ signal }` when there is one: options objects stay free of `signal: undefined`. */
export function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
