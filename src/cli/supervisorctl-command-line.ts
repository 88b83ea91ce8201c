import { readCtlConfig, CTL_DEFAULTS } from "../config/ctl-config";
import type { CtlConfig } from "../config/model";
import { pyRepr } from "../config/python-str";
import { configSearchPaths, findConfigFile } from "../config/search-path";
import type { CtlOptions } from "../ctl/ctl-context";
import { ConfigError } from "../errors";
import { getoptOrUsageError } from "./getopt";
import { UsageError } from "./usage-error";

/** What `supervisorctl ARGS` asks for (ctl.md §1). */
export type SupervisorctlCommand = { action: "help" } | { action: "run"; options: CtlOptions; args: string[] };

type Setting = "configfile" | "interactive" | "serverurl" | "username" | "password" | "history";

interface OptionSpec {
  short: string;
  long?: string;
  /** The setting it fills; absent for -h and -?, which print the usage at once. */
  setting?: Setting;
  flag?: true;
}

// In supervisorctl's order of definition: getopt's option strings are built from it.
const OPTIONS: readonly OptionSpec[] = [
  { short: "h", long: "help" },
  { short: "?" },
  { short: "c", long: "configuration", setting: "configfile" },
  { short: "i", long: "interactive", setting: "interactive", flag: true },
  { short: "s", long: "serverurl", setting: "serverurl" },
  { short: "u", long: "username", setting: "username" },
  { short: "p", long: "password", setting: "password" },
  // supervisorctl 4.2.5 spells the long form with an underscore (its usage text says
  // --history-file), and keeps the value where nothing reads it: the option has no effect.
  { short: "r", long: "history_file", setting: "history" },
];

const takesValue = (spec: OptionSpec): boolean => spec.flag !== true && spec.setting !== undefined;
const SHORTOPTS = OPTIONS.map((o) => o.short + (takesValue(o) ? ":" : "")).join("");
const LONGOPTS = OPTIONS.flatMap((o) => (o.long === undefined ? [] : [o.long + (takesValue(o) ? "=" : "")]));

/** supervisor's `url` check of -s: a scheme, and a network location or a path (Python's urlparse). */
export function isUrl(value: string): boolean {
  const match = /^([A-Za-z][A-Za-z0-9+\-.]*):(.*)$/s.exec(value);
  if (match === null) return false;
  const rest = (match[2] ?? "").replace(/[?#].*$/s, "");
  if (rest.startsWith("//")) {
    const netlocEnd = rest.slice(2).search(/[/]/);
    const netloc = netlocEnd < 0 ? rest.slice(2) : rest.slice(2, 2 + netlocEnd);
    const path = netlocEnd < 0 ? "" : rest.slice(2 + netlocEnd);
    return netloc !== "" || path !== "";
  }
  return rest !== "";
}

/** The name supervisorctl was run by (bin/supervisorctl passes its $0 on). */
export function supervisorctlProgname(env: NodeJS.ProcessEnv = process.env): string {
  return env["SUPERVISORCTL_TS_ARGV0"] ?? process.argv[1] ?? "supervisorctl";
}

/**
 * Parse supervisorctl's arguments as its getopt-based parser does, then read the config file
 * (given, or the first found) and its `[supervisorctl]` section: the command line wins over it.
 * `readSection` reads that section (readCtlConfig, or the early start's glanceCtlConfig).
 */
export function parseSupervisorctlCommandLine(
  argv: readonly string[],
  progname: string,
  env: NodeJS.ProcessEnv = process.env,
  readSection: (configfile: string, env: NodeJS.ProcessEnv) => CtlConfig = readCtlConfig,
): SupervisorctlCommand {
  const parsed = getoptOrUsageError(argv, SHORTOPTS, LONGOPTS);
  const values = new Map<Setting, string | true>();
  for (const [opt, arg] of parsed.options) {
    const spec = OPTIONS.find((o) => (opt.startsWith("--") ? `--${o.long}` === opt : `-${o.short}` === opt));
    if (spec === undefined) throw new Error(`getopt returned an option we did not declare: ${opt}`);
    if (spec.setting === undefined) return { action: "help" };
    if (spec.setting === "serverurl" && !isUrl(arg)) {
      throw new UsageError(`invalid value for ${opt} ${pyRepr(arg)}: value ${pyRepr(arg)} is not a URL`);
    }
    if (values.has(spec.setting)) throw new UsageError(`conflicting command line option ${pyRepr(opt)}`);
    values.set(spec.setting, spec.flag ? true : arg);
  }
  const given = (setting: Setting): string | undefined => {
    const value = values.get(setting);
    return typeof value === "string" ? value : undefined;
  };
  const configfile = given("configfile") ?? findConfigFile(configSearchPaths(progname, env));
  let section = CTL_DEFAULTS;
  if (configfile !== undefined) {
    try {
      section = readSection(configfile, env);
    } catch (err) {
      if (err instanceof ConfigError) throw UsageError.fromConfig(err);
      throw err;
    }
  }
  const options: CtlOptions = {
    serverurl: given("serverurl") ?? section.serverurl,
    username: given("username") ?? section.username,
    password: given("password") ?? section.password,
    interactive: values.has("interactive") || parsed.args.length === 0,
    prompt: section.prompt,
    history_file: section.history_file,
  };
  return { action: "run", options, args: parsed.args };
}

/** `-h`: supervisorctl's usage text, which scripts and users read (ctl.md §1.3), then a blank line. */
export function supervisorctlHelp(progname: string): string {
  return `supervisorctl -- control applications run by supervisord from the cmd line.

Usage: ${progname} [options] [action [arguments]]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-h/--help -- print usage message and exit
-i/--interactive -- start an interactive shell after executing commands
-s/--serverurl URL -- URL on which supervisord server is listening
     (default "http://localhost:9001").
-u/--username USERNAME -- username to use for authentication with server
-p/--password PASSWORD -- password to use for authentication with server
-r/--history-file -- keep a readline history (if readline is available)

action [arguments] -- see below

Actions are commands like "tail" or "stop".  If -i is specified or no action is
specified on the command line, a "shell" interpreting actions typed
interactively is started.  Use the action "help" to find out about available
actions.

`;
}
