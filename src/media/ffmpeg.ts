import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { MediaError } from "../domain/errors.js";
import { executableAt } from "./executable-at.js";
import { outputSendBufferBytes, withSendBuffer } from "./send-buffer.js";

/** Absolute paths of the two executables video and audio decoding run. */
export interface FfmpegTools {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

const installHint =
  "Install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or set TASK_AGENTS_FFMPEG and TASK_AGENTS_FFPROBE to the executables' paths.";

let cached: { readonly key: string; readonly tools: FfmpegTools } | undefined;

/**
 * Paths of ffmpeg and ffprobe: `TASK_AGENTS_FFMPEG` / `TASK_AGENTS_FFPROBE` when set (they must
 * exist and be executable), else found on `PATH`; with only `TASK_AGENTS_FFMPEG` set, an ffprobe
 * next to that ffmpeg wins over the one on `PATH`, since builds ship the two together. Resolved
 * once per distinct environment: the cache is keyed on the variables it reads, so a test (or a
 * user) that changes them gets a fresh lookup; a failed lookup is not cached, so installing
 * ffmpeg while a process runs is enough.
 *
 * @param env Where the variables are read. @defaultValue process.env
 * @throws MediaError `TA_FFMPEG_MISSING` (permanent) saying what is missing and how to install it.
 */
export function ffmpegTools(env: NodeJS.ProcessEnv = process.env): FfmpegTools {
  const ffmpegVar = env.TASK_AGENTS_FFMPEG || undefined;
  const ffprobeVar = env.TASK_AGENTS_FFPROBE || undefined;
  const key = JSON.stringify([ffmpegVar, ffprobeVar, env.PATH]);
  if (cached?.key === key) return cached.tools;
  const ffmpeg = ffmpegVar !== undefined ? fromVariable("TASK_AGENTS_FFMPEG", ffmpegVar) : onPath("ffmpeg", env.PATH);
  const sibling = ffmpegVar !== undefined && ffprobeVar === undefined ? executableAt(join(dirname(ffmpeg), exeName("ffprobe"))) : undefined;
  const ffprobe = ffprobeVar !== undefined ? fromVariable("TASK_AGENTS_FFPROBE", ffprobeVar) : (sibling ?? onPath("ffprobe", env.PATH));
  const tools = { ffmpeg, ffprobe };
  cached = { key, tools };
  return tools;
}

function exeName(name: string): string {
  return process.platform === "win32" ? `${name}.exe` : name;
}

function fromVariable(variable: string, value: string): string {
  const path = resolve(value);
  let problem: string | undefined;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) problem = "which is not a file";
    else accessSync(path, constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem ??= code === "ENOENT" ? "which does not exist" : code === "EACCES" ? "which is not executable" : `which cannot be used (${code ?? String(error)})`;
  }
  if (problem === undefined) return path;
  const tool = variable === "TASK_AGENTS_FFMPEG" ? "ffmpeg" : "ffprobe";
  throw new MediaError(
    "TA_FFMPEG_MISSING",
    `Decoding video and audio needs ${tool}, but ${variable} is ${JSON.stringify(value)}, ${problem}. ` +
      `Point ${variable} at a ${tool} executable, or unset it to use the ${tool} on PATH. ${installHint}`,
    true,
  );
}

function onPath(tool: "ffmpeg" | "ffprobe", pathVariable: string | undefined): string {
  for (const dir of (pathVariable ?? "").split(delimiter)) {
    if (dir === "") continue;
    const found = executableAt(join(dir, exeName(tool)));
    if (found !== undefined) return found;
  }
  throw new MediaError("TA_FFMPEG_MISSING", `Decoding video and audio needs ${tool}, which was not found on PATH. ${installHint}`, true);
}

/**
 * Fails early, with a plain message, for an input that is not a readable file: ffmpeg's own
 * message for it is less clear and would be reported as an undecodable file.
 */
