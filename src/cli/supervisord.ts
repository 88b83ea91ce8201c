import { existsSync } from "node:fs";
import { ConfigError } from "../errors";
import { loadSupervisordConfig } from "../config/load-config";
import type { ParseMessages, SupervisordConfig } from "../config/model";
import { configSearchPaths, findConfigFile } from "../config/search-path";
import { EventBus } from "../events/event-bus";
import { EventSerials } from "../events/event-serials";
import { clearAutoChildLogs } from "../logging/auto-log";
import { DaemonLog, FileHandler, StdoutHandler, SyslogHandler, type LogHandler } from "../logging/daemon-log";
import { dropPrivileges } from "../posix/privileges";
import { channelFactory } from "../supervisor/channels";
import { FcgiSocketError, openFcgiSocket } from "../supervisor/fcgi-socket";
import { removePidfile, writePidfile } from "../supervisor/pidfile";
import { childNofile, raiseRlimits } from "../supervisor/rlimits";
import { Supervisor } from "../supervisor/supervisor";
import { RpcDispatcher } from "../rpc/dispatcher";
import { SUPERVISOR_VERSION } from "../rpc/supervisor-namespace";
import type { PyValue } from "../protocol/codec";
import { toFault } from "../protocol/faults";
import { renderWebRequest } from "../web/render-web-request";
import { RpcFault, type RpcCall } from "../web/rpc-call";
import { UI_STATIC_DIR } from "../web/ui-static-dir";
import type { HttpBackend } from "../http/backend";
import { createHttpHandler } from "../http/http-handler";
import { closeListeners, ListenError, openListeners, type Listener } from "../http/listeners";
import { daemonize, takeStartupStatus, type StartupStatus } from "./daemonize";
import { parseSupervisordCommandLine, supervisordHelp } from "./supervisord-command-line";
import { printUsageError, UsageError } from "./usage-error";

export { SUPERVISOR_VERSION };

const ROOT_SEARCH_WARNING =
  'Supervisord is running as root and it is searching for its configuration file in default locations (including its current working directory); you probably want to specify a "-c" argument specifying an absolute path to a configuration file for improved security.';

const RUNNING_AS_ROOT =
  "Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message.";

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

/** How one run of the daemon ended: exit, or reload with the config already read. */
type Outcome = { kind: "exit"; code: number } | { kind: "reload"; config: SupervisordConfig };

interface RunContext {
  argv: readonly string[];
  progname: string;
  /** The soft RLIMIT_NOFILE we were started with, before Node raised it (bin/supervisord). */
  nofileBefore: number | undefined;
  /** The first run of this process (rlimits and daemonizing happen only then). */
  first: boolean;
  /** In a daemonized copy: the parent waiting for the start-up to succeed or fail. */
  status: StartupStatus | undefined;
  /** Event serials count on across reloads (events.md §4). */
  serials: EventSerials;
}

/** What the HTTP servers answer with: the XML-RPC dispatcher, the log tails, the status page. */
function daemonBackend(rpc: RpcDispatcher, config: SupervisordConfig, log: DaemonLog): HttpBackend {
  // The status page calls the same methods in process; a fault reaches it as an RpcFault.
  const webCall: RpcCall = (method, params) =>
    rpc.call(method, params as PyValue[]).catch((err: unknown) => {
      const fault = toFault(err);
      throw fault === undefined ? err : new RpcFault(fault.faultCode, fault.faultString);
    });
  return {
    rpc: (body) => rpc.handle(body),
    processLogFile: (namespec, channel) => rpc.logFileFor(namespec, channel),
    mainLogFile: () => (config.logfile !== "syslog" && existsSync(config.logfile) ? config.logfile : null),
    page: (req) => renderWebRequest(req, webCall),
    staticDir: UI_STATIC_DIR,
    log,
  };
}

/**
 * One run of the daemon (states.md §9): uid switch, rlimits, the main log, AUTO log cleanup, the
 * groups, the HTTP servers, signals, daemonizing, the pidfile; then supervise until a shutdown
 * or a restart has stopped everything, and clean up.
 */
