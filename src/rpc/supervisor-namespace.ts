import { existsSync, unlinkSync } from "node:fs";
import { commandSearchPath } from "../config/child-environment";
import { groupsEqual } from "../config/diff";
import { signalNumber } from "../config/datatypes";
import { isAuto } from "../config/model";
import { compareCodePoints } from "../config/python-str";
import { ConfigError, SupervisorError } from "../errors";
import { LogReadError, readLogSlice, tailLog } from "../logging/log-reads";
import { FAULT_CODES } from "../protocol/faults";
import type { PyValue, XmlRpcValue } from "../protocol/codec";
import { CommandError, resolveCommand } from "../process/command";
import type { Subprocess } from "../process/subprocess";
import { VALID_SIGNAL_NUMBERS } from "../posix/signals";
import { RUNNING_STATES, SIGNALLABLE_STATES, STOPPED_STATES } from "../states";
import type { ProcessGroup } from "../supervisor/process-group";
import { processConfigInfo } from "./process-config-info";
import { processInfo, type ProcessInfo } from "./process-info";
import { pyHashable, pyInt, pyString, pyStrValue, pyTruthy, PythonError } from "./python-values";
import type { RpcDaemon } from "./rpc-daemon";

/** The version strings clients compare against. */
export const API_VERSION = "3.0";
/** The version supervisord reports: clients and scripts compare against 4.2.5's. */
export const SUPERVISOR_VERSION = "4.2.5";

/** A method's value now, or later (supervisord's deferred replies, xmlrpc.md §6). */
type Answer = XmlRpcValue | Promise<XmlRpcValue>;

function fault(code: ConstructorParameters<typeof SupervisorError>[0], detail?: PyValue): SupervisorError {
  return new SupervisorError(code, detail === undefined || detail === null ? undefined : pyStrValue(detail));
}

/** supervisord's make_namespec: `name`, or `group:name` when they differ. */
export function namespecOf(groupName: string, processName: string): string {
  return groupName === processName ? processName : `${groupName}:${processName}`;
}

/** split_namespec: `grp:*` and `grp:` name the whole group (process undefined). */
export function splitNamespec(name: string): [string, string | undefined] {
  const colon = name.indexOf(":");
  if (colon < 0) return [name, name];
  const process = name.slice(colon + 1);
  return [name.slice(0, colon), process === "" || process === "*" ? undefined : process];
}

interface ResultStruct {
  name: string;
  group: string;
  status: number;
  description: string;
  [key: string]: XmlRpcValue;
}

function resultOf(proc: Subprocess, err?: unknown): ResultStruct {
  if (err === undefined) return { name: proc.config.name, group: proc.groupName, status: FAULT_CODES.SUCCESS, description: "OK" };
  if (!(err instanceof SupervisorError)) throw err;
  return { name: proc.config.name, group: proc.groupName, status: FAULT_CODES[err.code], description: err.message };
}

/** Processes of a group by priority (a stable sort: equal priorities keep config order). */
function byPriority(group: ProcessGroup): Subprocess[] {
  return [...group.processes.values()].sort((a, b) => a.config.priority - b.config.priority);
}

/**
 * The `supervisor` namespace (xmlrpc.md §10): every method, with supervisord's checks in
 * supervisord's order, its faults and its deferred replies (which here wait for the state
 * change itself instead of being polled once a second).
 */
export class SupervisorNamespace {
  /** Each process's last info struct, frozen (so encoded once), while its revision and second hold. */
  readonly #infos = new WeakMap<Subprocess, { revision: number; second: number; info: Readonly<ProcessInfo> }>();
  #lastAll: readonly Readonly<ProcessInfo>[] | undefined;

  constructor(readonly daemon: RpcDaemon) {}

