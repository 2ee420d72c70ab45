import { z } from "zod";

/**
 * The notification settings of an AGENT stage, the fields of Encord's "advanced" agent stage:
 * `task-agents notify` posts a signed notification to `url` when `batchSize` tasks are queued or
 * one has waited more than `maxWaitSeconds`. The signing secret is given inline (`secret`) or
 * named by an environment variable (`secretEnv`) read when notifications are sent, so a spec
 * kept in version control need not hold it.
 */
export interface StageNotifySpec {
  readonly url: string;
  readonly secret?: string;
  readonly secretEnv?: string;
  readonly batchSize: number;
  readonly maxWaitSeconds: number;
}

/** Keys a `notify` mapping accepts, for the spec's "unknown key" messages. */
export const notifyKeys: readonly string[] = ["url", "secret", "secretEnv", "batchSize", "maxWaitSeconds"];

// Only the shapes here; the rules that need a message of their own are in checkStageNotify.
export const notifySchema = z.strictObject({
  url: z.string(),
  // Checked without the generic "got number 12345" message, which would print the secret.
  secret: z
    .custom<string>((value) => typeof value === "string", "expected a string (quote it in YAML); its value is not shown, since it is a secret")
    .optional(),
  secretEnv: z.string().optional(),
  batchSize: z.number(),
  maxWaitSeconds: z.number(),
});

const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One line per broken rule of a stage's `notify`, each starting with `at` (the field's path). */
export function checkStageNotify(notify: StageNotifySpec, at: string): string[] {
  const problems: string[] = [];
  if (!isHttpUrl(notify.url)) {
    problems.push(
      `${at}.url: ${JSON.stringify(notify.url)} is not accepted; accepted: an http:// or https:// URL, e.g. "http://127.0.0.1:8080/notifications".`,
    );
  } else if (hasUserInfo(notify.url)) {
    // Not quoted: the user info may be a password.
    problems.push(
      `${at}.url: holds a user name or password; accepted: a URL without them (the signature authenticates the sender; a token may go in the query).`,
    );
  }
  if ((notify.secret === undefined) === (notify.secretEnv === undefined)) {
    problems.push(
      notify.secret === undefined
        ? `${at}: no signing secret; give "secret" (the secret itself) or "secretEnv" (the name of the environment variable that holds it).`
        : `${at}: both "secret" and "secretEnv"; give one of them.`,
    );
  }
  // The secret is never quoted back: a spec error must not print it.
  if (notify.secret !== undefined && notify.secret.length === 0) problems.push(`${at}.secret: must not be empty.`);
  if (notify.secretEnv !== undefined && !variableName.test(notify.secretEnv)) {
    problems.push(
      `${at}.secretEnv: ${JSON.stringify(notify.secretEnv)} is not an environment variable name; ` +
        `accepted: letters, digits and "_", not starting with a digit, e.g. "RECEIVER_SECRET".`,
    );
  }
  if (!Number.isInteger(notify.batchSize) || notify.batchSize < 1) {
    problems.push(`${at}.batchSize: ${String(notify.batchSize)} is not accepted; accepted: a whole number of at least 1.`);
  }
  if (!(notify.maxWaitSeconds >= 0)) {
    problems.push(`${at}.maxWaitSeconds: ${String(notify.maxWaitSeconds)} is not accepted; accepted: a number of seconds, 0 or more.`);
  }
  return problems;
}

function hasUserInfo(text: string): boolean {
  const url = new URL(text);
  return url.username !== "" || url.password !== "";
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}
