import { ConfigError, type Where } from "../errors";
import { normalizePath, pyIsabs } from "../posix/python-path";
import {
  autoRestart,
  boolean,
  byteSize,
  colonSeparatedUserGroup,
  gidForUid,
  integer,
  listOfExitcodes,
  listOfStrings,
  logfileName,
  nameToUid,
  octalType,
  processOrGroupName,
  signalNumber,
} from "./datatypes";
import { resolveEntryPoint } from "./entry-point";
import { isEventTypeName } from "./event-type-names";
import { expand } from "./expansion";
import { KeyValuePairsError, dictOfKeyValuePairs } from "./key-value-pairs";
import {
  AUTO,
  isAuto,
  type FcgiSocketConfig,
  type GroupConfig,
  type LogFile,
  type ParseMessages,
  type ProcessConfig,
} from "./model";
import type { OptionReader } from "./option-reader";
import type { FormatValue } from "./percent-format";
import { compareCodePoints, pyRepr } from "./python-str";

/** What reading the program-like sections needs besides the parser. */
export interface ProgramContext {
  reader: OptionReader;
  here: string;
  hostNodeName: string;
  messages: ParseMessages;
  /** supervisord's own uid: an fcgi unix socket is chowned to `user=` only when that differs. */
  uid: number;
}

export const DEFAULT_RESULT_HANDLER = "supervisor.dispatchers:default_handler";
/** Python entry points we can honour: supervisord's own (config.md §6.10, §6.11). */
const KNOWN_RESULT_HANDLERS = new Set([DEFAULT_RESULT_HANDLER]);

/** Sort by (priority, name) as supervisord's Config objects compare. */
export function byPriorityThenName(a: { priority: number; name: string }, b: { priority: number; name: string }): number {
  return a.priority - b.priority || compareCodePoints(a.name, b.name);
}

function afterColon(section: string): string {
  return section.slice(section.indexOf(":") + 1);
}

/**
 * Every group of the config in supervisord's order of work (config.md §3 step 6): `[group:x]`,
 * then unclaimed `[program:x]`, then `[eventlistener:x]`, then unclaimed `[fcgi-program:x]`;
 * the result sorted by (priority, name).
 */
