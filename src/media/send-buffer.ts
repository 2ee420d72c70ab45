import { executableAt } from "./executable-at.js";

/**
 * Send buffer asked for ffmpeg's output socket: over four 640×480 RGB frames. The kernel caps the
 * request at twice `net.core.wmem_max` (208 KiB × 2 on a stock Linux, so there it gains less).
 */
export const outputSendBufferBytes = 4 * 1024 * 1024;

/**
 * The system's perl, the only program found on nearly every Linux and macOS that can set a
 * socket option before it starts another program. Only this absolute path is used: a perl found
 * on PATH may be a version manager's shim, whose start-up costs more than it saves.
 */
const systemPerl = "/usr/bin/perl";

/**
 * Sets SO_SNDBUF on stdout (ignoring a refusal: the buffer then stays as it was), then replaces
 * itself with the command. The option's level and number, the size, the command and its
 * arguments arrive in @ARGV after `--`, so none of them is read as perl's own switch and none
 * passes through a shell. The numbers come from {@link sendBufferOption} rather than perl's
 * Socket module, whose loading would make perl's start-up four times as long (about 2 ms → 9 ms).
 */
const script =
  "my ($level, $option, $bytes) = splice(@ARGV, 0, 3); setsockopt(STDOUT, $level, $option, $bytes); " +
  'exec { $ARGV[0] } @ARGV; print STDERR "could not start $ARGV[0]: $!\\n"; exit 127;';

/**
 * SOL_SOCKET and SO_SNDBUF where their values are known: Linux on every architecture Node runs
 * on but MIPS, which numbers them as the BSDs and macOS do. Elsewhere nothing is set.
 */
function sendBufferOption(platform: NodeJS.Platform, arch: string): readonly [number, number] | undefined {
  const bsdStyle = [0xffff, 0x1001] as const;
  if (platform === "linux") return arch.startsWith("mips") ? bsdStyle : [1, 7];
  if (platform === "darwin" || platform === "freebsd" || platform === "openbsd") return bsdStyle;
  return undefined;
}

const optionHere = sendBufferOption(process.platform, process.arch);

let perlFound: boolean | undefined;

/** Variables that would make perl load other code or switches first; ffmpeg has no use for them. */
const perlStartVariables = ["PERL5OPT", "PERL5LIB", "PERLLIB", "PERL5DB"];

/** How to start a command: what to run, with which arguments, in which environment. */
export interface StartCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * How to start `command` so that its stdout, a unix socket, sends through a buffer of about
 * `bytes`: through the system's perl, which sets the option and then execs the command (same
 * process, same exit status, nothing of perl left running). Node cannot set SO_SNDBUF on a
 * unix socket, and the default of 208 KiB makes ffmpeg wait for Node about five times per
 * 640×480 RGB frame (docs/benchmarks.md, video-frames). Where there is no system perl (or the
 * option's numbers are not known here) the command is started as it is. perl is started without
 * the variables that would make it load other code first (`PERL5OPT`, `PERL5LIB`…), so a Perl
 * setup of the user's cannot stop ffmpeg.
 */
export function withSendBuffer(command: string, args: readonly string[], bytes: number, env: NodeJS.ProcessEnv = process.env): StartCommand {
  if (optionHere === undefined) return { command, args, env };
  perlFound ??= executableAt(systemPerl) !== undefined;
  if (!perlFound) return { command, args, env };
  const perlEnv = { ...env };
  for (const name of perlStartVariables) delete perlEnv[name];
  return { command: systemPerl, args: ["-e", script, "--", String(optionHere[0]), String(optionHere[1]), String(bytes), command, ...args], env: perlEnv };
}
