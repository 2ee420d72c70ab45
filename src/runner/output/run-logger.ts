import { pino, stdSerializers, type DestinationStream, type Logger } from "pino";
import { stripSecrets } from "../../shared/redact.js";

/** Where human-readable log lines and JSON logs go. */
export interface LogSink {
  write(text: string): unknown;
}

const levelNames: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const reserved = new Set(["level", "time", "pid", "hostname", "msg", "v"]);

/** Turns pino's JSON lines into `12:00:01 INFO  message key=value` lines. */
function humanLines(sink: LogSink): DestinationStream {
  return {
    write(line: string) {
      const record = JSON.parse(line) as Record<string, unknown>;
      const time = new Date(record.time as number).toISOString().slice(11, 19);
      const level = (levelNames[record.level as number] ?? String(record.level)).padEnd(5);
      const fields = Object.entries(record)
        .filter(([k]) => !reserved.has(k))
        .map(([k, v]) => (k === "err" && typeof v === "object" && v !== null ? `error=${JSON.stringify((v as { message?: unknown }).message)}` : `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`));
      sink.write(`${time} ${level} ${typeof record.msg === "string" ? record.msg : JSON.stringify(record.msg ?? "")}${fields.length ? "  " + fields.join(" ") : ""}\n`);
    },
  };
}

/**
 * The run's logger: pino, with URLs' queries, keys and signature headers removed from every
 * message and error, and signed URLs and headers redacted from logged objects.
 */
export function createRunLogger(format: "human" | "json" | "silent", sink: LogSink): Logger {
  const destination: DestinationStream = format === "json" ? { write: (line: string) => sink.write(line) } : humanLines(sink);
  return pino(
    {
      level: format === "silent" ? "silent" : "info",
      base: undefined,
      redact: { paths: ["signedUrl", "*.signedUrl", "headers", "*.headers", "sshKey", "*.sshKey"], censor: "[removed]" },
      serializers: {
        err: (error: Error) => {
          const serialised = stdSerializers.err(error);
          return { ...serialised, message: stripSecrets(serialised.message), stack: stripSecrets(serialised.stack) };
        },
      },
      hooks: {
        logMethod(args, method) {
          // Strings passed to the logger (messages and format arguments) lose their secrets too.
          const cleaned = (args as unknown[]).map((a) => (typeof a === "string" ? stripSecrets(a) : a));
          method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
