import { fstatSync, readdirSync } from "node:fs";
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

/**
 * Run a command to completion (killed after `timeoutMs`), collecting its output. `input` is
 * written to its stdin, which is then closed (without it, stdin is /dev/null).
 */
export function run(command: string, args: readonly string[], options: SpawnOptions & { timeoutMs?: number; input?: string } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const { input, ...spawnOptions } = options;
    const child = spawn(command, args, { ...spawnOptions, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    // EPIPE when it exits without reading its input: what it printed is still the result
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
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

/**
 * Stops a daemon under test so that nothing it started outlives the test: its children (each
 * leads its own process group) are remembered while it runs. stop() sends SIGTERM (SIGKILL after
 * `graceMs`) and waits for it; cleanUp() stops it, then kills every remembered group,
 * grandchildren included.
 */
export class DaemonReaper {
  readonly #groups = new Set<number>();
  readonly #timer: NodeJS.Timeout;
  readonly #graceMs: number;
  #stopping: Promise<number> | undefined;

  constructor(
    readonly pid: number,
    readonly done: Promise<number>,
    { intervalMs = 200, graceMs = 30_000 }: { intervalMs?: number; graceMs?: number } = {},
  ) {
    this.#graceMs = graceMs;
    this.#timer = setInterval(() => this.remember(), intervalMs);
    // The watch must never keep a test process alive on its own.
    this.#timer.unref();
  }

  /** Note the daemon's current children. */
  remember(): void {
    for (const leader of childPids(this.pid)) this.#groups.add(leader);
  }

  /** Shut the daemon down if it still runs; resolves with its exit status. */
  stop(): Promise<number> {
    this.#stopping ??= (async () => {
      clearInterval(this.#timer);
      this.remember();
      if (isAlive(this.pid)) {
        process.kill(this.pid, "SIGTERM");
        const killer = setTimeout(() => process.kill(this.pid, "SIGKILL"), this.#graceMs);
        await this.done;
        clearTimeout(killer);
      }
      return this.done;
    })();
    return this.#stopping;
  }

  /** stop(), then kill every process group the daemon ever started. */
  async cleanUp(): Promise<void> {
    await this.stop();
    for (const leader of this.#groups) {
      try {
        process.kill(-leader, "SIGKILL");
      } catch {
        // ESRCH: the group is gone, as it should be after an orderly shutdown
      }
    }
  }
}

/** This process's open fds (without the one the listing itself used). */
export function openFds(): number[] {
  return readdirSync("/proc/self/fd")
    .map(Number)
    .filter((fd) => {
      try {
        fstatSync(fd);
        return true;
      } catch {
        // EBADF: the directory listing's own fd, closed by now.
        return false;
      }
    })
    .sort((a, b) => a - b);
}
