import { glanceCtlConfig } from "../config/ctl-config";
import type { EarlyCalls } from "../ctl/ctl-context";
import { prefetchedBy } from "../ctl/process-commands";
import { RpcClient } from "../protocol/client";
import { parseSupervisorctlCommandLine, supervisorctlProgname } from "./supervisorctl-command-line";

/**
 * DIVERGES: supervisorctl asks for getVersion, then for the command's call once that answered,
 * after reading and checking the whole config file; the server here sees both at once, before
 * the file is read whole (both are read-only; README, "Differences from supervisord").
 *
 * supervisorctl's early start: for a command line that begins with read-only calls (`status`,
 * `pid`), those calls are written to the server before the rest of supervisorctl is loaded and
 * before the config file is read whole, from the command line and the `[supervisorctl]` section
 * alone; the server works on its answer meanwhile (supervisord 4.2.5 takes tens of milliseconds
 * over a status of a few hundred processes). bin/supervisorctl's boot runs this first, then
 * supervisorctl with what it returns: the controller takes those answers only if the options it
 * ends up with name the same server and credentials, and drops them otherwise; a config file that
 * turns out to be wrong is reported as always, nothing of the calls shown.
 *
 * Undefined when nothing is sent: another command, no command (the shell), a command line or
 * section that does not read, a URL of another scheme, or a username without a password (a
 * prompt may ask for it).
 */
export function sendEarlyCalls(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EarlyCalls | undefined {
  let parsed: ReturnType<typeof parseSupervisorctlCommandLine>;
  try {
    parsed = parseSupervisorctlCommandLine(argv, supervisorctlProgname(env), env, glanceCtlConfig);
  } catch {
    return undefined; // supervisorctl proper reads the command line again and reports what is wrong
  }
  if (parsed.action !== "run") return undefined;
  const [command = "", ...rest] = parsed.args;
  const methods = prefetchedBy(command, rest.join(" "));
  const { serverurl, username, password } = parsed.options;
  if (methods.length === 0 || (username !== null && password === null)) return undefined;
  let client: RpcClient;
  try {
    client = new RpcClient(serverurl, { username, password });
  } catch {
    return undefined; // UnknownProtocol, which upcheck reports
  }
  // upcheck's call first, as supervisorctl makes it (measured: the other order is slower).
  return { serverurl, username, password, calls: ["supervisor.getVersion", ...methods].map((method) => client.sendAhead(method)) };
}
