import { pyRepr, pySplitWhitespace } from "../config/python-str";
import { RpcFault } from "../protocol/client";
import { FAULT_CODES } from "../protocol/faults";
import { ProcessStates } from "../states";
import type { Command, Ctl } from "./ctl-context";
import { asPythonError } from "./error-line";
import { ExitStatus, member } from "./format";
import type { LogTailStream as LogTailStreamType } from "./log-tail-stream";
import { argumentError } from "./process-commands";

/** The /logtail follower (node:http), loaded only by `tail -f`, `maintail -f` and `fg`. */
function logTailStream(): typeof LogTailStreamType {
  return (require("./log-tail-stream") as typeof import("./log-tail-stream.js")).LogTailStream;
}

/** The commands that read logs (ctl.md §4.8-§4.10): tail, maintail, fg. */

/** Python's int() of an option's digits (`-100` → 100 for `-100`'s "100"); undefined if not one. */
function pyInt(text: string): number | undefined {
  return /^[ \t]*[+-]?\d+(?:_\d+)*[ \t]*$/.test(text) ? Number(text.replaceAll("_", "")) : undefined;
}

/** `tail -f` / `maintail -f`: stream `path` until the server ends it or the user presses Ctrl-C. */
async function follow(ctl: Ctl, path: string): Promise<void> {
  ctl.output("==> Press Ctrl-C to exit <==");
  const stream = new (logTailStream())(ctl.options, path, ctl.terminal);
  let interrupted = false;
  const release = ctl.terminal.onInterrupt(() => {
    interrupted = true;
    stream.close();
  });
  try {
    await stream.done;
  } finally {
    release();
  }
  if (interrupted) ctl.output("");
}

/** Print a log read, or the error line for its fault (`who` names the log's owner). */
async function printLog(ctl: Ctl, who: string, read: () => Promise<unknown>, badName?: true): Promise<void> {
  let text: unknown;
  try {
    text = await read();
  } catch (err) {
    ctl.exitstatus = ExitStatus.GENERIC;
    const code = err instanceof RpcFault ? err.faultCode : undefined;
    if (code === FAULT_CODES.NO_FILE) ctl.output(`${who}: ERROR (no log file)`);
    else if (code === FAULT_CODES.FAILED) ctl.output(`${who}: ERROR (unknown error reading log)`);
    else if (code === FAULT_CODES.BAD_NAME && badName) ctl.output(`${who}: ERROR (no such process name)`);
    else throw err;
    return;
  }
  ctl.output(String(text));
}

function badArgument(ctl: Ctl, word: string): void {
  ctl.output(`Error: bad argument ${word}`);
  ctl.exitstatus = ExitStatus.GENERIC;
}

const tail: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const args = pySplitWhitespace(arg);
  if (args.length < 1) return argumentError(ctl, "Error: too few arguments", "tail");
  if (args.length > 3) return argumentError(ctl, "Error: too many arguments", "tail");
  const modifier = args[0]?.startsWith("-") ? args.shift() : undefined;
  const name = args[0];
  let channel = "stdout";
  if (name === undefined) {
    ctl.output("Error: tail requires process name");
    ctl.exitstatus = ExitStatus.GENERIC;
    return;
  }
  if (args.length > 1) {
    channel = (args.at(-1) ?? "").toLowerCase();
    if (channel !== "stdout" && channel !== "stderr") {
      ctl.output(`Error: bad channel ${pyRepr(channel)}`);
      ctl.exitstatus = ExitStatus.GENERIC;
      return;
    }
  }
  let bytes = 1600;
  if (modifier !== undefined) {
    const what = modifier.slice(1);
    if (what === "f") return follow(ctl, `/logtail/${name}/${channel}`);
    const parsed = pyInt(what);
    if (parsed === undefined) return badArgument(ctl, modifier);
    bytes = parsed;
  }
  const method = channel === "stdout" ? "supervisor.readProcessStdoutLog" : "supervisor.readProcessStderrLog";
  await printLog(ctl, name, () => ctl.call(method, name, -bytes, 0), true);
};

const maintail: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const args = pySplitWhitespace(arg);
  if (args.length > 1) return argumentError(ctl, "Error: too many arguments", "maintail");
  let bytes = 1600;
  const word = args[0];
  if (word !== undefined) {
    if (!word.startsWith("-")) return badArgument(ctl, word);
    const what = word.slice(1);
    if (what === "f") return follow(ctl, "/mainlogtail");
    const parsed = pyInt(what);
    if (parsed === undefined) return badArgument(ctl, word);
    bytes = parsed;
  }
  await printLog(ctl, "supervisord", () => ctl.call("supervisor.readLog", -bytes, 0));
};

async function isRunning(ctl: Ctl, name: string): Promise<boolean> {
  return member(await ctl.call("supervisor.getProcessInfo", name), "state") === ProcessStates.RUNNING;
}

/**
 * fg's loop: typed lines to the process's stdin until Ctrl-C, end of input or its death. Ctrl-C
 * while a call is under way ends it too, once the call is answered (supervisorctl's
 * KeyboardInterrupt leaves at once; what it prints is the same).
 */
async function forward(ctl: Ctl, name: string): Promise<void> {
  let interrupted = false;
  const release = ctl.terminal.onInterrupt(() => {
    interrupted = true;
  });
  try {
    while (!interrupted) {
      const line = await ctl.terminal.readLine("");
      if (line === null || interrupted) break;
      try {
        await ctl.call("supervisor.sendProcessStdin", name, `${line}\n`);
      } catch (err) {
        if (interrupted) break;
        if (!(err instanceof RpcFault)) throw err;
        ctl.output(err.faultCode === FAULT_CODES.NOT_RUNNING ? "Process got killed" : `ERROR: ${asPythonError(err).text}`);
        break;
      }
      const running = await isRunning(ctl, name);
      if (interrupted) break;
      if (!running) {
        ctl.output("Process got killed");
        break;
      }
    }
  } finally {
    release();
  }
  ctl.output("Exiting foreground");
}

const fg: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = pySplitWhitespace(arg);
  if (names.length === 0) return argumentError(ctl, "ERROR: no process name supplied", "fg");
  const name = names[0] ?? "";
  if (names.length > 1) {
    ctl.output("ERROR: too many process names supplied");
    ctl.exitstatus = ExitStatus.GENERIC;
    return;
  }
  let running: boolean;
  try {
    running = await isRunning(ctl, name);
  } catch (err) {
    if (!(err instanceof RpcFault)) throw err;
    if (err.faultCode !== FAULT_CODES.BAD_NAME) return ctl.output(`ERROR: ${asPythonError(err).text}`);
    ctl.output("ERROR: bad process name supplied");
    ctl.exitstatus = ExitStatus.GENERIC;
    return;
  }
  if (!running) {
    ctl.output("ERROR: process not running");
    ctl.exitstatus = ExitStatus.GENERIC;
    return;
  }
  ctl.output("==> Press Ctrl-C to exit <==");
  const streams = ["stdout", "stderr"].map((channel) => new (logTailStream())(ctl.options, `/logtail/${name}/${channel}`, ctl.terminal));
  try {
    await forward(ctl, name);
  } finally {
    // DIVERGES: supervisorctl's output thread sleeps on in a 30-second select once fg has ended,
    // so its one-shot `fg` exits up to 30 s after Ctrl-C (and its shell as long after quitting);
    // ours closes both streams and exits at once.
    for (const stream of streams) stream.close();
  }
};

export const LOG_COMMANDS: Readonly<Record<string, Command>> = { tail, maintail, fg };
