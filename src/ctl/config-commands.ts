import { pySplitWhitespace } from "../config/python-str";
import { RpcFault } from "../protocol/client";
import type { PyValue } from "../protocol/codec";
import { FAULT_CODES } from "../protocol/faults";
import type { Command, Ctl } from "./ctl-context";
import { availLine, changeLines, ExitStatus, member } from "./format";
import { argumentError } from "./process-commands";

/** The commands about the configuration (ctl.md §4.11-§4.14): avail, reread, add, remove, update. */

function faultCode(err: unknown): number | undefined {
  return err instanceof RpcFault ? err.faultCode : undefined;
}

function strings(value: PyValue | undefined): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** reloadConfig's [[added, changed, removed]] as three lists of group names. */
function changesOf(result: PyValue): [string[], string[], string[]] {
  const first = Array.isArray(result) ? result[0] : undefined;
  const lists = Array.isArray(first) ? first : [];
  return [strings(lists[0]), strings(lists[1]), strings(lists[2])];
}

const avail: Command = async (ctl, arg) => {
  if (arg !== "") return argumentError(ctl, "Error: avail accepts no arguments", "avail");
  let infos: PyValue;
  try {
    infos = await ctl.call("supervisor.getAllConfigInfo");
  } catch (err) {
    ctl.exitstatus = ExitStatus.GENERIC;
    if (faultCode(err) !== FAULT_CODES.SHUTDOWN_STATE) throw err;
    ctl.output("ERROR: supervisor shutting down");
    return;
  }
  for (const info of Array.isArray(infos) ? infos : []) ctl.output(availLine(info));
};

const reread: Command = async (ctl, arg) => {
  if (arg !== "") return argumentError(ctl, "Error: reread accepts no arguments", "reread");
  let result: PyValue;
  try {
    result = await ctl.call("supervisor.reloadConfig");
  } catch (err) {
    ctl.exitstatus = ExitStatus.GENERIC;
    const code = faultCode(err);
    if (code === FAULT_CODES.SHUTDOWN_STATE) ctl.output("ERROR: supervisor shutting down");
    else if (code === FAULT_CODES.CANT_REREAD && err instanceof RpcFault) ctl.output(`ERROR: ${err.faultString}`);
    else throw err;
    return;
  }
  for (const line of changeLines(...changesOf(result))) ctl.output(line);
};

const add: Command = async (ctl, arg) => {
  for (const name of pySplitWhitespace(arg)) {
    try {
      await ctl.call("supervisor.addProcessGroup", name);
    } catch (err) {
      const code = faultCode(err);
      if (code === FAULT_CODES.ALREADY_ADDED) {
        ctl.output("ERROR: process group already active");
        continue;
      }
      ctl.exitstatus = ExitStatus.GENERIC;
      if (code === FAULT_CODES.SHUTDOWN_STATE) ctl.output("ERROR: shutting down");
      else if (code === FAULT_CODES.BAD_NAME) ctl.output(`ERROR: no such process/group: ${name}`);
      else throw err;
      continue;
    }
    ctl.output(`${name}: added process group`);
  }
};

const remove: Command = async (ctl, arg) => {
  for (const name of pySplitWhitespace(arg)) {
    try {
      await ctl.call("supervisor.removeProcessGroup", name);
    } catch (err) {
      ctl.exitstatus = ExitStatus.GENERIC;
      const code = faultCode(err);
      if (code === FAULT_CODES.STILL_RUNNING) ctl.output(`ERROR: process/group still running: ${name}`);
      else if (code === FAULT_CODES.BAD_NAME) ctl.output(`ERROR: no such process/group: ${name}`);
      else throw err;
      continue;
    }
    ctl.output(`${name}: removed process group`);
  }
};

/** The group names `update`'s arguments select: an empty set means all. */
async function updateFilter(ctl: Ctl, arg: string, added: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(pySplitWhitespace(arg));
  if (wanted.has("all") || wanted.size === 0) return new Set();
  const groups = new Set(added);
  const infos = await ctl.call("supervisor.getAllProcessInfo");
  for (const info of Array.isArray(infos) ? infos : []) groups.add(String(member(info, "group")));
  for (const name of wanted) {
    if (groups.has(name)) continue;
    ctl.output(`ERROR: no such group: ${name}`);
    ctl.exitstatus = ExitStatus.GENERIC;
  }
  return wanted;
}

const update: Command = async (ctl, arg) => {
  let result: PyValue;
  try {
    result = await ctl.call("supervisor.reloadConfig");
  } catch (err) {
    ctl.exitstatus = ExitStatus.GENERIC;
    if (faultCode(err) !== FAULT_CODES.SHUTDOWN_STATE) throw err;
    ctl.output("ERROR: already shutting down");
    return;
  }
  const [added, changed, removed] = changesOf(result);
  const wanted = await updateFilter(ctl, arg, added);
  const selected = (names: readonly string[]): string[] => names.filter((name) => wanted.size === 0 || wanted.has(name));
  for (const group of selected(removed)) {
    const results = await ctl.call("supervisor.stopProcessGroup", group);
    ctl.output(`${group}: stopped`);
    if ((Array.isArray(results) ? results : []).some((r) => member(r, "status") === FAULT_CODES.FAILED)) {
      ctl.output(`${group}: has problems; not removing`);
      ctl.exitstatus = ExitStatus.GENERIC;
      continue;
    }
    await ctl.call("supervisor.removeProcessGroup", group);
    ctl.output(`${group}: removed process group`);
  }
  for (const group of selected(changed)) {
    await ctl.call("supervisor.stopProcessGroup", group);
    ctl.output(`${group}: stopped`);
    await ctl.call("supervisor.removeProcessGroup", group);
    await ctl.call("supervisor.addProcessGroup", group);
    ctl.output(`${group}: updated process group`);
  }
  for (const group of selected(added)) {
    await ctl.call("supervisor.addProcessGroup", group);
    ctl.output(`${group}: added process group`);
  }
};

export const CONFIG_COMMANDS: Readonly<Record<string, Command>> = { avail, reread, add, remove, update };
