import { compareCodePoints } from "../config/python-str";
import { FAULT_CODES } from "../protocol/faults";
import type { PyValue } from "../protocol/codec";
import { PythonError } from "./error-line";

/**
 * supervisorctl's output lines and exit statuses (ctl.md §4, §5): the boundary where a fault or a
 * result struct becomes `name: ERROR (reason)` and an LSB exit status.
 */

/** LSB init-script exit statuses supervisorctl uses. */
export const ExitStatus = Object.freeze({
  SUCCESS: 0,
  GENERIC: 1,
  INVALID_ARGS: 2,
  UNIMPLEMENTED_FEATURE: 3,
  INSUFFICIENT_PRIVILEGES: 4,
  NOT_INSTALLED: 5,
  NOT_RUNNING: 7,
});

/** LSB status-action exit statuses (`status` only). */
export const StatusExitStatus = Object.freeze({ NOT_RUNNING: 3, UNKNOWN: 4 });

/** Faults that mean the program is not running: exit status 7. */
const DEAD_PROGRAM_FAULTS: ReadonlySet<number> = new Set([FAULT_CODES.SPAWN_ERROR, FAULT_CODES.ABNORMAL_TERMINATION, FAULT_CODES.NOT_RUNNING]);

/**
 * The exit status after a result with fault code `code`, from `current`: SUCCESS and the
 * command's ignored fault leave it; a dead-program fault makes it 7; anything else 1.
 */
export function exitStatusAfter(current: number, code: number, ignored?: number): number {
  if (code === ignored || code === FAULT_CODES.SUCCESS) return current;
  return DEAD_PROGRAM_FAULTS.has(code) ? ExitStatus.NOT_RUNNING : ExitStatus.GENERIC;
}

/** `name`, or `group:name` when they differ. */
export function namespec(group: string, name: string | null): string {
  return group === name ? name : `${group}:${name ?? "None"}`;
}

/** supervisord's split_namespec: `group:*` and `group:` have no process name (null). */
export function splitNamespec(spec: string): [string, string | null] {
  const colon = spec.indexOf(":");
  if (colon < 0) return [spec, spec];
  const name = spec.slice(colon + 1);
  return [spec.slice(0, colon), name === "" || name === "*" ? null : name];
}

/** Python's `%-Ns`: padded to `width` code points, never cut. */
export function ljust(text: string, width: number): string {
  const length = Array.from(text).length;
  return length >= width ? text : text + " ".repeat(width - length);
}

/** A struct member read from the wire (a missing member is an empty string). */
export function member(struct: PyValue | undefined, key: string): PyValue {
  return struct instanceof Map ? (struct.get(key) ?? "") : "";
}

function text(struct: PyValue, key: string): string {
  return String(member(struct, key));
}

/** A result struct's or a process info's namespec. */
export function namespecOf(struct: PyValue): string {
  return namespec(text(struct, "group"), text(struct, "name"));
}

/** `status`'s lines: namespec, state and description in columns sized for these processes. */
export function statusLines(infos: readonly PyValue[]): string[] {
  const names = infos.map(namespecOf);
  const width = Math.max(30, ...names.map((n) => Array.from(n).length)) + 3;
  return infos.map((info, i) => `${ljust(names[i] ?? "", width)}${ljust(text(info, "statename"), 10)}${text(info, "description")}`);
}

/** A result or fault as the start/stop/signal/clear commands report it. */
export interface ResultLike {
  group: string;
  /** null when the namespec had no process part (`group:*`). */
  name: string | null;
  status: number;
  description: string;
}

/** A result struct of a group or all-processes call. */
export function resultOf(struct: PyValue): ResultLike {
  return { group: text(struct, "group"), name: text(struct, "name"), status: Number(member(struct, "status")), description: text(struct, "description") };
}

/** A fault for one namespec, as a result. */
export function faultResult(spec: string, faultCode: number, faultString: string): ResultLike {
  const [group, name] = splitNamespec(spec);
  return { group, name, status: faultCode, description: faultString };
}

const START_ERRORS: ReadonlyMap<number, string> = new Map([
  [FAULT_CODES.BAD_NAME, "no such process"],
  [FAULT_CODES.NO_FILE, "no such file"],
  [FAULT_CODES.NOT_EXECUTABLE, "file is not executable"],
  [FAULT_CODES.ALREADY_STARTED, "already started"],
  [FAULT_CODES.SPAWN_ERROR, "spawn error"],
  [FAULT_CODES.ABNORMAL_TERMINATION, "abnormal termination"],
]);

const SIGNAL_ERRORS: ReadonlyMap<number, string> = new Map([
  [FAULT_CODES.BAD_NAME, "no such process"],
  [FAULT_CODES.BAD_SIGNAL, "bad signal name"],
  [FAULT_CODES.NOT_RUNNING, "not running"],
]);

const CLEAR_ERRORS: ReadonlyMap<number, string> = new Map([
  [FAULT_CODES.BAD_NAME, "no such process"],
  [FAULT_CODES.FAILED, "failed"],
]);

// The lines of supervisorctl.py that raise for a result code its command does not expect.
const UNKNOWN_RESULT_LINE = { start: 761, signal: 835, clear: 1260 } as const;

function resultLine(result: ResultLike, errors: ReadonlyMap<number, string>, success: string, kind: keyof typeof UNKNOWN_RESULT_LINE): string {
  const name = namespec(result.group, result.name);
  if (result.status === FAULT_CODES.SUCCESS) return `${name}: ${success}`;
  const reason = errors.get(result.status);
  if (reason !== undefined) return `${name}: ERROR (${reason})`;
  if (kind === "signal" && result.status === FAULT_CODES.FAILED) return result.description;
  throw PythonError.unknownResult(result.status, name, UNKNOWN_RESULT_LINE[kind]);
}

export function startResultLine(result: ResultLike): string {
  return resultLine(result, START_ERRORS, "started", "start");
}

/** A signal result (`signalled`) or, with success `stopped`, a stop result. */
export function signalResultLine(result: ResultLike, success = "signalled"): string {
  return resultLine(result, SIGNAL_ERRORS, success, "signal");
}

export function clearResultLine(result: ResultLike): string {
  return resultLine(result, CLEAR_ERRORS, "cleared", "clear");
}

/** One `avail` line: namespec, in use, auto start, priorities. */
export function availLine(info: PyValue): string {
  const inuse = member(info, "inuse") === true ? "in use" : "avail";
  const autostart = member(info, "autostart") === true ? "auto" : "manual";
  const priority = `${text(info, "group_prio")}:${text(info, "process_prio")}`;
  return `${ljust(namespecOf(info), 32)} ${ljust(inuse, 9)} ${ljust(autostart, 9)} ${priority}`;
}

/** `reread`'s lines for reloadConfig's [added, changed, removed] group names. */
export function changeLines(added: readonly string[], changed: readonly string[], removed: readonly string[]): string[] {
  const words = new Map<string, string>();
  for (const [names, word] of [[added, "available"], [changed, "changed"], [removed, "disappeared"]] as const) {
    for (const name of names) words.set(name, word);
  }
  if (words.size === 0) return ["No config updates to processes"];
  return [...words.keys()].sort(compareCodePoints).map((name) => `${name}: ${words.get(name) ?? ""}`);
}

