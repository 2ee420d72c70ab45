import { pino, type DestinationStream, type Logger } from "pino";
import { stripSecrets, stripSecretsDeep } from "../../shared/redact.js";

/** Where human-readable log lines and JSON logs go. */
export interface LogSink {
  write(text: string): unknown;
}

/** The levels a run's logger can be set to, most verbose first; `silent` logs nothing. */
export const logLevels = ["trace", "debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

const levelNames: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const reserved = new Set(["level", "time", "pid", "hostname", "msg", "v"]);

/** A serialised error's message followed by its causes' (`message ← cause ← cause`). */
function messageChain(error: object): string {
  const parts: string[] = [];
  for (let e: unknown = error; typeof e === "object" && e !== null && parts.length < 10; e = (e as { cause?: unknown }).cause) {
    const message = (e as { message?: unknown }).message;
    parts.push(typeof message === "string" ? message : JSON.stringify(e));
  }
  return parts.join(" ← ");
}

/** Turns pino's JSON lines into `12:00:01 INFO  message key=value` lines. */
function humanLines(sink: LogSink): DestinationStream {
  return {
    write(line: string) {
      const record = JSON.parse(line) as Record<string, unknown>;
      const time = new Date(record.time as number).toISOString().slice(11, 19);
      const level = (levelNames[record.level as number] ?? String(record.level)).padEnd(5);
      const fields = Object.entries(record)
        .filter(([k]) => !reserved.has(k))
        .map(([k, v]) =>
          k === "err" && typeof v === "object" && v !== null
            ? `error=${JSON.stringify(messageChain(v))}`
            : `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`,
        );
      sink.write(
        `${time} ${level} ${typeof record.msg === "string" ? record.msg : JSON.stringify(record.msg ?? "")}${fields.length ? "  " + fields.join(" ") : ""}\n`,
      );
    },
  };
}

/**
 * The last line of defence: a finished JSON line that still holds something {@link stripSecrets}
 * removes (a message pino took from an error, a format argument…) is parsed, cleaned value by
 * value and written again, so the line stays valid JSON.
 */
function scrubLine(line: string): string {
  if (stripSecrets(line) === line) return line;
  try {
    return `${JSON.stringify(stripSecretsDeep(JSON.parse(line)))}\n`;
  } catch {
    return stripSecrets(line);
  }
}

/**
 * The run's logger: pino at `level` (`silent` format: nothing), with secrets removed from
 * everything it writes: messages and format arguments, logged objects at any depth (values of
 * keys such as `signedUrl`, `headers`, `authorization`, `sshKey` replaced; URL queries, keys and
 * signatures stripped from strings), child bindings, and errors (message, stack, own properties
 * and the whole `cause` chain). A last pass checks each finished line.
 */
export function createRunLogger(format: "human" | "json" | "silent", sink: LogSink, level: LogLevel = "info"): Logger {
  const destination: DestinationStream = format === "json" ? { write: (line: string) => sink.write(line) } : humanLines(sink);
  return pino(
    {
      level: format === "silent" ? "silent" : level,
      base: undefined,
      formatters: {
        // Logged objects and child bindings, before pino serialises them.
        log: (object) => stripSecretsDeep(object) as Record<string, unknown>,
        bindings: (bindings) => stripSecretsDeep(bindings) as Record<string, unknown>,
      },
      serializers: {
        // Errors are already plain objects here (formatters.log runs first); this covers any other path.
        err: (error: unknown) => stripSecretsDeep(error),
      },
      hooks: {
        logMethod(args, method) {
          // Strings passed to the logger (messages and format arguments) lose their secrets, and
          // so do objects given as format arguments (`%o`, `%j`).
          const cleaned = (args as unknown[]).map((a, i) => (typeof a === "string" ? stripSecrets(a) : i === 0 ? a : stripSecretsDeep(a)));
          // Without a message pino takes the error's own, unstripped: hand it a stripped one.
          const [first] = cleaned;
          if (cleaned.length === 1 && typeof first === "object" && first !== null) {
            const error =
              first instanceof Error ? first : (first as { err?: unknown; msg?: unknown }).msg === undefined ? (first as { err?: unknown }).err : undefined;
            if (error instanceof Error) cleaned.push(stripSecrets(String(error.message)));
          }
          method.apply(this, cleaned as Parameters<typeof method>);
        },
        streamWrite: scrubLine,
      },
    },
    destination,
  );
}