async function serve(config: SupervisordConfig, ctx: RunContext): Promise<Outcome> {
  const fail = (err: UsageError): Outcome => {
    if (ctx.status !== undefined) ctx.status.failed(err);
    else printUsageError(err, ctx.progname);
    return { kind: "exit", code: 2 };
  };
  const messages: ParseMessages = {
    criticals: [...config.messages.criticals],
    warnings: [...config.messages.warnings],
    infos: [...config.messages.infos],
  };

  if (config.uid === null) {
    if (process.getuid?.() === 0) messages.criticals.push(RUNNING_AS_ROOT);
  } else {
    const problem = dropPrivileges(config.uid);
    if (problem !== undefined) return fail(new UsageError(problem));
    messages.infos.push(`Set uid to user ${config.uid} succeeded`);
  }
  if (ctx.first) {
    try {
      messages.infos.push(...raiseRlimits(config.minfds, config.minprocs, ctx.nofileBefore));
    } catch (err) {
      return fail(new UsageError((err as Error).message));
    }
  }

  const handlers: LogHandler[] = [];
  if (config.nodaemon && !config.silent) handlers.push(new StdoutHandler());
  try {
    handlers.push(config.logfile === "syslog" ? new SyslogHandler() : await FileHandler.open(config.logfile, config.logfile_maxbytes, config.logfile_backups));
  } catch (err) {
    return fail(new UsageError(`could not open the log file ${config.logfile}: ${(err as Error).message}`));
  }
  const log = new DaemonLog(config.loglevel, handlers);
  for (const message of messages.criticals) log.critical(message);
  for (const message of messages.warnings) log.warn(message);
  for (const message of messages.infos) log.info(message);

  if (!config.nocleanup) for (const message of clearAutoChildLogs(config.childlogdir, config.identifier)) log.warn(message);

  const events = new EventBus();
  const supervisor = new Supervisor({
    config,
    log,
    events,
    serials: ctx.serials,
    daemonEnv: process.env,
    makeChannels: channelFactory(config, log, events),
    openFcgiSocket: (group) => openFcgiSocket(group, log),
    childNofile: childNofile(config.minfds, ctx.nofileBefore),
  });
  let available = config.groups;
  let reloadConfig: SupervisordConfig | undefined;
  /** HUP and RPC restart: read the config first, restart only if it loads. */
  const requestRestart = (): void => {
    reloadConfig = readForReload(ctx, log) ?? reloadConfig;
    // DIVERGES: supervisord stops everything, then fails to read a bad config and exits 2;
    // we read it first, and a config that does not load leaves everything running.
    if (reloadConfig !== undefined) supervisor.restart();
  };
  const rpc = new RpcDispatcher({
    supervisor,
    config,
    available: () => available,
    reread: () => {
      available = rereadConfig(ctx, config.configfile).groups;
    },
    reopenMainLog: () => log.reopen(),
    // The reply goes out before the stop begins (with nothing to stop, the servers would close at once).
    shutdown: () => setImmediate(() => supervisor.shutdown()),
    restart: () => setImmediate(requestRestart),
  });
  const backend = daemonBackend(rpc, config, log);
  let listeners: Listener[] = [];
  let pidfileWritten = false;
  const cleanUp = async (): Promise<void> => {
    await closeListeners(listeners);
    if (pidfileWritten) removePidfile(config.pidfile);
    await supervisor.dispose();
    await log.close();
  };

  try {
    for (const group of config.groups) await supervisor.addProcessGroup(group);
    // Checked before any socket is bound: supervisord binds the first one, then fails, and
    // leaves its socket file behind.
    const extra = config.servers.length > 0 ? config.rpcinterfaces.find((rpc) => Object.keys(rpc.extras).length > 0) : undefined;
    if (extra !== undefined) {
      log.warn(`Traceback (most recent call last):\nTypeError: make_main_rpcinterface() got an unexpected keyword argument '${Object.keys(extra.extras)[0]}'`);
      throw new ListenError(`Could not make ${extra.name} rpc interface`);
    }
    for (const server of config.servers) {
      listeners.push(...(await openListeners([server], (section) => createHttpHandler(section, backend))));
      for (const rpc of config.rpcinterfaces) log.info(`RPC interface '${rpc.name}' initialized`);
      if (server.username === null) log.critical(`Server '${server.section}' running without any HTTP authentication checking`);
    }
  } catch (err) {
    if (err instanceof FcgiSocketError) {
      // supervisord dies here with a traceback ending in this ValueError, status 1.
      await cleanUp();
      process.stderr.write(`Error: ${err.message}\n`);
      ctx.status?.failed(new UsageError(err.message));
      return { kind: "exit", code: 1 };
    }
    if (!(err instanceof ListenError)) throw err;
    await cleanUp();
    return fail(new UsageError(err.message));
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    switch (signal) {
      case "SIGTERM":
      case "SIGINT":
      case "SIGQUIT":
        log.warn(`received ${signal} indicating exit request`);
        supervisor.shutdown();
        break;
      case "SIGHUP":
        if (supervisor.mood() === "SHUTDOWN") {
          log.warn(`ignored ${signal} indicating restart request (shutdown in progress)`);
          break;
        }
        log.warn(`received ${signal} indicating restart request`);
        requestRestart();
        break;
      case "SIGUSR2":
        log.info(`received ${signal} indicating log reopen request`);
        supervisor.reopenLogs();
        break;
      case "SIGCHLD":
        log.debug(`received ${signal} indicating a child quit`);
        break;
      default:
        // DIVERGES: SIGUSR1 kills supervisord outright, orphaning its children; Node would
        // start its debugger. We do neither.
        log.blather(`received ${signal} indicating nothing`);
    }
  };
  const signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR2", "SIGCHLD", "SIGUSR1"];
  for (const signal of signals) process.on(signal, onSignal);

  if (ctx.status !== undefined && ctx.first) {
    log.blather("supervisord forked; parent exiting");
    log.info("daemonizing the supervisord process");
    if (config.directory !== null) {
      try {
        process.chdir(config.directory);
        log.info(`set current directory: '${config.directory}'`);
      } catch (err) {
        log.critical(`can't chdir into '${config.directory}': ${String(err)}`);
      }
    }
    process.umask(config.umask);
  }
  pidfileWritten = writePidfile(config.pidfile);
  if (pidfileWritten) log.info(`supervisord started with pid ${process.pid}`);
  else log.critical(`could not write pidfile ${config.pidfile}`);
  // The daemonizing parent exits now: the pidfile is there by the time the command returns.
  if (ctx.first) ctx.status?.ready();

  void supervisor.run();
  // Nothing else may be keeping Node's event loop alive (no server, no child running): the
  // daemon still waits for a signal, as supervisord does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await supervisor.whenStopped();
  clearInterval(keepAlive);
  for (const signal of signals) process.off(signal, onSignal);
  const mood = supervisor.mood();
  await cleanUp();
  if (mood === "RESTARTING" && reloadConfig !== undefined) return { kind: "reload", config: reloadConfig };
  return { kind: "exit", code: 0 };
}

