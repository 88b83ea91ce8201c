import { ConfigError } from "../errors";
import { checkRpcInterfaces, loadSupervisordConfig } from "../config/load-config";
import type { SupervisordConfig } from "../config/model";
import { configSearchPaths, findConfigFile } from "../config/search-path";
import { parseSupervisordCommandLine, supervisordHelp } from "./supervisord-command-line";
import { UsageError, reportUsageError } from "./usage-error";

/** The version supervisord reports: clients and scripts compare against 4.2.5's. */
export const SUPERVISOR_VERSION = "4.2.5";

const ROOT_SEARCH_WARNING =
  'Supervisord is running as root and it is searching for its configuration file in default locations (including its current working directory); you probably want to specify a "-c" argument specifying an absolute path to a configuration file for improved security.';

/** Parse the command line and read the config as supervisord does, reporting usage errors its way. */
export function loadFromCommandLine(argv: readonly string[], progname: string): SupervisordConfig {
  const command = parseSupervisordCommandLine(argv);
  if (command.action === "help") {
    process.stdout.write(supervisordHelp(progname));
    process.exit(0);
  }
  if (command.action === "version") {
    process.stdout.write(`${SUPERVISOR_VERSION}\n`);
    process.exit(0);
  }
  let configfile = command.configfile;
  if (configfile === undefined) {
    if (process.getuid?.() === 0) process.stderr.write(`${progname}: UserWarning: ${ROOT_SEARCH_WARNING}\n`);
    const paths = configSearchPaths(progname);
    configfile = findConfigFile(paths);
    if (configfile === undefined) {
      throw new UsageError(
        `No config file found at default paths (${paths.join(", ")}); use the -c option to specify a config file at a different path`,
      );
    }
  }
  try {
    return loadSupervisordConfig(configfile, command.settings);
  } catch (err) {
    if (err instanceof ConfigError) throw UsageError.fromConfig(err);
    throw err;
  }
}

export function main(): void {
  const progname = process.argv[1] ?? "supervisord";
  try {
    const config = loadFromCommandLine(process.argv.slice(2), progname);
    checkRpcInterfaces(config);
    const processes = config.groups.reduce((n, group) => n + group.processes.length, 0);
    // TODO(#3): supervise the processes; until then the config is only read and checked.
    process.stderr.write(
      `supervisord-ts: ${config.configfile} is valid (${config.groups.length} groups, ${processes} processes); process supervision arrives with the daemon (issue #3)\n`,
    );
  } catch (err) {
    if (err instanceof UsageError) reportUsageError(err, progname);
    if (err instanceof ConfigError) reportUsageError(UsageError.fromConfig(err), progname);
    throw err;
  }
}

if (require.main === module) main();