export function processGroupsFromParser(ctx: ProgramContext): GroupConfig[] {
  const { reader } = ctx;
  const sections = reader.parser.sections();
  const present = new Set(sections);
  const claimed = new Set<string>();
  const groups: GroupConfig[] = [];
  const common = new Map<string, FormatValue>([["here", ctx.here]]);
  const get = (section: string, option: string, fallback?: string) => reader.get(section, option, fallback, common);
  const intOption = (section: string, option: string, fallback: number): number =>
    reader.read(section, option, String(fallback), integer, common);

  for (const groupSection of sections) {
    if (!groupSection.startsWith("group:")) continue;
    const groupName = processOrGroupName(afterColon(groupSection), reader.sectionWhere(groupSection));
    const programs = listOfStrings(get(groupSection, "programs")?.value ?? "");
    const priority = intOption(groupSection, "priority", 999);
    const processes: ProcessConfig[] = [];
    // supervisord names the last program section it looked at, not the group, in these errors
    // (its loop variable is reused): `programs=a,b` with b missing blames [program:a].
    let blamed = groupSection;
    for (const program of programs) {
      const programSection = `program:${program}`;
      const fcgiSection = `fcgi-program:${program}`;
      const where = reader.where(groupSection, "programs");
      if (!present.has(programSection) && !present.has(fcgiSection)) {
        throw new ConfigError(`[${blamed}] names unknown program or fcgi-program ${program}`, where);
      }
      if (present.has(programSection) && present.has(fcgiSection)) {
        throw new ConfigError(`[${blamed}] name ${program} is ambiguous (exists as program and fcgi-program)`, where);
      }
      blamed = present.has(programSection) ? programSection : fcgiSection;
      claimed.add(blamed);
      // An fcgi-program claimed by a group becomes a plain program: 4.2.5 drops its socket.
      processes.push(...processesFromSection(ctx, blamed, groupName));
    }
    groups.push({ type: "process", name: groupName, priority, processes });
  }

  for (const section of sections) {
    if (!section.startsWith("program:") || claimed.has(section)) continue;
    const programName = processOrGroupName(afterColon(section), reader.sectionWhere(section));
    const priority = intOption(section, "priority", 999);
    const processes = processesFromSection(ctx, section, programName);
    groups.push({ type: "process", name: programName, priority, processes });
  }

  for (const section of sections) {
    if (!section.startsWith("eventlistener:")) continue;
    // The pool keeps the name as written; its processes get the checked, stripped one.
    const poolName = afterColon(section);
    const priority = intOption(section, "priority", -1);
    const bufferSize = intOption(section, "buffer_size", 10);
    if (bufferSize < 1) {
      throw new ConfigError(`[${section}] section sets invalid buffer_size (${bufferSize})`, reader.where(section, "buffer_size"));
    }
    const handler = get(section, "result_handler", DEFAULT_RESULT_HANDLER);
    const resultHandler = resolveEntryPoint(
      handler?.value ?? DEFAULT_RESULT_HANDLER,
      KNOWN_RESULT_HANDLERS,
      section,
      reader.where(section, "result_handler"),
    );
    const eventsText = get(section, "events", "");
    const events = [...new Set(listOfStrings(eventsText?.value ?? "").map((name) => name.toUpperCase()))];
    if (events.length === 0) {
      throw new ConfigError(`[${section}] section requires an "events" line`, reader.where(section, "events"));
    }
    for (const name of events) {
      if (!isEventTypeName(name)) {
        throw new ConfigError(`Unknown event type ${name} in [${section}] events`, reader.where(section, "events"));
      }
    }
    if (reader.read(section, "redirect_stderr", "false", boolean, common)) {
      throw new ConfigError(
        `[${section}] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol`,
        reader.where(section, "redirect_stderr"),
      );
    }
    const processes = processesFromSection(ctx, section, poolName);
    groups.push({
      type: "eventlistener",
      name: poolName,
      priority,
      processes,
      buffer_size: bufferSize,
      events,
      result_handler: resultHandler,
    });
  }

  for (const section of sections) {
    if (!section.startsWith("fcgi-program:") || claimed.has(section)) continue;
    const programName = processOrGroupName(afterColon(section), reader.sectionWhere(section));
    const priority = intOption(section, "priority", 999);
    const user = get(section, "user");
    const procUid = user === undefined ? null : nameToUid(user.value, user.where);
    const socket = fcgiSocket(ctx, section, programName, procUid);
    const processes = processesFromSection(ctx, section, programName);
    groups.push({ type: "fcgi", name: programName, priority, processes, socket });
  }

  return groups.sort(byPriorityThenName);
}

function fcgiSocket(ctx: ProgramContext, section: string, programName: string, procUid: number | null): FcgiSocketConfig {
  const { reader } = ctx;
  const common = new Map<string, FormatValue>([["here", ctx.here]]);
  const backlogText = reader.get(section, "socket_backlog", undefined, common);
  let backlog: number | null = null;
  if (backlogText !== undefined) {
    backlog = integer(backlogText.value, backlogText.where);
    if (backlog < 1 || backlog > 65535) {
      throw new ConfigError(`Invalid socket_backlog value ${backlog}`, backlogText.where);
    }
  }
  const ownerText = reader.get(section, "socket_owner", undefined, common);
  let owner = ownerText === undefined
    ? null
    : ConfigError.reworded(`Invalid socket_owner value ${ownerText.value}`, () => colonSeparatedUserGroup(ownerText.value, ownerText.where));
  const modeText = reader.get(section, "socket_mode", undefined, common);
  const mode = modeText === undefined
    ? null
    : ConfigError.reworded(`Invalid socket_mode value ${modeText.value}`, () => octalType(modeText.value, modeText.where));
  const socketText = reader.get(section, "socket", undefined, new Map([["program_name", programName], ["here", ctx.here]]));
  const where = reader.where(section, "socket");
  if (socketText === undefined || socketText.value === "") {
    throw new ConfigError(`[${section}] section requires a "socket" line`, where);
  }
  const url = socketText.value;
  // supervisord raises these with two arguments, so Python prints them as a tuple.
  const fail = (text: string): never => {
    throw new ConfigError(`${text} in [${section}] socket`, where);
  };
  if (url.startsWith("unix://")) {
    const rawPath = url.slice(7);
    if (!pyIsabs(rawPath)) fail(`(${pyRepr("Unix socket path %s is not an absolute path")}, ${pyRepr(rawPath)})`);
    const path = normalizePath(rawPath);
    if (owner === null && procUid !== null && procUid !== ctx.uid) owner = [procUid, gidForUid(procUid, where)];
    return { family: "unix", url: `unix://${path}`, path, mode: mode ?? 0o700, owner, backlog };
  }
  if (owner !== null || mode !== null) {
    fail("socket_owner and socket_mode params should only be used with a Unix domain socket");
  }
  const tcp = /^tcp:\/\/([^\s:]+):(\p{Nd}+)$/u.exec(url);
  if (tcp) {
    const host = (tcp[1] ?? "").toLowerCase();
    const port = integer(tcp[2] ?? "", where);
    if (port < 1) fail(`${port} is below lower bound (1)`);
    if (port > 0xffff) fail(`${port} is above upper bound (65535)`);
    return { family: "inet", url: `tcp://${host}:${port}`, host, port, backlog };
  }
  return fail(`(${pyRepr("Bad socket format %s")}, ${pyRepr(url)})`);
}

