import { readdirSync, readFileSync } from "node:fs";

/**
 * PIDs of this process's ffmpeg children (zombies included), from /proc; a perl child is one
 * still on its way to becoming ffmpeg (media/send-buffer.ts).
 */
export function ffmpegChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so split at the last ")".
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    if (ppid === process.pid && (comm.startsWith("ffmpeg") || comm === "perl")) pids.push(Number(entry));
  }
  return pids;
}
