import { pySplitWhitespace } from "../config/python-str";
import { RpcFault } from "../protocol/client";
import type { PyValue } from "../protocol/codec";
import { FAULT_CODES } from "../protocol/faults";
import { ProcessStates, STOPPED_STATES, type ProcessStateName } from "../states";
import type { Command, Ctl } from "./ctl-context";
import {
  clearResultLine,
  exitStatusAfter,
  ExitStatus,
  faultResult,
  member,
  namespec,
  resultOf,
  signalResultLine,
  splitNamespec,
  startResultLine,
  StatusExitStatus,
  statusLines,
  type ResultLike,
} from "./format";
import { HELP_TEXTS } from "./help-texts";

/** The commands about processes (ctl.md §4.1-§4.7): status, start, stop, restart, signal, pid, clear. */

function list(value: PyValue): PyValue[] {
  return Array.isArray(value) ? value : [];
}

/** Print a command's argument error, its help text, and set the exit status. */
export function argumentError(ctl: Ctl, message: string, topic: string, status: number = ExitStatus.GENERIC): void {
  ctl.output(message);
  ctl.exitstatus = status;
  ctl.output(HELP_TEXTS[topic] ?? "");
}

/**
 * The read-only calls without parameters that `command` with `arg` makes right after upcheck
 * (which it prefetches, and supervisorctl's early start sends ahead).
 */
export function prefetchedBy(command: string, arg: string): string[] {
  if (command === "status") return ["supervisor.getAllProcessInfo"];
  if (command !== "pid") return [];
  const names = pySplitWhitespace(arg);
  if (names.length === 0) return ["supervisor.getPID"];
  return names.includes("all") ? ["supervisor.getAllProcessInfo"] : [];
}

const status: Command = async (ctl, arg) => {
  for (const method of prefetchedBy("status", arg)) ctl.prefetch(method);
  if (!(await ctl.upcheck())) {
    ctl.exitstatus = StatusExitStatus.UNKNOWN;
    return;
  }
  const all = list(await ctl.call("supervisor.getAllProcessInfo"));
  const names = pySplitWhitespace(arg);
  let matching: PyValue[] = all;
  if (names.length > 0 && !names.includes("all")) {
    matching = [];
    for (const name of names) {
      const [group, process] = splitNamespec(name);
      const found = all.filter((info) => member(info, "group") === group && (process === null || member(info, "name") === process));
      matching.push(...found);
      if (found.length === 0) {
        ctl.output(process === null ? `${group}: ERROR (no such group)` : `${name}: ERROR (no such process)`);
        ctl.exitstatus = StatusExitStatus.UNKNOWN;
      }
    }
  }
  for (const line of statusLines(matching)) ctl.output(line);
  const stopped = [...STOPPED_STATES].map((name: ProcessStateName) => ProcessStates[name] as number);
  if (matching.some((info) => stopped.includes(Number(member(info, "state"))))) ctl.exitstatus = StatusExitStatus.NOT_RUNNING;
};

/** How one of start, stop and signal reports its results. */
interface Action {
  line: (result: ResultLike) => string;
  /** The fault that is reported but leaves the exit status alone. */
  ignored?: number;
  /** The exit status of a group name the server does not know. */
  badGroupStatus: number;
  all: (ctl: Ctl) => Promise<PyValue>;
  group: (ctl: Ctl, group: string) => Promise<PyValue>;
  one: (ctl: Ctl, name: string) => Promise<PyValue>;
  success: string;
}

function report(ctl: Ctl, action: Action, results: PyValue): void {
  for (const struct of list(results)) {
    const result = resultOf(struct);
    ctl.output(action.line(result));
    ctl.exitstatus = exitStatusAfter(ctl.exitstatus, result.status, action.ignored);
  }
}

async function act(ctl: Ctl, action: Action, names: readonly string[]): Promise<void> {
  if (names.includes("all")) {
    report(ctl, action, await action.all(ctl));
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    if (process === null) {
      try {
        report(ctl, action, await action.group(ctl, group));
      } catch (err) {
        if (!(err instanceof RpcFault) || err.faultCode !== FAULT_CODES.BAD_NAME) throw err;
        ctl.output(`${group}: ERROR (no such group)`);
        ctl.exitstatus = action.badGroupStatus;
      }
      continue;
    }
    try {
      await action.one(ctl, name);
    } catch (err) {
      if (!(err instanceof RpcFault)) throw err;
      const result = faultResult(name, err.faultCode, err.faultString);
      ctl.output(action.line(result));
      ctl.exitstatus = exitStatusAfter(ctl.exitstatus, result.status, action.ignored);
      continue;
    }
    ctl.output(`${namespec(group, process)}: ${action.success}`);
  }
}

