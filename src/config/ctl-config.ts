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
  const here = pyDirname(normalizePath(configfile, environ));
  if (!pyExists(configfile)) throw new ConfigError(`could not find config file ${configfile}`, { file: configfile });
  let text: string;
  try {
    text = readFileSync(configfile, "utf8");
  } catch {
    throw new ConfigError(`could not read config file ${configfile}`, { file: configfile });
  }
  const parser = new IniParser();
  parser.read(text, configfile);
  if (!parser.hasSection("supervisorctl")) {
    throw new ConfigError(".ini file does not include supervisorctl section", { file: configfile });
  }
  const names = new Map<string, FormatValue>();
  for (const [key, value] of Object.entries(environ)) if (value !== undefined) names.set(`ENV_${key}`, value);
  const reader = new OptionReader(parser, names, configfile);
  const withHere = new Map<string, FormatValue>([["here", here]]);
  const get = (option: string, extra?: Map<string, FormatValue>) => reader.get("supervisorctl", option, undefined, extra)?.value;

  let serverurl = get("serverurl", withHere) ?? CTL_DEFAULTS.serverurl;
  if (serverurl.startsWith("unix://")) serverurl = `unix://${normalizePath(serverurl.slice(7), environ)}`;
  const historyFile = get("history_file", withHere);

  for (const section of parser.sections()) {
    if (!section.startsWith("ctlplugin:")) continue;
    const spec = reader.get(section, "supervisor.ctl_factory");
    if (spec === undefined) {
      throw new ConfigError(`section [${section}] does not specify a supervisor.ctl_factory`, reader.sectionWhere(section));
    }
    resolveEntryPoint(spec.value, KNOWN_CTL_PLUGINS, section, spec.where);
  }

  return {
    serverurl,
    username: get("username") ?? CTL_DEFAULTS.username,
    password: get("password") ?? CTL_DEFAULTS.password,
    prompt: get("prompt") ?? CTL_DEFAULTS.prompt,
    history_file: historyFile ? normalizePath(historyFile, environ) : null,
  };
}
