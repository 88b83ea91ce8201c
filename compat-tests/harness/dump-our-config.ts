/**
 * Print, as JSON, the configuration our reader builds from supervisord arguments, in the shape
 * dump_real_config.py prints for the real supervisord, so that the two can be compared as text.
 * Usage: node dump-our-config.js [supervisord arguments...]
 */
import { loadFromCommandLine } from "../../src/cli/supervisord";
import { UsageError } from "../../src/cli/usage-error";
import { configInfoFromModel } from "./config-info";
import type { GroupConfig, ServerConfig, SupervisordConfig } from "../../src/config/model";

function group(g: GroupConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { type: g.type, name: g.name, priority: g.priority, processes: g.processes };
  if (g.type === "eventlistener") {
    Object.assign(out, { buffer_size: g.buffer_size, events: [...g.events].sort(), result_handler: g.result_handler });
  } else if (g.type === "fcgi") {
    const s = g.socket;
    out["socket"] = s.family === "unix"
      ? { url: s.url, backlog: s.backlog, mode: s.mode, owner: s.owner }
      : { url: s.url, backlog: s.backlog, mode: null, owner: null };
  }
  return out;
}

function server(s: ServerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { name: s.name, section: s.section, username: s.username, password: s.password };
  if (s.family === "unix") Object.assign(out, { family: "unix", file: s.file, chmod: s.chmod, chown: s.chown });
  else Object.assign(out, { family: "inet", host: s.host, port: s.port });
  return out;
}

/** Our config in the real dumper's shape. */
export function dumpConfig(c: SupervisordConfig): Record<string, unknown> {
  return {
    ok: true,
    supervisord: {
      minfds: c.minfds, minprocs: c.minprocs, directory: c.directory, user: c.user, uid: c.uid, gid: c.gid,
      umask: c.umask, logfile: c.logfile, logfile_maxbytes: c.logfile_maxbytes, logfile_backups: c.logfile_backups,
      loglevel: c.loglevel, pidfile: c.pidfile, identifier: c.identifier, nodaemon: c.nodaemon, silent: c.silent,
      childlogdir: c.childlogdir, nocleanup: c.nocleanup, strip_ansi: c.strip_ansi, environment: c.environment,
      serverurl: c.serverurl,
    },
    rpcinterfaces: c.rpcinterfaces.map((r) => [r.name, Object.entries(r.extras).sort()]),
    groups: c.groups.map(group),
    servers: c.servers.map(server),
    messages: c.messages,
  };
}

/** With `--getAllConfigInfo` first, print what getAllConfigInfo would answer instead. */
export function main(): void {
  const args = process.argv.slice(2);
  const configInfo = args[0] === "--getAllConfigInfo";
  let out: unknown;
  try {
    const config = loadFromCommandLine(configInfo ? args.slice(1) : args, "supervisord");
    out = configInfo ? configInfoFromModel(config) : dumpConfig(config);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    out = { ok: false, error: err.text };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) main();