const START: Action = {
  line: startResultLine,
  ignored: FAULT_CODES.ALREADY_STARTED,
  badGroupStatus: ExitStatus.INVALID_ARGS,
  all: (ctl) => ctl.call("supervisor.startAllProcesses"),
  group: (ctl, group) => ctl.call("supervisor.startProcessGroup", group),
  one: (ctl, name) => ctl.call("supervisor.startProcess", name),
  success: "started",
};

const STOP: Action = {
  line: (result) => signalResultLine(result, "stopped"),
  ignored: FAULT_CODES.NOT_RUNNING,
  badGroupStatus: ExitStatus.GENERIC,
  all: (ctl) => ctl.call("supervisor.stopAllProcesses"),
  group: (ctl, group) => ctl.call("supervisor.stopProcessGroup", group),
  one: (ctl, name) => ctl.call("supervisor.stopProcess", name),
  success: "stopped",
};

function signalAction(signal: string): Action {
  return {
    line: (result) => signalResultLine(result),
    badGroupStatus: ExitStatus.GENERIC,
    all: (ctl) => ctl.call("supervisor.signalAllProcesses", signal),
    group: (ctl, group) => ctl.call("supervisor.signalProcessGroup", group, signal),
    one: (ctl, name) => ctl.call("supervisor.signalProcess", name, signal),
    success: "signalled",
  };
}

const start: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = pySplitWhitespace(arg);
  if (names.length === 0) return argumentError(ctl, "Error: start requires a process name", "start", ExitStatus.INVALID_ARGS);
  await act(ctl, START, names);
};

const stop: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = pySplitWhitespace(arg);
  if (names.length === 0) return argumentError(ctl, "Error: stop requires a process name", "stop");
  await act(ctl, STOP, names);
};

const restart: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  if (pySplitWhitespace(arg).length === 0) return argumentError(ctl, "Error: restart requires a process name", "restart");
  await stop(ctl, arg);
  await start(ctl, arg);
};

const signal: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const [sig, ...names] = pySplitWhitespace(arg);
  if (sig === undefined || names.length === 0) {
    return argumentError(ctl, "Error: signal requires a signal name and a process name", "signal");
  }
  await act(ctl, signalAction(sig), names);
};

const pid: Command = async (ctl, arg) => {
  for (const method of prefetchedBy("pid", arg)) ctl.prefetch(method);
  if (!(await ctl.upcheck())) return;
  const names = pySplitWhitespace(arg);
  if (names.length === 0) {
    ctl.output(String(await ctl.call("supervisor.getPID")));
    return;
  }
  if (names.includes("all")) {
    for (const info of list(await ctl.call("supervisor.getAllProcessInfo"))) ctl.output(String(member(info, "pid")));
    return;
  }
  for (const name of names) {
    let info: PyValue;
    try {
      info = await ctl.call("supervisor.getProcessInfo", name);
    } catch (err) {
      ctl.exitstatus = ExitStatus.GENERIC;
      if (!(err instanceof RpcFault) || err.faultCode !== FAULT_CODES.BAD_NAME) throw err;
      ctl.output(`No such process ${name}`);
      continue;
    }
    const processPid = member(info, "pid");
    ctl.output(String(processPid));
    if (processPid === 0) ctl.exitstatus = ExitStatus.NOT_RUNNING;
  }
};

const clear: Command = async (ctl, arg) => {
  if (!(await ctl.upcheck())) return;
  const names = pySplitWhitespace(arg);
  if (names.length === 0) return argumentError(ctl, "Error: clear requires a process name", "clear");
  const report = (result: ResultLike): void => {
    ctl.output(clearResultLine(result));
    ctl.exitstatus = exitStatusAfter(ctl.exitstatus, result.status);
  };
  if (names.includes("all")) {
    for (const struct of list(await ctl.call("supervisor.clearAllProcessLogs"))) report(resultOf(struct));
    return;
  }
  for (const name of names) {
    try {
      await ctl.call("supervisor.clearProcessLogs", name);
    } catch (err) {
      if (!(err instanceof RpcFault)) throw err;
      report(faultResult(name, err.faultCode, err.faultString));
      continue;
    }
    const [group, process] = splitNamespec(name);
    ctl.output(`${namespec(group, process)}: cleared`);
  }
};

export const PROCESS_COMMANDS: Readonly<Record<string, Command>> = { status, start, stop, restart, signal, pid, clear };
