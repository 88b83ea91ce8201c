import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { DaemonReaper, exited, socketAccepts } from "./processes";
import { dist, REPO_ROOT } from "./repo";
import { tempDir } from "./temp-dir";
import { waitFor } from "./wait-for";

/** The command line that runs one of test/fixtures/programs with Node. */
export function program(name: string, ...args: string[]): string {
  return [process.execPath, dist(`test/fixtures/programs/${name}.js`), ...args].join(" ");
}

export interface TestDaemon {
  dir: string;
  pid: number;
  configPath: string;
  /** The main log file's text so far. */
  log(): string;
  /** What the daemon printed on stdout and stderr so far. */
  output(): string;
  /** Wait until the main log matches; returns the match. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Send the daemon a signal. */
  signal(signal: NodeJS.Signals): void;
  /** Shut it down with SIGTERM; resolves with its exit status. */
  stop(): Promise<number>;
  /** Resolves with the exit status when it exits on its own. */
  exited: Promise<number>;
}

/**
 * The config every daemon test starts from: socket, main log, pid file and AUTO logs in the
 * config's directory, the RPC interface, then `body`.
 */
export function standardConfig(body: string, options: { loglevel?: string; supervisord?: string } = {}): string {
  return `[unix_http_server]
file=%(here)s/supervisor.sock

[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s
loglevel=${options.loglevel ?? "debug"}
${options.supervisord ?? ""}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

${body}
`;
}

export interface DaemonOptions {
  /** More lines for the [supervisord] section. */
  supervisord?: string;
  loglevel?: string;
  /** Extra command-line arguments (-n and -c are given). */
  args?: string[];
  /** Environment of the daemon (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Start through bin/supervisord from a shell whose soft fd limit is this (default: node directly). */
  shimWithNofile?: number;
}

/**
 * Start our supervisord in the foreground (-n) in a fresh temp dir on a config made of a
 * standard head (socket, log, pid file and AUTO logs in the dir, RPC interface) and `body`;
 * wait until its socket accepts. Registered for cleanup at once: SIGTERM, then SIGKILL, and
 * every process group it started is killed, so nothing outlives the test.
 */
export async function startDaemon(t: TestContext, body: string, options: DaemonOptions = {}): Promise<TestDaemon> {
  const dir = tempDir(t, "sd-");
  const configPath = join(dir, "supervisord.conf");
  writeFileSync(configPath, standardConfig(body, options));
  const daemonArgs = ["-n", "-c", configPath, ...(options.args ?? [])];
  const [command, ...args] =
    options.shimWithNofile === undefined
      ? [process.execPath, dist("src/cli/supervisord.js"), ...daemonArgs]
      : ["/bin/sh", "-c", `ulimit -Sn ${options.shimWithNofile} && exec "$0" "$@"`, join(REPO_ROOT, "bin/supervisord"), ...daemonArgs];
  const child = spawn(command ?? "", args, {
    cwd: dir,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start supervisord");
  const done = exited(child);
  const reaper = new DaemonReaper(pid, done);
  t.after(() => reaper.cleanUp());
  const logFile = join(dir, "supervisord.log");
  const log = (): string => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  await waitFor(async () => child.exitCode !== null || (await socketAccepts(join(dir, "supervisor.sock"))), {
    what: "supervisord to start",
  });
  if (child.exitCode !== null) throw new Error(`supervisord exited with ${child.exitCode}:\n${output}`);
  return {
    dir,
    pid,
    configPath,
    log,
    output: () => output,
    async waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
      let match: RegExpMatchArray | null = null;
      await waitFor(() => (match = pattern.exec(log())) !== null, { timeoutMs, what: `the log to match ${pattern}` });
      return match as unknown as RegExpMatchArray; // waitFor returned, so the last exec matched
    },
    signal(signal: NodeJS.Signals): void {
      process.kill(pid, signal);
    },
    stop: () => reaper.stop(),
    exited: done,
  };
}

/** The log's lines without their timestamps, e.g. "INFO spawned: 'x' with pid 12". */
export function logLines(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} /.test(line))
    .map((line) => line.slice(24));
}
