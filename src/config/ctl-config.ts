import { readFileSync } from "node:fs";
import { ConfigError } from "../errors";
import { normalizePath, pyDirname, pyExists } from "../posix/python-path";
import { resolveEntryPoint } from "./entry-point";
import { IniParser } from "./ini-parser";
import type { CtlConfig } from "./model";
import { OptionReader } from "./option-reader";
import type { FormatValue } from "./percent-format";

/** supervisorctl's defaults when its section leaves an option out (config.md §6.4). */
export const CTL_DEFAULTS: Readonly<CtlConfig> = Object.freeze({
  serverurl: "http://localhost:9001",
  username: null,
  password: null,
  prompt: "supervisor",
  history_file: null,
});

/** No ctl plugin can be loaded: they are Python code. */
const KNOWN_CTL_PLUGINS: ReadonlySet<string> = new Set();

/**
 * The `[supervisorctl]` section as supervisorctl 4.2.5 reads it: no `[include]` processing,
 * `unix://` paths and `history_file` made absolute, `here` only for those two options.
 */
export function readCtlConfig(configfile: string, environ: NodeJS.ProcessEnv = process.env): CtlConfig {
  const parser = new IniParser();
  parser.read(configText(configfile), configfile);
  const reader = optionReader(parser, configfile, environ);
  const config = ctlSection(reader, configfile, environ);
  for (const section of parser.sections()) {
    if (!section.startsWith("ctlplugin:")) continue;
    const spec = reader.get(section, "supervisor.ctl_factory");
    if (spec === undefined) {
      throw new ConfigError(`section [${section}] does not specify a supervisor.ctl_factory`, reader.sectionWhere(section));
    }
    resolveEntryPoint(spec.value, KNOWN_CTL_PLUGINS, section, spec.where);
  }
  return config;
}

/**
 * What readCtlConfig reads, from the lines of the file's `[supervisorctl]` and `[DEFAULT]`
 * sections alone, every other line unread and unchecked: for supervisorctl's early start
 * (cli/supervisorctl-early.ts), which sends its first calls before the whole file is read.
 * Throws as readCtlConfig does for those lines.
 */
export function glanceCtlConfig(configfile: string, environ: NodeJS.ProcessEnv = process.env): CtlConfig {
  const text = configText(configfile);
  // Each section runs from its header to the next line that opens with `[`.
  const headerAfter = (from: number): number => {
    const at = text.indexOf("\n[", from);
    return at < 0 ? -1 : at + 1;
  };
  let lines = "";
  for (let start = text.startsWith("[") ? 0 : headerAfter(0); start >= 0; ) {
    const next = headerAfter(start);
    if (text.startsWith("[supervisorctl]", start) || text.startsWith("[DEFAULT]", start)) lines += text.slice(start, next < 0 ? text.length : next);
    start = next;
  }
  const parser = new IniParser();
  parser.read(lines, configfile);
  return ctlSection(optionReader(parser, configfile, environ), configfile, environ);
}

function configText(configfile: string): string {
  if (!pyExists(configfile)) throw new ConfigError(`could not find config file ${configfile}`, { file: configfile });
  try {
    return readFileSync(configfile, "utf8");
  } catch {
    throw new ConfigError(`could not read config file ${configfile}`, { file: configfile });
  }
}

function optionReader(parser: IniParser, configfile: string, environ: NodeJS.ProcessEnv): OptionReader {
  if (!parser.hasSection("supervisorctl")) {
    throw new ConfigError(".ini file does not include supervisorctl section", { file: configfile });
  }
  const names = new Map<string, FormatValue>();
  for (const [key, value] of Object.entries(environ)) if (value !== undefined) names.set(`ENV_${key}`, value);
  return new OptionReader(parser, names, configfile);
}

/** The section's options, read (and their errors met) in supervisorctl's order. */
function ctlSection(reader: OptionReader, configfile: string, environ: NodeJS.ProcessEnv): CtlConfig {
  const withHere = new Map<string, FormatValue>([["here", pyDirname(normalizePath(configfile, environ))]]);
  const get = (option: string, extra?: Map<string, FormatValue>) => reader.get("supervisorctl", option, undefined, extra)?.value;
  let serverurl = get("serverurl", withHere) ?? CTL_DEFAULTS.serverurl;
  if (serverurl.startsWith("unix://")) serverurl = `unix://${normalizePath(serverurl.slice(7), environ)}`;
  const prompt = get("prompt") ?? CTL_DEFAULTS.prompt;
  const username = get("username") ?? CTL_DEFAULTS.username;
  const password = get("password") ?? CTL_DEFAULTS.password;
  const historyFile = get("history_file", withHere);
  return { serverurl, username, password, prompt, history_file: historyFile ? normalizePath(historyFile, environ) : null };
}
