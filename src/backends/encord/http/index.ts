/** The Encord HTTP client (internal to backends/encord; not exported from the package). */
export {
  EncordHttpClient,
  type EncordHttpMethod,
  type EncordHttpStats,
  type EncordQuery,
  type V1CallOptions,
  type V1QueryMethod,
  type V1Scope,
  type V2CallOptions,
  type V2PagesOptions,
} from "./encord-http-client.js";
export type { EncordHttpClientOptions } from "./client-options.js";
export type { BackOff } from "./back-off.js";
export { EncordApiError, isEncordApiError, type EncordApiErrorContext, type EncordErrorCode } from "./errors.js";
export { withoutNulls } from "./without-nulls.js";