  /** getProcessInfo's struct: the same frozen object until the process changes or a second passes. */
  #info(proc: Subprocess, now: number): Readonly<ProcessInfo> {
    const second = Math.trunc(now);
    const cached = this.#infos.get(proc);
    if (cached !== undefined && cached.revision === proc.revision && cached.second === second) return cached.info;
    const info = Object.freeze(processInfo(proc, now));
    this.#infos.set(proc, { revision: proc.revision, second, info });
    return info;
  }

  get #supervisor() {
    return this.daemon.supervisor;
  }

  /** SHUTDOWN_STATE while stopping for a shutdown or a restart. */
  #update(): void {
    const mood = this.#supervisor.mood();
    if (mood === "SHUTDOWN" || mood === "RESTARTING") throw fault("SHUTDOWN_STATE");
  }

  /** Every process: in lexical order (group, then process names), or in priority order. */
  #allProcesses(lexical: boolean): Subprocess[] {
    const groups = [...this.#supervisor.groups.values()];
    if (lexical) {
      groups.sort((a, b) => compareCodePoints(a.name, b.name));
      return groups.flatMap((group) => [...group.processes.values()].sort((a, b) => compareCodePoints(a.config.name, b.config.name)));
    }
    return this.#supervisor.groupsByPriority().flatMap(byPriority);
  }

  #groupAndProcess(name: PyValue): [ProcessGroup, Subprocess | undefined] {
    const [groupName, processName] = splitNamespec(pyString(name));
    const group = this.#supervisor.groups.get(groupName);
    if (group === undefined) throw fault("BAD_NAME", name);
    if (processName === undefined) return [group, undefined];
    const proc = group.processes.get(processName);
    if (proc === undefined) throw fault("BAD_NAME", name);
    return [group, proc];
  }

  #process(name: PyValue): Subprocess {
    const [, proc] = this.#groupAndProcess(name);
    if (proc === undefined) throw fault("BAD_NAME", name);
    return proc;
  }

  /**
   * Wait until `done` says so (true) or throws, checking after every change of state; `tick`
   * runs at once and then every second meanwhile (stop reports).
   */
  #until(done: () => boolean, tick?: () => void): Promise<XmlRpcValue> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const finish = (): void => {
        unwatch();
        clearInterval(timer);
        if (immediate !== undefined) clearImmediate(immediate);
      };
      const check = (): void => {
        try {
          if (!done()) return;
          finish();
          resolve(true);
        } catch (err) {
          finish();
          reject(err);
        }
      };
      const unwatch = this.#supervisor.watchStates(check);
      if (tick !== undefined) {
        immediate = setImmediate(() => {
          immediate = undefined;
          tick();
        });
        timer = setInterval(tick, 1000);
      }
      check();
    });
  }

  /**
   * supervisord's make_allfunc: `act` on every process that `wanted` selects; failures at once
   * come first (in the given order), then the waited-for ones as they complete.
   */
  #forEach(processes: readonly Subprocess[], wanted: (proc: Subprocess) => boolean, act: (namespec: string) => Answer): Promise<XmlRpcValue> {
    const results: ResultStruct[] = [];
    const pending: Promise<void>[] = [];
    for (const proc of processes) {
      if (!wanted(proc)) continue;
      let answer: Answer;
      try {
        answer = act(namespecOf(proc.groupName, proc.config.name));
      } catch (err) {
        results.push(resultOf(proc, err));
        continue;
      }
      if (answer instanceof Promise) {
        pending.push(answer.then(
          () => void results.push(resultOf(proc)),
          (err: unknown) => void results.push(resultOf(proc, err)),
        ));
      } else {
        results.push(resultOf(proc));
      }
    }
    return Promise.all(pending).then(() => results);
  }

  // --- status and identification ---

  getAPIVersion(): Answer {
    this.#update();
    return API_VERSION;
  }

  getSupervisorVersion(): Answer {
    this.#update();
    return SUPERVISOR_VERSION;
  }

  getIdentification(): Answer {
    this.#update();
    return this.daemon.config.identifier;
  }

  getState(): Answer {
    this.#update();
    return { statecode: 1, statename: "RUNNING" };
  }

  getPID(): Answer {
    this.#update();
    return process.pid;
  }

  // --- the main log ---

  async readLog(offset: PyValue, length: PyValue): Promise<XmlRpcValue> {
    this.#update();
    const logfile = this.daemon.config.logfile;
    if (logfile === "syslog" || !existsSync(logfile)) throw fault("NO_FILE", logfile);
    return readText(logfile, pyInt(offset), pyInt(length));
  }

  async clearLog(): Promise<XmlRpcValue> {
    this.#update();
    const logfile = this.daemon.config.logfile;
    if (logfile === "syslog" || !existsSync(logfile)) throw fault("NO_FILE");
    try {
      unlinkSync(logfile);
    } catch {
      throw fault("FAILED");
    }
    this.daemon.supervisor.log.info("reopening log file");
    await this.daemon.reopenMainLog();
    return true;
  }

  // --- daemon control ---

  shutdown(): Answer {
    this.#update();
    this.daemon.shutdown();
    return true;
  }

  restart(): Answer {
    this.#update();
    this.daemon.restart();
    return true;
  }

  reloadConfig(): Answer {
    this.#update();
    try {
      this.daemon.reread();
    } catch (err) {
      if (err instanceof ConfigError) throw fault("CANT_REREAD", err.text);
      throw err;
    }
    const available = this.daemon.available();
    const active = [...this.#supervisor.groups.values()].map((group) => group.config);
    const byName = new Map(active.map((config) => [config.name, config]));
    const names = new Set(available.map((config) => config.name));
    const added = available.filter((config) => !byName.has(config.name)).map((config) => config.name);
    const changed = available
      .filter((config) => {
        const old = byName.get(config.name);
        return old !== undefined && !groupsEqual(old, config);
      })
      .map((config) => config.name);
    const removed = active.filter((config) => !names.has(config.name)).map((config) => config.name);
    return [[added, changed, removed]];
  }

  async addProcessGroup(name: PyValue): Promise<XmlRpcValue> {
    this.#update();
    const config = this.daemon.available().find((candidate) => candidate.name === name);
    if (config === undefined) throw fault("BAD_NAME", name);
    if (!(await this.#supervisor.addProcessGroup(config))) throw fault("ALREADY_ADDED", name);
    // supervisord's next loop pass starts its autostart processes.
    setImmediate(() => this.#supervisor.groups.get(config.name)?.transition());
    return true;
  }

  async removeProcessGroup(name: PyValue): Promise<XmlRpcValue> {
    this.#update();
    pyHashable(name);
    if (typeof name !== "string" || !this.#supervisor.groups.has(name)) throw fault("BAD_NAME", name);
    if (!(await this.#supervisor.removeProcessGroup(name))) throw fault("STILL_RUNNING", name);
    return true;
  }

  // --- starting and stopping ---

  startProcess(name: PyValue, wait: PyValue = true): Answer {
    this.#update();
    const [group, proc] = this.#groupAndProcess(name);
    if (proc === undefined) return this.startProcessGroup(group.name, wait);
    try {
      resolveCommand(proc.config.command, commandSearchPath(this.#supervisor.daemonEnv, proc.config));
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      throw fault(err.problem, err.message);
    }
    if (RUNNING_STATES.has(proc.state)) throw fault("ALREADY_STARTED", name);
    if (proc.state === "UNKNOWN") throw fault("FAILED", `${pyStrValue(name)} is in an unknown process state`);
    proc.spawn(); // while STOPPING, a warning and nothing else (the process still has its pid)
    if (proc.spawnerr) throw fault("SPAWN_ERROR", name);
    proc.transition(); // startsecs=0: RUNNING at once
    if (!pyTruthy(wait) || proc.state === "RUNNING") return true;
    return this.#until(() => {
      if (proc.spawnerr) throw fault("SPAWN_ERROR", name);
      if (proc.state !== "STARTING" && proc.state !== "RUNNING") throw fault("ABNORMAL_TERMINATION", name);
      return proc.state === "RUNNING";
    });
  }

  startProcessGroup(name: PyValue, wait: PyValue = true): Answer {
    this.#update();
    pyHashable(name);
    const group = typeof name === "string" ? this.#supervisor.groups.get(name) : undefined;
    if (group === undefined) throw fault("BAD_NAME", name);
    return this.#forEach(byPriority(group), (proc) => !RUNNING_STATES.has(proc.state), (namespec) => this.startProcess(namespec, wait));
  }

  startAllProcesses(wait: PyValue = true): Answer {
    this.#update();
    return this.#forEach(this.#allProcesses(false), (proc) => !RUNNING_STATES.has(proc.state), (namespec) => this.startProcess(namespec, wait));
  }

  stopProcess(name: PyValue, wait: PyValue = true): Answer {
    this.#update();
    const [group, proc] = this.#groupAndProcess(name);
    if (proc === undefined) return this.stopProcessGroup(group.name, wait);
    if (!RUNNING_STATES.has(proc.state)) throw fault("NOT_RUNNING", name);
    const problem = proc.stop();
    if (problem !== undefined) throw fault("FAILED", problem);
    if (!pyTruthy(wait) || STOPPED_STATES.has(proc.state)) return true;
    return this.#until(
      () => STOPPED_STATES.has(proc.state),
      () => proc.stopReport(),
    );
  }

  stopProcessGroup(name: PyValue, wait: PyValue = true): Answer {
    this.#update();
    pyHashable(name);
    const group = typeof name === "string" ? this.#supervisor.groups.get(name) : undefined;
    if (group === undefined) throw fault("BAD_NAME", name);
    return this.#forEach(byPriority(group), (proc) => RUNNING_STATES.has(proc.state), (namespec) => this.stopProcess(namespec, wait));
  }

  stopAllProcesses(wait: PyValue = true): Answer {
    this.#update();
    return this.#forEach(this.#allProcesses(false), (proc) => RUNNING_STATES.has(proc.state), (namespec) => this.stopProcess(namespec, wait));
  }

  // --- signals ---

  signalProcess(name: PyValue, signal: PyValue): Answer {
    this.#update();
    const [group, proc] = this.#groupAndProcess(name);
    if (proc === undefined) return this.signalProcessGroup(group.name, signal);
    const sig = signalOf(signal);
    if (!SIGNALLABLE_STATES.has(proc.state)) throw fault("NOT_RUNNING", name);
    const problem = proc.signal(sig);
    if (problem !== undefined) throw fault("FAILED", problem);
    return true;
  }

  signalProcessGroup(name: PyValue, signal: PyValue): Answer {
    pyHashable(name);
    const group = typeof name === "string" ? this.#supervisor.groups.get(name) : undefined;
    this.#update();
    if (group === undefined) throw fault("BAD_NAME", name);
    return this.#signalEach(byPriority(group), signal);
  }

  signalAllProcesses(signal: PyValue): Answer {
    const results = this.#signalEach(this.#allProcesses(false), signal);
    this.#update();
    return results;
  }

  #signalEach(processes: readonly Subprocess[], signal: PyValue): XmlRpcValue {
    const results: ResultStruct[] = [];
    for (const proc of processes) {
      if (!SIGNALLABLE_STATES.has(proc.state)) continue;
      try {
        this.signalProcess(namespecOf(proc.groupName, proc.config.name), signal);
        results.push(resultOf(proc));
      } catch (err) {
        results.push(resultOf(proc, err));
      }
    }
    return results;
  }

  // --- configuration and status ---

  getAllConfigInfo(): Answer {
    this.#update();
    const entries: Record<string, XmlRpcValue>[] = [];
    for (const gconfig of this.daemon.available()) {
      const inuse = this.#supervisor.groups.has(gconfig.name);
      for (const p of gconfig.processes) {
        // AUTO names exist once a group has been created from this very config.
        const created = this.#supervisor.logfilesOf.get(p);
        entries.push(processConfigInfo(gconfig, p, inuse, (file, channel) => (file === null ? "none" : isAuto(file) ? (created?.[channel] ?? "auto") : file)));
      }
    }
    return entries.sort((a, b) => compareCodePoints(String(a["name"]), String(b["name"])));
  }

  getProcessInfo(name: PyValue): Answer {
    this.#update();
    return this.#info(this.#process(name), Date.now() / 1000) as XmlRpcValue;
  }

  getAllProcessInfo(): Answer {
    this.#update();
    const now = Date.now() / 1000;
    const infos = this.#allProcesses(true).map((proc) => this.#info(proc, now));
    // Nothing changed since the last answer (a dashboard polling): the same frozen list, whose
    // reply is then encoded only once.
    const last = this.#lastAll;
    if (last !== undefined && last.length === infos.length && infos.every((info, i) => info === last[i])) return last as XmlRpcValue;
    this.#lastAll = Object.freeze(infos);
    return this.#lastAll as XmlRpcValue;
  }

  // --- process logs ---

  #logfile(name: PyValue, channel: "stdout" | "stderr"): string | null {
    return this.#process(name).channels.logfiles[channel];
  }

  async #readProcessLog(name: PyValue, offset: PyValue, length: PyValue, channel: "stdout" | "stderr"): Promise<XmlRpcValue> {
    const logfile = this.#logfile(name, channel);
    if (logfile === null || !existsSync(logfile)) throw fault("NO_FILE", logfile);
    return readText(logfile, pyInt(offset), pyInt(length));
  }

  readProcessStdoutLog(name: PyValue, offset: PyValue, length: PyValue): Answer {
    this.#update();
    return this.#readProcessLog(name, offset, length, "stdout");
  }

  readProcessStderrLog(name: PyValue, offset: PyValue, length: PyValue): Answer {
    this.#update();
    return this.#readProcessLog(name, offset, length, "stderr");
  }

  async #tailProcessLog(name: PyValue, offset: PyValue, length: PyValue, channel: "stdout" | "stderr"): Promise<XmlRpcValue> {
    const logfile = this.#logfile(name, channel);
    if (logfile === null || !existsSync(logfile)) return ["", 0, false];
    const tail = await tailLog(logfile, pyInt(offset), pyInt(length));
    return [decodeStrict(tail.bytes), tail.size, tail.overflow];
  }

  tailProcessStdoutLog(name: PyValue, offset: PyValue, length: PyValue): Answer {
    this.#update();
    return this.#tailProcessLog(name, offset, length, "stdout");
  }

  tailProcessStderrLog(name: PyValue, offset: PyValue, length: PyValue): Answer {
    this.#update();
    return this.#tailProcessLog(name, offset, length, "stderr");
  }

  clearProcessLogs(name: PyValue): Answer {
    this.#update();
    const proc = this.#process(name);
    // supervisord's removelogs() acts only through a running process's dispatchers.
    if (!proc.pid) return true;
    return Promise.all([proc.channels.stdout.remove(), proc.channels.stderr?.remove()]).then(() => true);
  }

  /** One process after the other, in priority order (supervisord clears one per loop pass). */
  async clearAllProcessLogs(): Promise<XmlRpcValue> {
    this.#update();
    const results: ResultStruct[] = [];
    for (const proc of this.#allProcesses(false)) {
      try {
        await this.clearProcessLogs(namespecOf(proc.groupName, proc.config.name));
        results.push(resultOf(proc));
      } catch (err) {
        results.push(resultOf(proc, err));
      }
    }
    return results;
  }

  // --- process I/O ---

  sendProcessStdin(name: PyValue, chars: PyValue): Answer {
    this.#update();
    if (typeof chars !== "string") throw fault("INCORRECT_PARAMETERS", chars);
    const proc = this.#process(name);
    if (!proc.pid || proc.killing) throw fault("NOT_RUNNING", name);
    if (!proc.writeStdin(Buffer.from(chars, "utf8"))) throw fault("NO_FILE", name);
    return true;
  }

  sendRemoteCommEvent(type: PyValue, data: PyValue): Answer {
    this.#supervisor.events.notify({ type: "REMOTE_COMMUNICATION", commType: pyStrValue(type), data: pyStrValue(data) });
    return true;
  }
}

/** A signal as signalProcess takes it: a number, or a name with or without SIG (xmlrpc.md §10.4). */
function signalOf(signal: PyValue): number {
  let number: number | undefined;
  if (typeof signal === "string") {
    try {
      return signalNumber(signal, { file: "" });
    } catch (err) {
      if (err instanceof ConfigError) throw fault("BAD_SIGNAL", signal);
      throw err;
    }
  }
  try {
    number = pyInt(signal);
  } catch (err) {
    if (err instanceof PythonError && err.pyClass === "TypeError") pyString(signal, "strip");
    throw err;
  }
  if (!VALID_SIGNAL_NUMBERS.has(number)) throw fault("BAD_SIGNAL", signal);
  return number;
}

/** Log text as supervisord returns it: strict UTF-8, or HTTP 500 (xmlrpc.md §10.6). */
function decodeStrict(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PythonError("UnicodeDecodeError", "'utf-8' codec can't decode the bytes read from the log");
  }
}

async function readText(path: string, offset: number, length: number): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readLogSlice(path, offset, length);
  } catch (err) {
    if (err instanceof LogReadError) throw fault(err.code);
    throw err;
  }
  try {
    return decodeStrict(bytes);
  } catch {
    // supervisord looks the decode error's first argument up as a fault name, and fails.
    throw new PythonError("AttributeError", "type object 'Faults' has no attribute 'utf-8'");
  }
}
