/**
 * The typed configuration: what supervisord 4.2.5 builds from its INI file (config.md §6-§7).
 * Field names are supervisord's option names, verbatim. Values are plain data (structured-clone
 * safe), so a config can be read off the main thread and compared field by field.
 */

/** A `*_logfile` set to AUTO: a file in `childlogdir` whose name the daemon makes up. */
export interface AutoLogFile {
  readonly auto: true;
}
export const AUTO: AutoLogFile = Object.freeze({ auto: true });

/** A child log channel's file: a path, AUTO, or null for NONE/OFF (and the deprecated `syslog`). */
export type LogFile = string | AutoLogFile | null;

export function isAuto(value: LogFile): value is AutoLogFile {
  return typeof value === "object" && value !== null;
}

/** supervisord's log levels by number, as its loggers module numbers them (logging.md §1.3). */
export const LOG_LEVELS = Object.freeze({
  critical: 50,
  error: 40,
  warn: 30,
  info: 20,
  debug: 10,
  trace: 5,
  blather: 3,
});
export type LogLevelName = keyof typeof LOG_LEVELS;

/** `autorestart`: true = always, false = never, "unexpected" = when the exit code is not in exitcodes. */
export type Autorestart = boolean | "unexpected";

/** One process of a program (numprocs makes several), with every option of config.md §6.6. */
export interface ProcessConfig {
  name: string;
  command: string;
  directory: string | null;
  umask: number | null;
  priority: number;
  autostart: boolean;
  autorestart: Autorestart;
  startsecs: number;
  startretries: number;
  uid: number | null;
  stdout_logfile: LogFile;
  stdout_capture_maxbytes: number;
  stdout_events_enabled: boolean;
  stdout_syslog: boolean;
  stdout_logfile_backups: number;
  stdout_logfile_maxbytes: number;
  stderr_logfile: LogFile;
  stderr_capture_maxbytes: number;
  stderr_logfile_backups: number;
  stderr_logfile_maxbytes: number;
  stderr_events_enabled: boolean;
  stderr_syslog: boolean;
  stopsignal: number;
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
  exitcodes: number[];
  redirect_stderr: boolean;
  /** `[supervisord] environment` overridden by the program's own (config.md §7). */
  environment: Record<string, string>;
  serverurl: string | null;
}

/** The option names compared to tell whether a process changed at reload (config.md §8). */
export const PROCESS_CONFIG_KEYS: readonly (keyof ProcessConfig)[] = [
  "name", "uid", "command", "directory", "umask", "priority", "autostart", "autorestart",
  "startsecs", "startretries", "stdout_logfile", "stdout_capture_maxbytes", "stdout_events_enabled",
  "stdout_syslog", "stdout_logfile_backups", "stdout_logfile_maxbytes", "stderr_logfile",
  "stderr_capture_maxbytes", "stderr_logfile_backups", "stderr_logfile_maxbytes",
  "stderr_events_enabled", "stderr_syslog", "stopsignal", "stopwaitsecs", "stopasgroup",
  "killasgroup", "exitcodes", "redirect_stderr", "environment", "serverurl",
];

/** The socket of an `[fcgi-program:x]` (config.md §6.9). */
export type FcgiSocketConfig =
  | { family: "unix"; url: string; path: string; mode: number; owner: [number, number] | null; backlog: number | null }
  | { family: "inet"; url: string; host: string; port: number; backlog: number | null };

interface GroupBase {
  name: string;
  priority: number;
  processes: ProcessConfig[];
}

/** A `[program:x]` (its implicit group) or a `[group:x]`. */
export interface ProcessGroupConfig extends GroupBase {
  type: "process";
}

/** An `[eventlistener:x]` pool. */
export interface EventListenerPoolConfig extends GroupBase {
  type: "eventlistener";
  buffer_size: number;
  /** Event type names as written (upper-cased, de-duplicated, in order of first mention). */
  events: string[];
  result_handler: string;
}

/** An `[fcgi-program:x]` not claimed by a `[group:x]`. */
export interface FastCGIGroupConfig extends GroupBase {
  type: "fcgi";
  socket: FcgiSocketConfig;
}

export type GroupConfig = ProcessGroupConfig | EventListenerPoolConfig | FastCGIGroupConfig;

interface ServerBase {
  /** The part of the section name after `:`, or null for the plain section. */
  name: string | null;
  section: string;
  username: string | null;
  password: string | null;
}

export interface InetServerConfig extends ServerBase {
  family: "inet";
  /** Lower-cased; "" means every interface. */
  host: string;
  port: number;
}

export interface UnixServerConfig extends ServerBase {
  family: "unix";
  file: string;
  chmod: number;
  /** [uid, gid]; -1 leaves that id unchanged. */
  chown: [number, number];
}

export type ServerConfig = InetServerConfig | UnixServerConfig;

/** An `[rpcinterface:x]` section: the factory and the extra keys it would be called with. */
export interface RpcInterfaceConfig {
  name: string;
  factory: string;
  extras: Record<string, string>;
}

/** Messages found while reading, logged once the main log exists (config.md §3). */
export interface ParseMessages {
  criticals: string[];
  warnings: string[];
  infos: string[];
}

/** Everything supervisord knows after reading its command line and config file. */
export interface SupervisordConfig {
  /** The config file as given or found (used verbatim in messages). */
  configfile: string;
  /** Absolute directory of the config file: `%(here)s`. */
  here: string;
  minfds: number;
  minprocs: number;
  directory: string | null;
  /** The `user` option as written; `uid`/`gid` are what it resolves to. */
  user: string | null;
  uid: number | null;
  gid: number | null;
  umask: number;
  /** Absolute path, or the literal "syslog". */
  logfile: string;
  logfile_maxbytes: number;
  logfile_backups: number;
  loglevel: number;
  pidfile: string;
  identifier: string;
  nodaemon: boolean;
  silent: boolean;
  childlogdir: string;
  nocleanup: boolean;
  strip_ansi: boolean;
  environment: Record<string, string>;
  rpcinterfaces: RpcInterfaceConfig[];
  /** Sorted by (priority, name). */
  groups: GroupConfig[];
  /** All inet servers, then all unix servers. */
  servers: ServerConfig[];
  /** SUPERVISOR_SERVER_URL for children without `serverurl`, or null without any server (§7). */
  serverurl: string | null;
  messages: ParseMessages;
}

/** The `[supervisorctl]` section as supervisorctl reads it (config.md §6.4). */
export interface CtlConfig {
  serverurl: string;
  username: string | null;
  password: string | null;
  prompt: string;
  history_file: string | null;
}