export async function checkInputFile(path: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(error)})`;
    throw new MediaError("TA_FILE_NOT_FOUND", `Media file ${JSON.stringify(path)} ${what}.`, true, { cause: error });
  }
  if (!isFile) throw new MediaError("TA_FILE_NOT_FOUND", `Media file ${JSON.stringify(path)} is not a regular file.`, true);
}

/**
 * The argument naming a local file for ffmpeg/ffprobe. The `file:` prefix keeps a name that
 * starts with `-` from reading as an option and one with a colon (`a:b.mp4`) as a protocol.
 */
export function fileArgument(path: string): string {
  return `file:${resolve(path)}`;
}

/** How a tool process ended; `error` is set when it could not be started at all. */
export interface ToolExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

/**
 * Takes a tool's stdout as it arrives. Where the platform allows (a unix socket read with
 * `onread`), reads land straight in the buffers `target()` names, so a frame's bytes are copied
 * once, by the kernel; otherwise the receiver gets the pipe's chunks and copies them. Neither
 * method may throw: they run inside the stream's read callback.
 */
export interface OutputReceiver {
  /** Where the next read should land; it fills at most this buffer's length. */
  target(): Uint8Array;
  /**
   * `bytes` bytes arrived at the start of `chunk`: the last `target()` when read straight into
   * it, else a chunk of the pipe. Returns false to pause reading until {@link RunningTool.resume}.
   */
  received(chunk: Uint8Array, bytes: number): boolean;
}

/** A running ffmpeg or ffprobe whose stdout goes to a receiver and whose stderr is kept (bounded). */
export interface RunningTool {
  /** The executable that was run. */
  readonly command: string;
  /** Settles once the process has exited and stderr is closed; never rejects. */
  readonly closed: Promise<ToolExit>;
  /** Settles when stdout has ended (at exit, or at {@link RunningTool.kill}); rejects if reading it fails. */
  readonly outputDone: Promise<void>;
  /** Reads on after the receiver paused. */
  resume(): void;
  /** What the tool wrote to stderr: the first and last 8 KiB when it wrote more. */
  stderr(): string;
  /** Kills it at once (SIGKILL: it holds nothing worth flushing) and stops reading its output. */
  kill(): void;
}

const stderrKeep = 8 * 1024;

/**
 * Starts `command` with stdin ignored. With `direct`, its stdout is one end of a unix socket
 * pair whose other end we read straight into the receiver's buffers: at ~1 GB/s of RGB that
 * takes a third of the CPU of reading the ordinary stdout pipe (no buffer allocated, nothing
 * copied per chunk), and the socket buffers more than a pipe (more still once
 * {@link withSendBuffer} has raised its send buffer), so ffmpeg waits less. Where no
 * socket can be made (Windows, an unusable temp folder), stdout is the ordinary pipe. Kill it and
 * await `closed` to clean up: `closed` only settles once the process is gone.
 */
export async function startTool(command: string, args: readonly string[], receiver: OutputReceiver, options: { direct?: boolean } = {}): Promise<RunningTool> {
  // Reading pauses when the receiver says so; resume() is a no-op unless it did, since callers
  // ask for more before every wait.
  let paused = false;
  const paced: OutputReceiver = {
    target: () => receiver.target(),
    received: (chunk, bytes) => (paused = !receiver.received(chunk, bytes)) === false,
  };
  const pair = options.direct === true ? await socketPair(paced) : undefined;
  // A socket's default send buffer holds a fifth of a frame: ffmpeg would wait on every fifth.
  const started = pair === undefined ? { command, args, env: process.env } : withSendBuffer(command, args, outputSendBufferBytes);
  let child: ChildProcess;
  try {
    child = spawn(started.command, started.args, { stdio: ["ignore", pair?.theirs ?? "pipe", "pipe"], env: started.env, windowsHide: true });
  } catch (error) {
    pair?.ours.destroy();
    throw error;
  } finally {
    // The child has its own copy of its end; ours would keep the socket open after it exits.
    pair?.theirs.destroy();
  }
  const output = pair?.ours ?? pipeOutput(child.stdout!, paced);
  const outputDone = new Promise<void>((resolveOutput, reject) => {
    output.once("close", () => resolveOutput());
    output.on("error", reject);
  });
  outputDone.catch(() => undefined); // read by whoever awaits it; never an unhandled rejection
  const stderr = keepStderr(child.stderr!);
  const closed = new Promise<ToolExit>((resolveExit) => {
    child.once("close", (code, signal) => resolveExit({ code, signal }));
    child.once("error", (error) => {
      output.destroy();
      resolveExit({ code: null, signal: null, error });
    });
  });
  return {
    command,
    closed,
    outputDone,
    resume: () => {
      if (!paused) return;
      paused = false;
      output.resume();
    },
    stderr,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill("SIGKILL");
      output.destroy();
    },
  };
}

function pipeOutput(stdout: Readable, receiver: OutputReceiver): Readable {
  stdout.on("data", (chunk: Buffer) => {
    if (!receiver.received(chunk, chunk.length)) stdout.pause();
  });
  return stdout;
}

/** Longest socket path every platform takes (macOS: 104 bytes); a longer one would be cut short. */
const maxSocketPath = 100;

/**
 * Two connected unix sockets, made by listening in a fresh private (0700) temporary folder and
 * connecting once: `ours` reads into the receiver's buffers, `theirs` is for the child's stdout.
 * The socket file and folder are gone before this returns. Undefined where it cannot be done,
 * for the ordinary pipe.
 */
async function socketPair(receiver: OutputReceiver): Promise<{ ours: Socket; theirs: Socket } | undefined> {
  if (process.platform === "win32") return undefined;
  const server = createServer({ pauseOnConnect: true });
  server.on("error", () => undefined); // listening fails into the catch below; nothing else can
  let dir: string | undefined;
  let ours: Socket | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), "task-agents-ffmpeg-"));
    const path = join(dir, "out");
    if (Buffer.byteLength(path) > maxSocketPath) return undefined;
    await new Promise<void>((resolveListen, reject) => {
      server.once("error", reject);
      server.listen(path, resolveListen);
    });
    const accepted = new Promise<Socket>((resolveAccept) => server.once("connection", resolveAccept));
    const client = connect({ path, onread: { buffer: () => receiver.target(), callback: (bytes, buffer) => receiver.received(buffer, bytes) } });
    ours = client;
    await new Promise<void>((resolveConnect, reject) => {
      client.once("connect", resolveConnect);
      client.once("error", reject);
    });
    // Only the child writes; end of input means it is done.
    client.once("end", () => client.destroy());
    return { ours: client, theirs: await accepted };
  } catch {
    ours?.destroy();
    return undefined;
  } finally {
    server.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function keepStderr(stream: Readable): () => string {
  let head = "";
  let tail = "";
  let skipped = false;
  stream.setEncoding("utf8");
  stream.on("data", (text: string) => {
    if (head.length < stderrKeep) {
      const room = stderrKeep - head.length;
      head += text.slice(0, room);
      text = text.slice(room);
    }
    tail += text;
    if (tail.length > stderrKeep) {
      skipped = true;
      tail = tail.slice(-stderrKeep);
    }
  });
  return () => (skipped ? `${head}\n…\n${tail}` : head + tail);
}

/** ffmpeg's diagnostics, without `-progress` lines and repeats, cut to the last few lines. */
export function toolMessage(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^\w+=\S*$/.test(line));
  const unique = lines.filter((line, i) => line !== lines[i - 1]);
  return unique.slice(-6).join(" / ") || "no message";
}

/**
 * The error for a tool that failed: `TA_FFMPEG_MISSING` when it could not even be started (it
 * vanished or lost its execute bit since it was found), `TA_MEDIA_DECODE` when it exited with an
 * error or was killed by someone else.
 */
export function toolFailure(tool: string, command: string, shown: string, exit: ToolExit, stderr: string): MediaError {
  if (exit.error !== undefined) {
    const code = (exit.error as NodeJS.ErrnoException).code ?? exit.error.message;
    return new MediaError(
      "TA_FFMPEG_MISSING",
      `Decoding video and audio needs ${tool}, but ${JSON.stringify(command)} could not be started (${code}). ${installHint}`,
      true,
      {
        cause: exit.error,
      },
    );
  }
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new MediaError("TA_MEDIA_DECODE", `${tool} could not decode ${shown}: it ${how}: ${toolMessage(stderr)}`, true);
}

/** What {@link runToEnd} collected. */
export interface CollectedRun {
  readonly exit: ToolExit;
  /** stdout as text, or undefined when it passed `maxBytes`. */
  readonly output: string | undefined;
  readonly stderr: string;
}

/**
 * Runs a tool to its end and keeps its (small) stdout, as ffprobe's JSON. Past `maxBytes` it reads
 * on and drops the rest, since pausing would leave the tool blocked on its pipe forever.
 * Aborting `signal` kills the tool; the promise then rejects with the signal's reason.
 */
export async function runToEnd(
  command: string,
  args: readonly string[],
  options: { maxBytes: number; signal?: AbortSignal | undefined },
): Promise<CollectedRun> {
  const { signal } = options;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const scratch = new Uint8Array(16 * 1024);
  const tool = await startTool(command, args, {
    target: () => scratch,
    received: (chunk, bytes) => {
      size += bytes;
      if (size <= options.maxBytes) chunks.push(chunk.slice(0, bytes));
      return true;
    },
  });
  const onAbort = () => tool.kill();
  signal?.addEventListener("abort", onAbort, { once: true });
  let exit: ToolExit;
  try {
    exit = await tool.closed;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  signal?.throwIfAborted();
  return { exit, output: size > options.maxBytes ? undefined : Buffer.concat(chunks).toString("utf8"), stderr: tool.stderr() };
}

/** A receiver that turns a tool's output into items (frames, chunks of samples) taken in order. */
export interface ItemReceiver<T> extends OutputReceiver {
  /** The oldest complete item not yet taken. */
  take(): T | undefined;
  /** Set when the output turned out malformed; reading stops for good. */
  readonly failure: Error | undefined;
  /** Called by the receiver when an item completes or `failure` is set. */
  onReady: () => void;
  /** Called once the output has ended, to hand over items still held back. */
  end?(): void;
}

/**
 * Yields the items `receiver` assembles from `tool`'s output as they complete, sleeping while
 * there are none and asking the tool for more before each sleep. Returns when the output has
 * ended (the caller then checks the tool's exit); throws the receiver's failure, a read failure,
 * or the signal's reason (aborting kills the tool at once). Does not kill the tool when the
 * consumer stops early: the caller's `finally` does, so it can also await its exit.
 */
export async function* itemsOf<T>(tool: RunningTool, receiver: ItemReceiver<T>, signal: AbortSignal | undefined): AsyncGenerator<T, void, undefined> {
  let outputEnded = false;
  let ended = false;
  let readFailure: Error | undefined;
  let wake = () => {};
  receiver.onReady = () => wake();
  tool.outputDone.then(
    () => {
      outputEnded = true;
      wake();
    },
    (error: Error) => {
      outputEnded = true;
      readFailure = error;
      wake();
    },
  );
  const onAbort = () => {
    tool.kill();
    wake();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      if (receiver.failure !== undefined) throw receiver.failure;
      const item = receiver.take();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (outputEnded) {
        if (ended) break;
        ended = true;
        receiver.end?.();
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        tool.resume();
      });
    }
    if (readFailure !== undefined) throw readFailure;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
