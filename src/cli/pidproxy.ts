import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * pidproxy: run a command that leaves a pid file behind (a program that daemonizes itself, or
 * a launcher such as mysqld_safe) and pass the signals we get on to the pid in that file, so
 * that supervisord can stop the real process. As supervisord ships it: pidproxy PIDFILE CMD ARGS.
 */

const FORWARDED: readonly NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGINT", "SIGUSR1", "SIGUSR2", "SIGQUIT"];
const EXITING: ReadonlySet<NodeJS.Signals> = new Set(["SIGTERM", "SIGINT", "SIGQUIT"]);

function usage(progname: string): string {
  return `pidproxy -- run a command and send it the signals we get, through its pid file.

Runs the command, then watches the pid file it writes: each signal this program receives
(TERM, HUP, INT, USR1, USR2, QUIT) goes to the pid in that file.

Usage: ${progname} <pidfile name> <command> [<cmdarg1> ...]
`;
}

export function main(): void {
  const progname = process.argv[1] ?? "pidproxy";
  const [pidfile, command, ...args] = process.argv.slice(2);
  if (pidfile === undefined || command === undefined) {
    process.stdout.write(`${usage(progname)}\n`);
    process.exit(1);
  }
  for (const signal of FORWARDED) {
    process.on(signal, () => {
      let pid: number;
      try {
        pid = Number.parseInt(readFileSync(pidfile, "utf8").trim(), 10);
        if (!Number.isInteger(pid)) throw new Error("not a pid");
      } catch {
        process.stdout.write(`Can't read child pidfile ${pidfile}!\n`);
        return;
      }
      try {
        process.kill(pid, signal);
      } catch (err) {
        process.stderr.write(`pidproxy: could not send ${signal} to ${pid}: ${(err as Error).message}\n`);
      }
      if (EXITING.has(signal)) process.exit(0);
    });
  }
  // Like os.spawnv: the command is taken relative to the current directory, no PATH search.
  const child = spawn(resolve(command), args, { argv0: command, stdio: "inherit" });
  child.on("error", (err) => {
    process.stderr.write(`pidproxy: could not run ${command}: ${err.message}\n`);
    process.exit(1);
  });
  // supervisord's pidproxy polls every 5 s for its child's exit; we notice it at once.
  child.on("exit", () => process.exit(0));
}

if (require.main === module) main();
