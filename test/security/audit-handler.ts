/**
 * The handler of the secrets audit (test/security/secrets-audit.test.ts), shared by the agent
 * file the CLI runs (test/fixtures/agents/secrets-audit.ts, on the built package) and the
 * in-process Runner (on the sources). It does everything a careless agent might do with a signed
 * URL: logs the storage item and the label row (as objects, nested, as format arguments, inside
 * a message), and for tasks titled `fail-…` throws an error whose message and cause quote it.
 * Other tasks go along "annotate" with their label row.
 */
import type { Logger } from "pino";

/** What the handler uses of its context (structural, so either copy of the package fits). */
export interface AuditContext<Row> {
  readonly task: { readonly uuid: string; readonly dataTitle: string };
  readonly storageItem: { readonly uuid: string; readonly signedUrl: string | null };
  readonly labelRow: Row;
  readonly logger: Pick<Logger, "trace" | "debug" | "info" | "warn" | "error">;
}

/** Title prefix of the items whose task fails. */
export const failingPrefix = "fail-";

export function auditHandler<Row extends { toEncordDict(): unknown }>({
  task,
  storageItem,
  labelRow,
  logger,
}: AuditContext<Row>): { pathway: string; labelRow: Row } {
  const url = storageItem.signedUrl;
  if (url === null) throw new Error(`storage item ${storageItem.uuid} came without a signed URL`);
  logger.debug(storageItem, "the storage item, as the merging object");
  logger.debug({ storageItem }, "the storage item, under a key");
  logger.debug({ labelRow, dict: labelRow.toEncordDict() }, "the label row");
  logger.debug({ deep: { deeper: { link: url, signedUrl: url, list: [url, { href: url }] } } }, "nested");
  logger.debug("format arguments: %s %o %j", url, storageItem, { storageItem });
  logger.trace(`fetching ${url} for task ${task.uuid}`);
  logger.info({ url }, `downloading ${url}`);
  if (task.dataTitle.startsWith(failingPrefix)) {
    const error = new Error(`download of ${url} failed`, { cause: new Error(`GET ${url} answered 403`, { cause: new Error(`the URL ${url} has expired`) }) });
    logger.warn(error);
    logger.error({ err: error });
    throw error;
  }
  return { pathway: "annotate", labelRow };
}