/**
 * The processes one program-like section makes (supervisord's processes_from_section): every
 * error gets ` in section 'SECTION' (file: 'FILE')`, FILE being the file that opened the section.
 */
export function processesFromSection(ctx: ProgramContext, section: string, groupName: string): ProcessConfig[] {
  try {
    return readProcesses(ctx, section, groupName);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const file = ctx.reader.parser.origin(section)?.file ?? ctx.reader.mainFile;
    throw err.withText(`${err.text} in section ${pyRepr(section)} (file: ${pyRepr(file)})`);
  }
}

function readProcesses(ctx: ProgramContext, section: string, groupName: string): ProcessConfig[] {
  const { reader } = ctx;
  const programName = processOrGroupName(afterColon(section), reader.sectionWhere(section));
  // supervisord keeps one dict of names for the whole section and adds to it as it goes, so the
  // per-process options read later see process_num, numprocs and the program's ENV_* names.
  const names = new Map<string, FormatValue>([
    ["here", ctx.here],
    ["program_name", programName],
    ["host_node_name", ctx.hostNodeName],
    ["group_name", groupName],
  ]);
  const get = (option: string, fallback?: string) => reader.get(section, option, fallback, names);
  const read = <T>(option: string, fallback: string, convert: (raw: string, where: Where) => T): T =>
    reader.read(section, option, fallback, convert, names);

  const priority = read("priority", "999", integer);
  const autostart = read("autostart", "true", boolean);
  const autorestart = read("autorestart", "unexpected", autoRestart);
  const startsecs = read("startsecs", "1", integer);
  const startretries = read("startretries", "3", integer);
  const stopsignal = read("stopsignal", "TERM", signalNumber);
  const stopwaitsecs = read("stopwaitsecs", "10", integer);
  const stopasgroup = read("stopasgroup", "false", boolean);
  const killasgroup = read("killasgroup", stopasgroup ? "true" : "false", boolean);
  const exitcodes = read("exitcodes", "0", listOfExitcodes);
  const redirectStderr = read("redirect_stderr", "false", boolean);
  const numprocs = read("numprocs", "1", integer);
  const numprocsStart = read("numprocs_start", "0", integer);
  const environmentText = reader.get(section, "environment", "", undefined, false) ?? { value: "", where: reader.where(section, "environment") };
  const stdoutCaptureMaxbytes = read("stdout_capture_maxbytes", "0", byteSize);
  const stdoutEvents = read("stdout_events_enabled", "false", boolean);
  const stderrCaptureMaxbytes = read("stderr_capture_maxbytes", "0", byteSize);
  const stderrEvents = read("stderr_events_enabled", "false", boolean);
  let serverurl = get("serverurl")?.value ?? null;
  if (serverurl !== null && serverurl.trim().toUpperCase() === "AUTO") serverurl = null;
  const user = get("user");
  const uid = user === undefined ? null : nameToUid(user.value, user.where);
  const umaskText = get("umask");
  const umask = umaskText === undefined ? null : octalType(umaskText.value, umaskText.where);
  const processNameText = reader.get(section, "process_name", "%(program_name)s", undefined, false);
  const processName = processOrGroupName(processNameText?.value ?? "", reader.where(section, "process_name"));

  if (numprocs > 1 && !processName.includes("%(process_num)")) {
    throw new ConfigError("%(process_num) must be present within process_name when numprocs > 1", reader.where(section, "process_name"));
  }
  if (stopasgroup && !killasgroup) {
    throw new ConfigError("Cannot set stopasgroup=true and killasgroup=false", reader.where(section, "killasgroup"));
  }

  const processes: ProcessConfig[] = [];
  for (let processNum = numprocsStart; processNum < numprocs + numprocsStart; processNum++) {
    names.set("process_num", processNum);
    names.set("numprocs", numprocs);
    for (const [key, value] of reader.environ) names.set(key, value);

    const environment = parseEnvironment(expand(environmentText.value, names, "environment", environmentText.where), environmentText.where);
    for (const [key, value] of Object.entries(environment)) names.set(`ENV_${key}`, value);

    const directory = get("directory")?.value ?? null;
    const logs = {
      stdout: readChannelLog(ctx, section, "stdout", names),
      stderr: readChannelLog(ctx, section, "stderr", names),
    };
    if (redirectStderr) {
      if (logs.stderr.file !== null && !isAuto(logs.stderr.file)) {
        ctx.messages.warnings.push(
          `For [${section}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored`,
        );
      }
      logs.stderr.file = null; // never a stderr file when stderr goes to stdout
    }

    const command = reader.get(section, "command", undefined, names);
    if (command === undefined) {
      throw new ConfigError(`program section ${section} does not specify a command`, reader.where(section, "command"));
    }

    processes.push({
      name: expand(processName, names, "process_name", reader.where(section, "process_name")),
      command: command.value,
      directory,
      umask,
      priority,
      autostart,
      autorestart,
      startsecs,
      startretries,
      uid,
      stdout_logfile: logs.stdout.file,
      stdout_capture_maxbytes: stdoutCaptureMaxbytes,
      stdout_events_enabled: stdoutEvents,
      stdout_syslog: logs.stdout.syslog,
      stdout_logfile_backups: logs.stdout.backups,
      stdout_logfile_maxbytes: logs.stdout.maxbytes,
      stderr_logfile: logs.stderr.file,
      stderr_capture_maxbytes: stderrCaptureMaxbytes,
      stderr_logfile_backups: logs.stderr.backups,
      stderr_logfile_maxbytes: logs.stderr.maxbytes,
      stderr_events_enabled: stderrEvents,
      stderr_syslog: logs.stderr.syslog,
      stopsignal,
      stopwaitsecs,
      stopasgroup,
      killasgroup,
      exitcodes,
      redirect_stderr: redirectStderr,
      environment,
      serverurl,
    });
  }
  return processes.sort(byPriorityThenName);
}

