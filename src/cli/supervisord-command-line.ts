import { ConfigError, type Where } from "../errors";
import {
  byteSize,
  existingDirectory,
  existingDirpath,
  integer,
  listOfStrings,
  loggingLevel,
  octalType,
} from "../config/datatypes";
import type { CommandLineSettings } from "../config/load-config";
import { pyRepr } from "../config/python-str";
import { getoptOrUsageError } from "./getopt";
import { UsageError } from "./usage-error";

/** What `supervisord ARGS` asks for (states.md §10). */
export type SupervisordCommand =
  | { action: "help" }
  | { action: "version" }
  | { action: "run"; configfile: string | undefined; settings: CommandLineSettings; profileOptions: string[] | undefined };

type Converter = (raw: string, where: Where) => unknown;
interface OptionSpec {
  short?: string;
  long: string;
  /** The setting it fills; absent for -h and -v, which act at once. */
  setting?: keyof CommandLineSettings | "configfile" | "profile_options";
  /** A flag sets true; otherwise the value goes through the converter (or stays a string). */
  flag?: true;
  convert?: Converter;
}

// In supervisord's order of definition: getopt's option strings are built from it.
const OPTIONS: readonly OptionSpec[] = [
  { short: "h", long: "help" },
  { short: "?", long: "" },
  { short: "c", long: "configuration", setting: "configfile" },
  { short: "v", long: "version" },
  { short: "n", long: "nodaemon", setting: "nodaemon", flag: true },
  { short: "u", long: "user", setting: "user" },
  { short: "m", long: "umask", setting: "umask", convert: octalType },
  { short: "d", long: "directory", setting: "directory", convert: existingDirectory },
  { short: "l", long: "logfile", setting: "logfile", convert: existingDirpath },
  { short: "y", long: "logfile_maxbytes", setting: "logfile_maxbytes", convert: byteSize },
  { short: "z", long: "logfile_backups", setting: "logfile_backups", convert: integer },
  { short: "e", long: "loglevel", setting: "loglevel", convert: loggingLevel },
  { short: "j", long: "pidfile", setting: "pidfile", convert: existingDirpath },
  { short: "i", long: "identifier", setting: "identifier" },
  { short: "q", long: "childlogdir", setting: "childlogdir", convert: existingDirectory },
  { short: "a", long: "minfds", setting: "minfds", convert: integer },
  { long: "minprocs", setting: "minprocs", convert: integer },
  { short: "k", long: "nocleanup", setting: "nocleanup", flag: true },
  { short: "t", long: "strip_ansi", setting: "strip_ansi", flag: true },
  { long: "profile_options", setting: "profile_options", convert: listOfStrings },
  { short: "s", long: "silent", setting: "silent", flag: true },
];

const takesValue = (spec: OptionSpec): boolean => spec.flag !== true && spec.setting !== undefined;
const SHORTOPTS = OPTIONS.map((o) => (o.short === undefined ? "" : o.short + (takesValue(o) ? ":" : ""))).join("");
const LONGOPTS = OPTIONS.filter((o) => o.long !== "").map((o) => o.long + (takesValue(o) ? "=" : ""));

function specFor(opt: string): OptionSpec | undefined {
  return OPTIONS.find((o) => (opt.startsWith("--") ? `--${o.long}` === opt : `-${o.short}` === opt));
}

/**
 * Parse supervisord's arguments as its getopt-based parser does: options in order, `-h`/`-v`
 * acting when reached, converters checking values, an option given twice a conflict.
 */
export function parseSupervisordCommandLine(argv: readonly string[]): SupervisordCommand {
  const parsed = getoptOrUsageError(argv, SHORTOPTS, LONGOPTS);
  if (parsed.args.length > 0) {
    throw new UsageError(`positional arguments are not supported: [${parsed.args.map(pyRepr).join(", ")}]`);
  }
  const values = new Map<string, unknown>();
  for (const [opt, arg] of parsed.options) {
    const spec = specFor(opt);
    if (spec === undefined) throw new Error(`getopt returned an option we did not declare: ${opt}`);
    if (spec.setting === undefined) return spec.long === "version" ? { action: "version" } : { action: "help" };
    let value: unknown = arg;
    if (spec.flag) value = true;
    else if (spec.convert !== undefined) {
      try {
        value = spec.convert(arg, { file: "<command line>", option: opt });
      } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`invalid value for ${opt} ${pyRepr(arg)}: ${err.text}`);
        throw err;
      }
    }
    if (values.has(spec.setting)) throw new UsageError(`conflicting command line option ${pyRepr(opt)}`);
    values.set(spec.setting, value);
  }
  const { configfile, profile_options: profileOptions, ...settings } = Object.fromEntries(values) as CommandLineSettings & {
    configfile?: string;
    profile_options?: string[];
  };
  return { action: "run", configfile, settings, profileOptions };
}

/** `-h`: supervisord prints its usage to stdout; these are the same options in our words. */
export function supervisordHelp(progname: string): string {
  return `supervisord -- run programs as daemons and keep them running.

Usage: ${progname} [options]

Options:
-c/--configuration FILENAME -- the config file (searched for when not given)
-n/--nodaemon -- stay in the foreground (as 'nodaemon=true' in the config)
-s/--silent -- do not echo the log to stdout (as 'silent=true' in the config)
-h/--help -- show this message and exit
-v/--version -- show the supervisord version and exit
-u/--user USER -- run as this user (name or numeric uid)
-m/--umask UMASK -- the umask of the daemon and its programs (default 022)
-d/--directory DIRECTORY -- the directory to change to when daemonizing
-l/--logfile FILENAME -- the main log file
-y/--logfile_maxbytes BYTES -- rotate the main log at this size
-z/--logfile_backups NUM -- how many rotated main logs to keep
-e/--loglevel LEVEL -- critical, error, warn, info, debug, trace or blather
-j/--pidfile FILENAME -- write the daemon's pid to this file
-i/--identifier STR -- the name of this supervisord instance
-q/--childlogdir DIRECTORY -- where AUTO child logs go
-k/--nocleanup -- keep old AUTO child logs at startup
-a/--minfds NUM -- file descriptors the daemon needs to start
-t/--strip_ansi -- strip ANSI escape sequences from program output
--minprocs NUM -- processes the daemon needs to start
--profile_options OPTIONS -- accepted for compatibility; ignored
`;
}
