import type { GroupConfig, LogFile, ProcessConfig } from "../config/model";

/**
 * One entry of getAllConfigInfo (xmlrpc.md §10.7), in supervisord's key order: None as 'none';
 * `logfile` says what a channel's file is reported as (a path, 'none', or 'auto' for an AUTO
 * file not made yet).
 */
export function processConfigInfo(
  group: GroupConfig,
  p: ProcessConfig,
  inuse: boolean,
  logfile: (file: LogFile, channel: "stdout" | "stderr") => string,
): Record<string, number | boolean | string | number[]> {
  return {
    autostart: p.autostart,
    directory: p.directory ?? "none",
    uid: p.uid ?? "none",
    command: p.command,
    exitcodes: p.exitcodes,
    group: group.name,
    group_prio: group.priority,
    inuse,
    killasgroup: p.killasgroup,
    name: p.name,
    process_prio: p.priority,
    redirect_stderr: p.redirect_stderr,
    startretries: p.startretries,
    startsecs: p.startsecs,
    stdout_capture_maxbytes: p.stdout_capture_maxbytes,
    stdout_events_enabled: p.stdout_events_enabled,
    stdout_logfile: logfile(p.stdout_logfile, "stdout"),
    stdout_logfile_backups: p.stdout_logfile_backups,
    stdout_logfile_maxbytes: p.stdout_logfile_maxbytes,
    stdout_syslog: p.stdout_syslog,
    stopsignal: p.stopsignal,
    stopwaitsecs: p.stopwaitsecs,
    stderr_capture_maxbytes: p.stderr_capture_maxbytes,
    stderr_events_enabled: p.stderr_events_enabled,
    stderr_logfile: logfile(p.stderr_logfile, "stderr"),
    stderr_logfile_backups: p.stderr_logfile_backups,
    stderr_logfile_maxbytes: p.stderr_logfile_maxbytes,
    stderr_syslog: p.stderr_syslog,
    serverurl: p.serverurl ?? "none",
  };
}
