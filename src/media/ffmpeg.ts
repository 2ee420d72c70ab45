import { execFile, spawn, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, openSync, statSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { Socket, type ConnectOpts, type SocketConstructorOpts } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { MediaError } from "../domain/errors.js";

/** Absolute paths of the two executables video decoding runs. */
export interface FfmpegTools {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

const execFileAsync = promisify(execFile);

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

/** `path` when it is an executable regular file, else undefined. */
function executableAt(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
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
    `Video decoding needs ${tool}, but ${variable} is ${JSON.stringify(value)}, ${problem}. Point ${variable} at a ${tool} executable, or unset it to use the ${tool} on PATH. ${installHint}`,
    true,
  );
}

function onPath(tool: "ffmpeg" | "ffprobe", pathVariable: string | undefined): string {
  for (const dir of (pathVariable ?? "").split(delimiter)) {
    if (dir === "") continue;
    const found = executableAt(join(dir, exeName(tool)));
    if (found !== undefined) return found;
  }
  throw new MediaError("TA_FFMPEG_MISSING", `Video decoding needs ${tool}, which was not found on PATH. ${installHint}`, true);
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
 * Takes a tool's stdout as it arrives. Where the platform allows (a FIFO read through a socket
 * with `onread`), reads land straight in the buffers `target()` names, so a frame's bytes are
 * copied once, by the kernel; otherwise the receiver gets the pipe's chunks and copies them.
 * Neither method may throw: they run inside the stream's read callback.
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
 * Starts `command` with stdin ignored. With `direct`, stdout is a FIFO read straight into the
 * receiver's buffers (it halves the CPU the reading costs at ~1 GB/s of RGB), falling back to
 * a plain pipe where no FIFO can be made (Windows, no `mkfifo`). Kill it and await `closed` to
 * clean up: `closed` only settles once the process is gone.
 */
export async function startTool(command: string, args: readonly string[], receiver: OutputReceiver, options: { direct?: boolean } = {}): Promise<RunningTool> {
  const fifo = options.direct === true ? await openFifo() : undefined;
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ["ignore", fifo?.writeFd ?? "pipe", "pipe"], windowsHide: true });
  } catch (error) {
    if (fifo !== undefined) closeSync(fifo.readFd);
    throw error;
  } finally {
    // The child has its own copy; ours would keep the FIFO open after it exits.
    if (fifo !== undefined) closeSync(fifo.writeFd);
  }
  const output = fifo === undefined ? pipeOutput(child.stdout!, receiver) : fifoOutput(fifo.readFd, receiver);
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
    resume: () => output.resume(),
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

function fifoOutput(fd: number, receiver: OutputReceiver): Socket {
  // `onread` is a documented option of the Socket constructor (Node 12+); @types/node 20 only
  // declares it on connect options.
  const options: SocketConstructorOpts & ConnectOpts = {
    fd,
    readable: true,
    writable: false,
    onread: { buffer: () => receiver.target(), callback: (bytes, buffer) => receiver.received(buffer, bytes) },
  };
  const socket = new Socket(options);
  // A FIFO has no readable end to half-close: end means done.
  socket.once("end", () => socket.destroy());
  return socket;
}

/** A FIFO opened at both ends and already unlinked, so nothing is left behind whatever happens. */
async function openFifo(): Promise<{ readFd: number; writeFd: number } | undefined> {
  if (process.platform === "win32") return undefined;
  const dir = await mkdtemp(join(tmpdir(), "task-agents-ffmpeg-"));
  try {
    const path = join(dir, "frames");
    try {
      await execFileAsync("mkfifo", ["-m", "600", path]);
    } catch {
      return undefined;
    }
    // Non-blocking read end first: opening the write end then returns at once, and the child
    // gets a blocking write end, so ffmpeg waits while we are behind instead of spinning.
    const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      return { readFd, writeFd: openSync(path, constants.O_WRONLY) };
    } catch (error) {
      closeSync(readFd);
      throw error;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
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
export function toolFailure(tool: string, command: string, path: string, exit: ToolExit, stderr: string): MediaError {
  if (exit.error !== undefined) {
    const code = (exit.error as NodeJS.ErrnoException).code ?? exit.error.message;
    return new MediaError("TA_FFMPEG_MISSING", `Video decoding needs ${tool}, but ${JSON.stringify(command)} could not be started (${code}). ${installHint}`, true, {
      cause: exit.error,
    });
  }
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new MediaError("TA_MEDIA_DECODE", `${tool} could not decode ${JSON.stringify(path)}: it ${how}: ${toolMessage(stderr)}`, true);
}
