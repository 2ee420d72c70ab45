import { stripSecrets } from "./redact.js";

/**
 * While installed, a promise that rejects with nothing handling it (one a handler started and did
 * not await) is a warning on `stream`, not the crash Node makes of it: the run goes on, and its
 * exit code is the one its tasks' outcomes give. Returns the function that uninstalls it.
 */
export function warnOnUnhandledRejections(stream: { write(text: string): unknown }, json: boolean): () => void {
  const onRejection = (reason: unknown) => {
    const described = stripSecrets(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
    const message =
      `a promise rejected and nothing handled it (a handler may have started it without awaiting ` +
      `it): ${described}. The run goes on; this does not fail a task or change the exit code.`;
    stream.write(json ? `${JSON.stringify({ warning: { message } })}\n` : `warning: ${message}\n`);
  };
  process.on("unhandledRejection", onRejection);
  return () => process.off("unhandledRejection", onRejection);
}
