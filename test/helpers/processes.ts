import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { connect } from "node:net";

/** Whether a pid is alive (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: gone (EPERM cannot happen: tests run as the owner of what they start)
  }
}

/** The pids whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const ps = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
  return ps.stdout.split("\n").map((s) => Number(s.trim())).filter((n) => n > 0);
}

/** Resolves when the child has exited, with its status (or 128+signal). */
export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(128);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 0))));
}

/** Whether something accepts connections on a unix socket path. */
export function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

export interface Finished {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (killed after `timeoutMs`), collecting its output. */
export function run(command: string, args: readonly string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      for (const pid of child.pid === undefined ? [] : childPids(child.pid)) process.kill(pid, "SIGKILL");
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 20_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? (signal ? 128 : 0), stdout, stderr });
    });
  });
}
