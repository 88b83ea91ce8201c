import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { ConfigError, type Where } from "../errors";
import { pyAbspath, pyDirname, pyExists, pyJoin } from "../posix/python-path";
import { defaultTempDir } from "../posix/temp-dir";
import {
  boolean,
  byteSize,
  existingDirectory,
  existingDirpath,
  integer,
  loggingLevel,
  octalType,
} from "./datatypes";
import { resolveEntryPoint } from "./entry-point";
import { expand } from "./expansion";
import { pyGlob } from "./glob";
import { IniParser } from "./ini-parser";
import type { ParseMessages, RpcInterfaceConfig, SupervisordConfig } from "./model";
import { OptionReader } from "./option-reader";
import type { FormatValue } from "./percent-format";
import { parseEnvironment, processGroupsFromParser } from "./program-sections";
import { compareCodePoints, pySplitWhitespace } from "./python-str";
import { serverConfigsFromParser } from "./server-sections";

/**
 * What the config file says, before the command line has its say (supervisord's read_config):
 * `user` not yet resolved, `logfile` and `pidfile` not yet made absolute.
 */
export type ConfigFile = Omit<SupervisordConfig, "configfile" | "uid" | "gid" | "serverurl">;

export interface ReadConfigOptions {
  /** The path as given (`-c`) or found; messages show it verbatim. */
  configfile: string;
  /** supervisord's environment at startup: the ENV_* names and the child environment base. */
  environ?: NodeJS.ProcessEnv;
  hostNodeName?: string;
  /** supervisord's own uid (fcgi socket ownership rule). */
  uid?: number;
}

export const MAIN_RPC_FACTORY = "supervisor.rpcinterface:make_main_rpcinterface";
const RPC_FACTORY_KEY = "supervisor.rpcinterface_factory";
const KNOWN_RPC_FACTORIES = new Set([MAIN_RPC_FACTORY]);

/** Read and check a supervisord config file with its includes, exactly as supervisord 4.2.5 does. */
export function readConfigFile(options: ReadConfigOptions): ConfigFile {
  const { configfile } = options;
  const cwd = process.cwd();
  const env = options.environ ?? process.env;
  const here = pyAbspath(pyDirname(configfile), cwd);
  const hostNodeName = options.hostNodeName ?? hostname();
  const messages: ParseMessages = { criticals: [], warnings: [], infos: [] };
  const environ = new Map<string, FormatValue>();
  for (const [key, value] of Object.entries(env)) if (value !== undefined) environ.set(`ENV_${key}`, value);

  const parser = new IniParser();
  parser.read(readMainFile(configfile, cwd), configfile);
  const reader = new OptionReader(parser, environ, configfile);
  const hostNames = new Map<string, FormatValue>([["here", here], ["host_node_name", hostNodeName], ...environ]);

  if (parser.hasSection("include")) {
    includeFiles(parser, reader, { configfile, cwd, here, names: hostNames, messages });
  }

  if (!parser.hasSection("supervisord")) {
    throw new ConfigError(".ini file does not include supervisord section", { file: configfile });
  }
  const common = new Map<string, FormatValue>([["here", here]]);
  const get = (option: string, fallback?: string) => reader.get("supervisord", option, fallback, common);
  const read = <T>(option: string, fallback: string, convert: (raw: string, where: Where) => T): T =>
    reader.read("supervisord", option, fallback, convert, common);

  const minfds = read("minfds", "1024", integer);
  const minprocs = read("minprocs", "200", integer);
  const directoryText = get("directory");
  const directory = directoryText === undefined ? null : existingDirectory(directoryText.value, directoryText.where);
  const user = get("user")?.value ?? null;
  const umask = read("umask", "022", octalType);
  const logfile = read("logfile", "supervisord.log", existingDirpath);
  const logfileMaxbytes = read("logfile_maxbytes", "50MB", byteSize);
  const logfileBackups = read("logfile_backups", "10", integer);
  const loglevel = read("loglevel", "info", loggingLevel);
  const pidfile = read("pidfile", "supervisord.pid", existingDirpath);
  const identifier = get("identifier", "supervisor")?.value ?? "supervisor";
  const nodaemon = read("nodaemon", "false", boolean);
  const silent = read("silent", "false", boolean);
  const childlogdirText = get("childlogdir");
  const childlogdir = childlogdirText === undefined
    ? existingDirectory(defaultTempDir(env, cwd), reader.where("supervisord", "childlogdir"))
    : existingDirectory(childlogdirText.value, childlogdirText.where);
  const nocleanup = read("nocleanup", "false", boolean);
  const stripAnsi = read("strip_ansi", "false", boolean);
  // Expanded twice, the second time with host_node_name too: `%%` cannot escape a `%` here (§4.2).
  const environmentText = get("environment", "") ?? { value: "", where: reader.where("supervisord", "environment") };
  const environment = parseEnvironment(
    expand(environmentText.value, hostNames, "environment", environmentText.where),
    environmentText.where,
  );
  // DIVERGES: supervisord adds these names to a dict that outlives a reload, so a variable
  // removed from the config stays expandable until restart; we read each config afresh.
  for (const [key, value] of Object.entries(environment)) environ.set(`ENV_${key}`, value);

  const rpcinterfaces = readRpcInterfaces(reader);
  const groups = processGroupsFromParser({ reader, here, hostNodeName, messages, uid: options.uid ?? process.getuid?.() ?? 0 });
  for (const group of groups) {
    for (const proc of group.processes) proc.environment = { ...environment, ...proc.environment };
  }
  const servers = serverConfigsFromParser(reader, here);

  return {
    here,
    minfds,
    minprocs,
    directory,
    user,
    umask,
    logfile,
    logfile_maxbytes: logfileMaxbytes,
    logfile_backups: logfileBackups,
    loglevel,
    pidfile,
    identifier,
    nodaemon,
    silent,
    childlogdir,
    nocleanup,
    strip_ansi: stripAnsi,
    environment,
    rpcinterfaces,
    groups,
    servers,
    messages,
  };
}

