import { AUTO, type ProcessConfig } from "../../src/config/model";

/** A process config with supervisord's defaults (command /bin/NAME), changed by `overrides`. */
export function processConfig(name: string, overrides: Partial<ProcessConfig> = {}): ProcessConfig {
  return {
    name, command: `/bin/${name}`, directory: null, umask: null, priority: 999, autostart: true,
    autorestart: "unexpected", startsecs: 1, startretries: 3, uid: null, stdout_logfile: AUTO,
    stdout_capture_maxbytes: 0, stdout_events_enabled: false, stdout_syslog: false,
    stdout_logfile_backups: 10, stdout_logfile_maxbytes: 52428800, stderr_logfile: AUTO,
    stderr_capture_maxbytes: 0, stderr_logfile_backups: 10, stderr_logfile_maxbytes: 52428800,
    stderr_events_enabled: false, stderr_syslog: false, stopsignal: 15, stopwaitsecs: 10,
    stopasgroup: false, killasgroup: false, exitcodes: [0], redirect_stderr: false,
    environment: {}, serverurl: null, ...overrides,
  };
}
