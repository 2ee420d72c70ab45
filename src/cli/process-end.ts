import { abandonedHandlersStillRunning } from "../runner/abandoned-handlers.js";

/** A stream a notice goes to. */
interface NoticeStream {
  write(text: string): unknown;
}

/**
 * Ends the process with `code` once what was written to stdout and stderr has been flushed
 * (piped output is written asynchronously on some systems), whatever user code still holds the
 * event loop: a handler the run abandoned, a timer, a socket.
 */
export async function endProcess(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    // A closed pipe never calls back with success; the write's error is not ours to report here.
    const timer = setTimeout(resolve, 1000);
    timer.unref();
    stream.write("", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Lists the handlers runs abandoned (task timeout, grace period, second signal) that have not
 * returned, saying the process ends without them; writes nothing when there are none. Returns
 * how many there are.
 */
export function noticeAbandonedHandlers(stream: NoticeStream, json: boolean): number {
  const handlers = abandonedHandlersStillRunning();
  if (handlers.length === 0) return 0;
  const message =
    `${handlers.length === 1 ? "1 abandoned handler is" : `${handlers.length} abandoned handlers are`}` +
    ` still running (aborting \`signal\` did not stop ` +
    `${handlers.length === 1 ? "it" : "them"}); the process ends without waiting.`;
  if (json) {
    stream.write(`${JSON.stringify({ warning: { message, abandonedHandlers: handlers } })}\n`);
  } else {
    const lines = handlers.map((h) => `  ${h.taskUuid}  ${JSON.stringify(h.stage)}  ${JSON.stringify(h.dataTitle)}: ${h.reason}`);
    stream.write(`warning: ${message}\n${lines.join("\n")}\n`);
  }
  return handlers.length;
}