function readMainFile(configfile: string, cwd: string): string {
  const path = pyAbspath(configfile, cwd);
  if (!pyExists(path)) throw new ConfigError(`could not find config file ${configfile}`, { file: configfile });
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new ConfigError(`could not read config file ${configfile}`, { file: configfile });
  }
  return decodeText(bytes, configfile);
}

/**
 * The file's text. DIVERGES: Python stops with a traceback on bytes that are not UTF-8; we give a
 * config error naming the file and the byte instead.
 */
function decodeText(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new ConfigError(
      `could not read config file ${file}: 'utf-8' codec can't decode byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, "0")} in position ${offset}`,
      { file },
    );
  }
}

function firstInvalidUtf8(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  // The longest valid prefix ends within 3 bytes of the first bad byte; bisect on validity.
  while (low < high) {
    const mid = Math.floor((low + high + 1) / 2);
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

interface IncludeContext {
  configfile: string;
  cwd: string;
  here: string;
  names: Map<string, FormatValue>;
  messages: ParseMessages;
}

/** `[include] files=` (config.md §6.5): globs relative to the main file's directory, no recursion. */
function includeFiles(parser: IniParser, reader: OptionReader, ctx: IncludeContext): void {
  // With [include] present, `%(here)s` is replaced textually, file by file, before any expansion.
  parser.expandHere(ctx.here);
  const files = parser.get("include", "files");
  if (files === undefined) {
    throw new ConfigError(".ini file has [include] section, but no files setting", reader.sectionWhere("include"));
  }
  const where = reader.where("include", "files");
  const patterns = pySplitWhitespace(expand(files.value, ctx.names, "include.files", where));
  const base = pyDirname(pyAbspath(ctx.configfile, ctx.cwd));
  for (const relative of patterns) {
    const pattern = pyJoin(base, relative);
    const matches = pyGlob(pattern);
    if (matches.length === 0) {
      ctx.messages.warnings.push(`No file matches via include "${pattern}"`);
      continue;
    }
    for (const filename of matches.sort(compareCodePoints)) {
      ctx.messages.infos.push(`Included extra file "${filename}" during parsing`);
      let bytes: Buffer | undefined;
      try {
        bytes = readFileSync(filename);
      } catch {
        bytes = undefined; // an unreadable include is skipped without a word, as supervisord does
      }
      if (bytes !== undefined) parser.read(decodeText(bytes, filename), filename);
      parser.expandHere(pyAbspath(pyDirname(filename), ctx.cwd));
    }
  }
}


function readRpcInterfaces(reader: OptionReader): RpcInterfaceConfig[] {
  const interfaces: RpcInterfaceConfig[] = [];
  for (const section of reader.parser.sections()) {
    if (!section.startsWith("rpcinterface:")) continue;
    const name = section.slice(section.indexOf(":") + 1);
    const spec = reader.get(section, RPC_FACTORY_KEY);
    if (spec === undefined) {
      throw new ConfigError(`section [${section}] does not specify a ${RPC_FACTORY_KEY}`, reader.sectionWhere(section));
    }
    const factory = resolveEntryPoint(spec.value, KNOWN_RPC_FACTORIES, section, spec.where);
    const extras: Record<string, string> = {};
    for (const key of reader.parser.options(section)) {
      if (key !== RPC_FACTORY_KEY) extras[key] = reader.get(section, key)?.value ?? "";
    }
    interfaces.push({ name, factory, extras });
  }
  return interfaces;
}
