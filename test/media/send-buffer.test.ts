import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { withSendBuffer } from "../../src/media/send-buffer.js";

const hasPerl = existsSync("/usr/bin/perl");

/** Runs a command as startTool would, stdout a socket pair (Node's own "pipe" on Linux and macOS). */
function run(started: { command: string; args: readonly string[]; env?: NodeJS.ProcessEnv }) {
  return spawnSync(started.command, started.args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...(started.env ? { env: started.env } : {}) });
}

/** A perl program that prints the send buffer of its own stdout: the command we start. */
const printSendBuffer = { command: "/usr/bin/perl", args: ["-MSocket", "-e", "print unpack(q(i), getsockopt(STDOUT, SOL_SOCKET, SO_SNDBUF))"] };

describe.skipIf(!hasPerl)("withSendBuffer", () => {
  test("the command's stdout socket gets a larger send buffer than it has by default", () => {
    const plain = Number(run(printSendBuffer).stdout);
    const raised = run(withSendBuffer(printSendBuffer.command, printSendBuffer.args, 4 * 1024 * 1024));
    expect(raised.status).toBe(0);
    expect(plain).toBeGreaterThan(0);
    // The kernel caps it (at twice net.core.wmem_max); on every Linux that is above the default.
    expect(Number(raised.stdout)).toBeGreaterThan(plain);
  });

  test("the arguments reach the command as they are, and its exit status comes back", () => {
    const args = ["-e", "process.stdout.write(JSON.stringify(process.argv.slice(1))); process.exit(3)", "--", "-nostdin", "a b", "$HOME", "'\"", ""];
    const result = run(withSendBuffer(process.execPath, args, 1024 * 1024));
    expect(result.status).toBe(3);
    // Node takes the "--" as the end of its own options, as it does when started directly.
    expect(JSON.parse(result.stdout)).toEqual(["-nostdin", "a b", "$HOME", "'\"", ""]);
  });

  test("a Perl setup in the environment cannot stop the command, which keeps the rest of it", () => {
    const env = { ...process.env, PERL5OPT: "-Mtask_agents_no_such_module", PERL5LIB: "/nonexistent", TASK_AGENTS_PROBE: "kept" };
    const printEnv = ["-e", "process.stdout.write(process.env.TASK_AGENTS_PROBE + ' ' + process.env.PERL5OPT)"];
    const result = run(withSendBuffer(process.execPath, printEnv, 1024 * 1024, env));
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("kept undefined");
  });

  test("a command that cannot start ends with 127 and says which", () => {
    const result = run(withSendBuffer("/nonexistent/ffmpeg", ["-i", "x"], 1024 * 1024));
    expect(result.status).toBe(127);
    expect(result.stderr).toBe("could not start /nonexistent/ffmpeg: No such file or directory\n");
  });
});

describe.skipIf(hasPerl)("withSendBuffer without a system perl", () => {
  test("starts the command as it is", () => {
    const env = { PATH: "/usr/bin" };
    expect(withSendBuffer("/usr/bin/ffmpeg", ["-i", "x"], 1024, env)).toEqual({ command: "/usr/bin/ffmpeg", args: ["-i", "x"], env });
  });
});
