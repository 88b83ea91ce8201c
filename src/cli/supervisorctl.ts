import { Controller } from "../ctl/controller";
import type { CtlOptions, EarlyCalls } from "../ctl/ctl-context";
import { LineTerminal } from "../ctl/line-terminal";
import { parseSupervisorctlCommandLine, supervisorctlHelp, supervisorctlProgname } from "./supervisorctl-command-line";
import { printUsageError, UsageError } from "./usage-error";

/**
 * supervisorctl (ctl.md): one command given on the command line runs once and its exit status is
 * the process's; without one, the interactive shell runs (exit status 0).
 */
export async function runSupervisorctl(argv: readonly string[], progname: string, early?: EarlyCalls): Promise<number> {
  try {
    return await runCommandLine(argv, progname, early);
  } finally {
    // Taken by the controller, or else not wanted.
    for (const sent of early?.calls ?? []) sent.socket.destroy();
  }
}

async function runCommandLine(argv: readonly string[], progname: string, early: EarlyCalls | undefined): Promise<number> {
  let command: ReturnType<typeof parseSupervisorctlCommandLine>;
  try {
    command = parseSupervisorctlCommandLine(argv, progname);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return printUsageError(err, progname);
  }
  if (command.action === "help") {
    process.stdout.write(supervisorctlHelp(progname));
    return 0;
  }
  const { options, args } = command;
  if (args.length === 0) {
    // Loaded here only: a one-shot command does not pay for readline's shell and its completion.
    const { runShell } = require("../ctl/shell") as typeof import("../ctl/shell.js");
    await runShell(options, (terminal) => new Controller(options, terminal));
    return 0;
  }
  const terminal = new LineTerminal();
  await askPassword(options, terminal);
  const ctl = new Controller(options, terminal, early);
  try {
    await ctl.onecmd(args.join(" "));
  } finally {
    ctl.close();
    terminal.close();
  }
  return ctl.exitstatus;
}

/**
 * DIVERGES: supervisorctl 4.2.5 sends no credentials when a username has no password, and the
 * server answers 401; asking for the password on a terminal lets a user keep it out of the config
 * file and of the shell history. Without a terminal nothing is asked, as in supervisorctl.
 */
async function askPassword(options: CtlOptions, terminal: LineTerminal): Promise<void> {
  if (options.username === null || options.password !== null || process.stdin.isTTY !== true) return;
  let interrupted = false;
  const release = terminal.onInterrupt(() => (interrupted = true));
  let password: string | null;
  try {
    password = await terminal.readSecret("Password:");
  } finally {
    release();
  }
  // Ctrl-C at the prompt: the user wants out, not a 401 for want of the password.
  if (interrupted) return terminal.endInterrupted();
  if (password !== null) options.password = password;
}

/** `early`: the calls supervisorctl-early.ts sent for this command line, if any. */
export function main(early?: EarlyCalls): void {
  const progname = supervisorctlProgname();
  delete process.env["SUPERVISORCTL_TS_ARGV0"];
  runSupervisorctl(process.argv.slice(2), progname, early).then(
    // Output to files, pipes and terminals is written synchronously on Linux: nothing is lost.
    (status) => process.exit(status),
    (err: unknown) => {
      process.stderr.write(`supervisorctl: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
