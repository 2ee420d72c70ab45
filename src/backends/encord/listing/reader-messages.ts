import type { KeyObject } from "node:crypto";
import type { BackOff, RequestOutcome } from "../../backend.js";
import type { EncordHttpClientOptions } from "../http/client-options.js";

/** What the stage reader's thread is started with (structured-cloned; a KeyObject crosses as is). */
export interface ReaderThreadData {
  readonly domain: string;
  readonly credentials: { readonly kind: "ssh"; readonly privateKey: KeyObject } | { readonly kind: "bearer"; readonly token: string };
  /** The runner's client's options that the thread's client keeps too. */
  readonly client: Pick<EncordHttpClientOptions, "userAgent" | "maxRetries" | "backoffFactor" | "backoffMaxMs" | "timeoutMs">;
  /** v2 path of the stage's task listing. */
  readonly path: string;
}

/** Runner thread → reader thread. */
export type ToReader =
  /**
   * Start listing at `pageToken` (undefined: the first page), at most `credit` pages ahead of the
   * runner, and hand back after `maxTasks` tasks.
   */
  | { readonly kind: "start"; readonly pageToken: string | undefined; readonly credit: number; readonly maxTasks: number }
  /** One more page may be read ahead (the runner took one). */
  | { readonly kind: "credit" }
  | { readonly kind: "stop" };

/** Reader thread → runner thread. */
export type FromReader =
  | { readonly kind: "ready" }
  /** A page as Encord sent it (the runner's thread checks it, as it checks its own). */
  | { readonly kind: "page"; readonly page: unknown }
  /**
   * The reader stopped before the end of the listing: it read `maxTasks` tasks, or reading the
   * next page failed. The runner's thread goes on from there itself (and meets the error, if any,
   * in its own terms).
   */
  | { readonly kind: "handback" }
  | { readonly kind: "request"; readonly event: RequestOutcome }
  | { readonly kind: "back-off"; readonly event: BackOff };