/** reloadConfig: the same file with the same command-line settings; a ConfigError says why not. */
function rereadConfig(ctx: RunContext, configfile: string): SupervisordConfig {
  const command = parseSupervisordCommandLine(ctx.argv);
  return loadSupervisordConfig(configfile, command.action === "run" ? command.settings : {});
}

/** The config for a restart, or undefined (logged) when it does not load. */
function readForReload(ctx: RunContext, log: DaemonLog): SupervisordConfig | undefined {
  try {
    return loadFromCommandLine(ctx.argv, ctx.progname);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const where = err.location === undefined ? "" : ` (at ${err.location})`;
    log.critical(`restart refused, the running configuration is kept: ${err.text}${where}`);
    return undefined;
  }
}

/** What bin/supervisord tells us: how it was invoked, and the soft fd limit before Node raised it. */
function takeShimEnvironment(): { progname: string; nofileBefore: number | undefined } {
  const progname = process.env["SUPERVISORD_TS_ARGV0"] ?? process.argv[1] ?? "supervisord";
  const nofile = process.env["SUPERVISORD_TS_NOFILE"];
  delete process.env["SUPERVISORD_TS_ARGV0"]; // the programs we start must not see them
  delete process.env["SUPERVISORD_TS_NOFILE"];
  const parsed = nofile === undefined || nofile === "unlimited" ? undefined : Number(nofile);
  return { progname, nofileBefore: Number.isInteger(parsed) ? parsed : undefined };
}

async function runSupervisord(argv: readonly string[], progname: string, nofileBefore: number | undefined): Promise<number> {
  const status = takeStartupStatus();
  let config: SupervisordConfig;
  try {
    config = loadFromCommandLine(argv, progname);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (status !== undefined) {
      status.failed(err);
      return 2;
    }
    return printUsageError(err, progname);
  }
  if (!config.nodaemon && status === undefined) {
    const shim = { SUPERVISORD_TS_ARGV0: progname, ...(nofileBefore === undefined ? {} : { SUPERVISORD_TS_NOFILE: String(nofileBefore) }) };
    return daemonize(argv, progname, shim, (err) => printUsageError(err, progname));
  }
  let first = true;
  const serials = new EventSerials();
  for (;;) {
    const outcome = await serve(config, { argv, progname, nofileBefore, first, status, serials });
    if (outcome.kind === "exit") return outcome.code;
    config = outcome.config;
    first = false;
  }
}

export function main(): void {
  const { progname, nofileBefore } = takeShimEnvironment();
  runSupervisord(process.argv.slice(2), progname, nofileBefore).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
