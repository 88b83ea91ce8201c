import { normalizePath } from "../posix/python-path";
import { gidForUid, nameToUid } from "./datatypes";
import type { SupervisordConfig } from "./model";
import { readConfigFile, type ConfigFile } from "./read-config";

/** The `[supervisord]` settings the command line can override (states.md §10), already converted. */
export interface CommandLineSettings {
  nodaemon?: boolean;
  silent?: boolean;
  user?: string;
  umask?: number;
  directory?: string;
  logfile?: string;
  logfile_maxbytes?: number;
  logfile_backups?: number;
  loglevel?: number;
  pidfile?: string;
  identifier?: string;
  childlogdir?: string;
  nocleanup?: boolean;
  minfds?: number;
  minprocs?: number;
  strip_ansi?: boolean;
}

type Overridable = keyof CommandLineSettings & keyof ConfigFile;

/**
 * Read the config file and apply the command line over it (command line beats file, file beats
 * defaults), then resolve what supervisord resolves before starting: the user, absolute log and
 * pid file paths, and the server URL children are told about (config.md §1, §7; states.md §9).
 */
export function loadSupervisordConfig(
  configfile: string,
  settings: CommandLineSettings = {},
  environ: NodeJS.ProcessEnv = process.env,
): SupervisordConfig {
  const file = readConfigFile({ configfile, environ });
  const pick = <K extends Overridable>(key: K): ConfigFile[K] =>
    (settings[key] ?? file[key]) as ConfigFile[K]; // CommandLineSettings[K] is a subtype of ConfigFile[K]

  const user = pick("user");
  let uid: number | null = null;
  let gid: number | null = null;
  if (user !== null) {
    uid = nameToUid(user, { file: configfile, section: "supervisord", option: "user" });
    gid = gidForUid(uid, { file: configfile, section: "supervisord", option: "user" });
  }
  const logfile = pick("logfile");
  const servers = file.servers;
  const unix = servers.find((server) => server.family === "unix");
  const inet = servers.filter((server) => server.family === "inet").at(-1);
  let serverurl: string | null = null;
  if (unix !== undefined) serverurl = `unix://${unix.file}`;
  // supervisord's loop over inet servers has no break: the last one wins.
  else if (inet !== undefined) serverurl = `http://${inet.host || "localhost"}:${inet.port}`;

  return {
    configfile,
    here: file.here,
    minfds: pick("minfds"),
    minprocs: pick("minprocs"),
    directory: pick("directory"),
    user,
    uid,
    gid,
    umask: pick("umask"),
    logfile: logfile === "syslog" ? logfile : normalizePath(logfile),
    logfile_maxbytes: pick("logfile_maxbytes"),
    logfile_backups: pick("logfile_backups"),
    loglevel: pick("loglevel"),
    pidfile: normalizePath(pick("pidfile")),
    identifier: pick("identifier"),
    nodaemon: pick("nodaemon"),
    silent: pick("silent"),
    childlogdir: pick("childlogdir"),
    nocleanup: pick("nocleanup"),
    strip_ansi: pick("strip_ansi"),
    environment: file.environment,
    rpcinterfaces: file.rpcinterfaces,
    groups: file.groups,
    servers,
    serverurl,
    messages: file.messages,
  };
}
