import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { DaemonReaper, exited, socketAccepts } from "../../test/helpers/processes";
import { REPO_ROOT } from "../../test/helpers/repo";
import { waitFor } from "../../test/helpers/wait-for";
import { REAL_SUPERVISORD } from "./real-supervisord";

/** Which supervisord runs a scenario: Debian's 4.2.5 or ours. */
export type Implementation = "real" | "ours";

/**
 * With COMPAT_OURS=real in the environment, every daemon a compat test starts as "ours" is the real
 * supervisord too: a differential test must then pass, which shows that its masking and waits make
 * two runs of the same program compare equal (the tests' self-check).
 */
export const OURS_IS_REAL = process.env["COMPAT_OURS"] === "real";

/** A supervisord in the foreground whose main log a test reads while driving it. */
export interface LogDaemon {
  which: Implementation;
  dir: string;
  pid: number;
  /** A file's text so far (default: the main log, `supervisord.log` in the dir); "" when absent. */
  read(file?: string): string;
  /** Wait until `pattern` has matched `count` times in a file (default: the main log). */
  waitForLog(pattern: RegExp, options?: { count?: number; file?: string; timeoutMs?: number }): Promise<void>;
  /** The pid of the `nth` spawn (from 1) of process NAME, from its `spawned:` line. */
  spawnedPid(name: string, nth?: number): number;
  /** Send the daemon a signal. */
  signal(signal: NodeJS.Signals): void;
  /** What it printed on stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit status once it has exited (128 for a death by signal). */
  exited: Promise<number>;
}

export interface LogDaemonOptions {
  /**
   * Soft RLIMIT_NOFILE and RLIMIT_NPROC to start it with (hard limits untouched), through
   * prlimit(1), which execs it: the pid stays the daemon's.
   */
  softLimits?: { nofile: number; nproc: number };
  /**
   * Ready once this unix socket accepts connections, instead of at the main log's `supervisord
   * started with pid` line (which a loglevel above info leaves out).
   */
  readySocket?: string;
}

/**
 * Start the real or our supervisord (the real one for both with COMPAT_OURS=real) with
 * `-n -c dir/supervisord.conf` (cwd and HOME `dir`) and wait for `supervisord started with pid`
 * in its main log, or for `readySocket` to accept. Cleanup is registered at once:
 * SIGTERM if it still runs, SIGKILL after 20 s, then every process group it ever started (each
 * child leads its own) is killed, grandchildren included.
 */
export async function startLogDaemon(t: TestContext, which: Implementation, dir: string, options: LogDaemonOptions = {}): Promise<LogDaemon> {
  const configPath = join(dir, "supervisord.conf");
  // Ours through bin/supervisord, as a user runs it: it records the soft fd limit Node raises.
  const real = which === "real" || OURS_IS_REAL;
  const daemonArgs = real ? [REAL_SUPERVISORD, "-n", "-c", configPath] : [join(REPO_ROOT, "bin/supervisord"), "-n", "-c", configPath];
  const limits = options.softLimits;
  const [command = "", ...args] =
    limits === undefined ? daemonArgs : ["prlimit", `--nofile=${limits.nofile}:`, `--nproc=${limits.nproc}:`, "--", ...daemonArgs];
  const env = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" };
  const child = spawn(command, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the ${which} supervisord`);
  const done = exited(child);
  const reaper = new DaemonReaper(pid, done, { intervalMs: 100, graceMs: 20_000 });
  t.after(() => reaper.cleanUp());
  const read = (file = "supervisord.log"): string => {
    try {
      return readFileSync(join(dir, file), "utf8");
    } catch {
      return ""; // not written yet (or moved away by the test)
    }
  };
  const daemon: LogDaemon = {
    which,
    dir,
    pid,
    read,
    async waitForLog(pattern, { count = 1, file, timeoutMs = 15_000 } = {}): Promise<void> {
      const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
      await waitFor(() => (read(file).match(global)?.length ?? 0) >= count, {
        timeoutMs,
        what: `the ${which} supervisord's ${file ?? "main log"} to match ${pattern} ${count} time(s)`,
      });
    },
    spawnedPid(name, nth = 1): number {
      const pids = [...read().matchAll(/ spawned: '([^']*)' with pid (\d+)/g)].filter((m) => m[1] === name).map((m) => Number(m[2]));
      const found = pids[nth - 1];
      if (found === undefined) throw new Error(`the ${which} supervisord has not spawned '${name}' ${nth} time(s)`);
      return found;
    },
    signal(signal): void {
      process.kill(pid, signal);
    },
    output: () => output,
    exited: done,
  };
  try {
    const socket = options.readySocket;
    const ready = async (): Promise<boolean> => (socket === undefined ? /supervisord started with pid/.test(read()) : socketAccepts(socket));
    await waitFor(async () => child.exitCode !== null || (await ready()), { what: `the ${which} supervisord to start` });
  } catch (err) {
    throw new Error(`${String(err)}\n${output}`);
  }
  if (child.exitCode !== null) throw new Error(`the ${which} supervisord exited with ${child.exitCode}:\n${output}`);
  return daemon;
}
