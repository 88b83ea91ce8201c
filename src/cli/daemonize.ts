import { spawn } from "node:child_process";
import { closeSync, writeSync } from "node:fs";
import type { Readable } from "node:stream";
import { UsageError } from "./usage-error";

/**
 * Daemonizing without fork (Node cannot fork): the command re-runs itself detached (setsid, stdio
 * on /dev/null) and waits on a pipe until the copy reports that it is running, or why it could
 * not start. The user sees what supervisord shows: exit 0 once the daemon runs, or the
 * `Error:` lines and exit 2 for a problem found during start-up (states.md §9.1).
 */

/** Set in the daemonized copy: the fd of the pipe to the waiting parent. */
const STATUS_FD_ENV = "SUPERVISORD_TS_STATUS_FD";

/** In the daemonized copy: the channel to the parent. Undefined in a foreground run. */
export function takeStartupStatus(): StartupStatus | undefined {
  const value = process.env[STATUS_FD_ENV];
  if (value === undefined) return undefined;
  delete process.env[STATUS_FD_ENV]; // the programs we start must not see it
  return new StartupStatus(Number(value));
}

/** The daemonized copy's reports to its parent; each is sent at most once. */
export class StartupStatus {
  #fd: number | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** Running: the parent exits 0. */
  ready(): void {
    this.#send({ ready: true });
  }

  /** Could not start: the parent prints the usage error and exits 2. */
  failed(err: UsageError): void {
    this.#send({ error: err.text, ...(err.location === undefined ? {} : { location: err.location }) });
  }

  #send(message: object): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      writeSync(fd, `${JSON.stringify(message)}\n`);
      closeSync(fd);
    } catch {
      // the parent is gone (killed while waiting): there is no one left to tell
    }
  }
}

/**
 * The parent's side: start the detached copy and wait for its report. Resolves with the exit
 * status for this process: 0 once the daemon runs, 2 (after printing the error) if it refused.
 */
export function daemonize(
  argv: readonly string[],
  progname: string,
  env: NodeJS.ProcessEnv,
  report: (err: UsageError) => number,
): Promise<number> {
  const script = process.argv[1] ?? progname;
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    detached: true,
    stdio: ["ignore", "ignore", "ignore", "pipe"],
    env: { ...process.env, ...env, [STATUS_FD_ENV]: "3" },
  });
  // stdio[3] is the "pipe" asked for above: readable on this side.
  const pipe = child.stdio[3] as Readable | null;
  return new Promise((resolve) => {
    let text = "";
    let settled = false;
    const settle = (code: number): void => {
      if (settled) return;
      settled = true;
      child.unref();
      pipe?.destroy();
      resolve(code);
    };
    child.once("error", (err) => {
      process.stderr.write(`Error: could not start the daemon: ${err.message}\n`);
      settle(1);
    });
    pipe?.setEncoding("utf8");
    pipe?.on("data", (chunk: string) => {
      text += chunk;
      const line = text.split("\n")[0];
      if (!text.includes("\n") || line === undefined) return;
      const message = JSON.parse(line) as { ready?: true; error?: string; location?: string };
      if (message.ready) settle(0);
      else settle(report(new UsageError(message.error ?? "the daemon could not start", message.location)));
    });
    pipe?.once("end", () => {
      if (!settled) process.stderr.write("Error: the daemon exited during start-up\n");
      settle(1);
    });
  });
}