interface ChannelLog {
  file: LogFile;
  backups: number;
  maxbytes: number;
  syslog: boolean;
}

function readChannelLog(ctx: ProgramContext, section: string, channel: "stdout" | "stderr", names: Map<string, FormatValue>): ChannelLog {
  const { reader } = ctx;
  const key = `${channel}_logfile`;
  const syslogKey = `${channel}_syslog`;
  const text = reader.get(section, key, undefined, names);
  let file: LogFile;
  let deprecatedSyslog = false;
  if (text === undefined) {
    file = AUTO;
  } else {
    // The value is expanded twice: once as any option, once more with the per-process names.
    const named = logfileName(expand(text.value, names, key, text.where), text.where);
    if (named !== null && typeof named === "object" && "syslog" in named) {
      deprecatedSyslog = true;
      file = null;
    } else {
      file = named;
    }
  }
  const backups = reader.read(section, `${key}_backups`, "10", integer, names);
  const maxbytes = reader.read(section, `${key}_maxbytes`, "50MB", byteSize, names);
  let syslog = reader.read(section, syslogKey, "false", boolean, names);
  if (deprecatedSyslog) {
    ctx.messages.warnings.push(
      `For [${section}], ${key}=syslog but this is deprecated and will be removed.  Use ${syslogKey}=true to enable syslog instead.`,
    );
    syslog = true;
  }
  if (isAuto(file) && maxbytes === 0) {
    ctx.messages.warnings.push(
      `For [${section}], AUTO logging used for ${key} without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally`,
    );
  }
  return { file, backups, maxbytes, syslog };
}

/** An `environment=` value, its tokenizer errors given the option's location. */
export function parseEnvironment(text: string, where: Where): Record<string, string> {
  try {
    return Object.fromEntries(dictOfKeyValuePairs(text));
  } catch (err) {
    if (err instanceof KeyValuePairsError) throw new ConfigError(err.message, where);
    throw err;
  }
}
