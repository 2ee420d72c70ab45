/** What request handlers of the fake Encord server share. */
import type { FakeState, ProjectState, UrlSigner } from "./state.js";
import type { Identity } from "./verify.js";

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

export interface HandlerContext {
  readonly state: FakeState;
  readonly signer: UrlSigner;
  readonly nowMs: () => number;
  readonly newUuid: () => string;
  readonly identity: Identity;
  /** Status of v2 calls whose response the SDK ignores (actions, move-tasks, priorities). */
  readonly emptyStatus: 200 | 204;
  readonly defaultMaxLabelsPerRequest: number;
  /** Registers a bearer token (minted by `GET /v2/public/user/bearer-token`). */
  readonly addBearerToken: (token: string) => void;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(value) };
}

/** A v2 error: `{"message": …}` (§2.4). */
export function v2Error(status: number, message: string): Reply {
  return json(status, { message });
}

/** A v1 envelope error (§3.2). */
export function v1Error(status: number, code: string, payload: unknown, httpStatus = 200): Reply {
  return json(httpStatus, { status, response: [code], payload });
}

/** The e-mail the fake reports as the actor of a credential. */
export function actorEmail(identity: Identity): string {
  return identity.kind === "key" ? `key-${identity.publicKeyHex.slice(0, 8)}@fake-encord.invalid` : "token-user@fake-encord.invalid";
}

/** Whether the credential may use the project (403 otherwise). Minted tokens inherit their key's access. */
export function canAccess(state: FakeState, project: ProjectState, identity: Identity): boolean {
  if (project.allowed === null) return true;
  if (identity.kind === "key") return project.allowed.has(identity.publicKeyHex);
  if (project.allowed.has(identity.token)) return true;
  const minter = state.mintedTokens.get(identity.token);
  return minter !== undefined && project.allowed.has(minter);
}
