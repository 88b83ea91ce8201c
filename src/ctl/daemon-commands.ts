import { pySplitWhitespace } from "../config/python-str";
import { ConnectError, RpcFault } from "../protocol/client";
import { FAULT_CODES } from "../protocol/faults";
import type { Command, Ctl } from "./ctl-context";
import { ExitStatus } from "./format";
import { columnize, HELP_TEXTS } from "./help-texts";
import { argumentError } from "./process-commands";

/** The commands about the daemon and the shell (ctl.md §4.15-§4.20). */

/** In the shell, ask before acting; a one-shot command acts at once. */
async function confirmed(ctl: Ctl, question: string): Promise<boolean> {
  if (!ctl.options.interactive) return true;
  const answer = await ctl.terminal.readLine(question);
  if (answer === null) throw new EndOfInput();
  return answer.toLowerCase().startsWith("y");
}

/** Input ended at a question: the shell ends (supervisorctl's EOFError leaves its loop). */
export class EndOfInput extends Error {}

const shutdown: Command = async (ctl, arg) => {
  if (arg !== "") return argumentError(ctl, "Error: shutdown accepts no arguments", "shutdown");
  if (!(await confirmed(ctl, "Really shut the remote supervisord process down y/N? "))) return;
  try {
    await ctl.call("supervisor.shutdown");
  } catch (err) {
    if (err instanceof RpcFault && err.faultCode === FAULT_CODES.SHUTDOWN_STATE) return ctl.output("ERROR: already shutting down");
    ctl.exitstatus = ExitStatus.GENERIC;
    const problem = err instanceof ConnectError ? { ECONNREFUSED: "refused connection", ENOENT: "no such file" }[err.code] : undefined;
    if (problem === undefined) throw err;
    ctl.output(`ERROR: ${ctl.options.serverurl} ${problem} (already shut down?)`);
    return;
  }
  ctl.output("Shut down");
};

const reload: Command = async (ctl, arg) => {
  if (arg !== "") return argumentError(ctl, "Error: reload accepts no arguments", "reload");
  if (!(await confirmed(ctl, "Really restart the remote supervisord process y/N? "))) return;
  try {
    await ctl.call("supervisor.restart");
  } catch (err) {
    ctl.exitstatus = ExitStatus.GENERIC;
    if (!(err instanceof RpcFault) || err.faultCode !== FAULT_CODES.SHUTDOWN_STATE) throw err;
    ctl.output("ERROR: already shutting down");
    return;
  }
  ctl.output("Restarted supervisord");
};

const version: Command = async (ctl, arg) => {
  if (arg !== "") return argumentError(ctl, "Error: version accepts no arguments", "version");
  if (!(await ctl.upcheck())) return;
  ctl.output(String(await ctl.call("supervisor.getSupervisorVersion")));
};

/** The scheme of a URL as Python's urlparse finds it ("" when there is none). */
function schemeOf(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(url);
  return match?.[1]?.toLowerCase() ?? "";
}

const open: Command = async (ctl, arg) => {
  const url = arg.trim();
  const scheme = schemeOf(url);
  if (scheme !== "unix" && scheme !== "http") {
    ctl.output("ERROR: url must be http:// or unix://");
    ctl.exitstatus = ExitStatus.GENERIC;
    return;
  }
  ctl.options.serverurl = url;
  const before = ctl.exitstatus;
  await ctl.onecmd("status");
  ctl.exitstatus = before;
};

const quit: Command = async (ctl) => {
  ctl.output("");
  return true;
};

const help: Command = async (ctl, arg) => {
  if (arg === "") {
    // cmd.Cmd's print_topics: a blank line, the header, a ruler as long, the names in 79 columns.
    ctl.output("");
    ctl.output("default commands (type help <topic>):");
    ctl.output("=====================================");
    for (const line of columnize(Object.keys(HELP_TEXTS).filter((topic) => topic !== "help").sort(), 79)) ctl.output(line);
    ctl.output("");
    return;
  }
  const text = pySplitWhitespace(arg).length === 1 && Object.hasOwn(HELP_TEXTS, arg) ? HELP_TEXTS[arg] : undefined;
  ctl.output(text ?? `*** No help on ${arg}`);
};

export const DAEMON_COMMANDS: Readonly<Record<string, Command>> = { shutdown, reload, version, open, quit, exit: quit, EOF: quit, help };
