import { isAuto, type LogFile, type SupervisordConfig } from "../../src/config/model";
import { pyAbspath, pyJoin } from "../../src/posix/python-path";
import { compareCodePoints } from "../../src/config/python-str";

/** The random part of an AUTO log name (mkstemp), masked on both sides of a comparison. */
export const AUTO_MASK = "XXXXXXXX";

/** Mask what differs from run to run in a getAllConfigInfo entry of the real supervisord. */
export function maskConfigInfo(entry: Record<string, unknown>): Record<string, unknown> {
  const out = { ...entry };
  for (const key of ["stdout_logfile", "stderr_logfile"]) {
    const value = out[key];
    if (typeof value === "string" && value.includes("---")) out[key] = value.replace(/[a-z0-9_]{8}\.log$/, `${AUTO_MASK}.log`);
  }
  return out;
}

/**
 * getAllConfigInfo as supervisord 4.2.5 answers it right after start-up, built from our model
 * (config.md §8, xmlrpc.md §10.7): None as 'none', AUTO files named as the daemon names them.
 * TODO(#4): once the daemon serves getAllConfigInfo, call it instead of building it here.
 */
export function configInfoFromModel(config: SupervisordConfig): Record<string, unknown>[] | { fault: { faultCode: number; faultString: string } } {
  if (!config.rpcinterfaces.some((rpc) => rpc.name === "supervisor")) {
    return { fault: { faultCode: 1, faultString: "UNKNOWN_METHOD" } }; // only system.* is served
  }
  const logfile = (file: LogFile, name: string, channel: string): string => {
    if (file === null) return "none";
    if (isAuto(file)) return pyAbspath(pyJoin(config.childlogdir, `${name}-${channel}---${config.identifier}-${AUTO_MASK}.log`));
    return file;
  };
  const entries = config.groups.flatMap((group) =>
    group.processes.map((p) => ({
      autostart: p.autostart,
      directory: p.directory ?? "none",
      uid: p.uid ?? "none",
      command: p.command,
      exitcodes: p.exitcodes,
      group: group.name,
      group_prio: group.priority,
      inuse: true,
      killasgroup: p.killasgroup,
      name: p.name,
      process_prio: p.priority,
      redirect_stderr: p.redirect_stderr,
      startretries: p.startretries,
      startsecs: p.startsecs,
      stdout_capture_maxbytes: p.stdout_capture_maxbytes,
      stdout_events_enabled: p.stdout_events_enabled,
      stdout_logfile: logfile(p.stdout_logfile, p.name, "stdout"),
      stdout_logfile_backups: p.stdout_logfile_backups,
      stdout_logfile_maxbytes: p.stdout_logfile_maxbytes,
      stdout_syslog: p.stdout_syslog,
      stopsignal: p.stopsignal,
      stopwaitsecs: p.stopwaitsecs,
      stderr_capture_maxbytes: p.stderr_capture_maxbytes,
      stderr_events_enabled: p.stderr_events_enabled,
      stderr_logfile: logfile(p.stderr_logfile, p.name, "stderr"),
      stderr_logfile_backups: p.stderr_logfile_backups,
      stderr_logfile_maxbytes: p.stderr_logfile_maxbytes,
      stderr_syslog: p.stderr_syslog,
      serverurl: p.serverurl ?? "none",
    })),
  );
  // Sorted by name only, and stably, as supervisord sorts it.
  return entries.sort((a, b) => compareCodePoints(a.name, b.name));
}
