import { userInfo } from "node:os";

/** A stream the CLI writes to: process.stdout in a shell, a buffer in tests. */
export interface OutputStream {
  write(chunk: string): boolean;
  once(event: "drain", listener: () => void): unknown;
  readonly isTTY?: boolean;
}

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** Whether `run` may install SIGINT/SIGTERM handlers (the real process: yes; tests: no). */
  readonly installSignalHandlers?: boolean;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, installSignalHandlers: true };
}

/** Writes a chunk and waits for the stream to drain when its buffer is full. */
export async function writeChunk(stream: OutputStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once("drain", resolve));
}

/** Who is acting, for task history: `USER` or `LOGNAME`, else the OS user name, else "cli". */
export function defaultActor(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.USER || env.LOGNAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username || "cli";
  } catch {
    return "cli";
  }
}
