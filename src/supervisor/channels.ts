import type { LogFile, ProcessConfig, SupervisordConfig } from "../config/model";
import { isAuto } from "../config/model";
import type { EventBus } from "../events/event-bus";
import { createAutoLogFile } from "../logging/auto-log";
import type { DaemonLog } from "../logging/daemon-log";
import { syslog } from "../posix/native";
import { OutputChannel } from "../process/output-channel";
import type { ProcessChannels } from "../process/subprocess";
import type { ChannelFactory } from "./process-group";

/**
 * The channels of a group's processes. AUTO log files are created (empty, mode 0600) now, when
 * the group is created (logging.md §3.2): every process of the config has them, started or not.
 */
export function channelFactory(config: SupervisordConfig, log: DaemonLog, events: EventBus): ChannelFactory {
  const resolve = (file: LogFile, proc: ProcessConfig, channel: "stdout" | "stderr"): string | null =>
    isAuto(file) ? createAutoLogFile(config.childlogdir, proc.name, config.identifier, channel) : file;

  return (proc, group): ProcessChannels => {
    // The group's own kind: a pool added later (reloadConfig, addProcessGroup) is one too.
    const listener = group.type === "eventlistener";
    const groupName = group.name;
    const logfiles = { stdout: resolve(proc.stdout_logfile, proc, "stdout"), stderr: resolve(proc.stderr_logfile, proc, "stderr") };
    const make = (channel: "stdout" | "stderr"): OutputChannel => {
      const stdout = channel === "stdout";
      return new OutputChannel({
        processName: proc.name,
        groupName,
        channel,
        file: logfiles[channel],
        maxbytes: stdout ? proc.stdout_logfile_maxbytes : proc.stderr_logfile_maxbytes,
        backups: stdout ? proc.stdout_logfile_backups : proc.stderr_logfile_backups,
        syslog: !(listener && stdout) && (stdout ? proc.stdout_syslog : proc.stderr_syslog),
        captureMaxbytes: listener && stdout ? 0 : stdout ? proc.stdout_capture_maxbytes : proc.stderr_capture_maxbytes,
        eventsEnabled: !(listener && stdout) && (stdout ? proc.stdout_events_enabled : proc.stderr_events_enabled),
        stripAnsi: config.strip_ansi,
        listenerStdout: listener && stdout,
        log,
        events,
        sendSyslog: (line) => syslog(line),
      });
    };
    // With redirect_stderr the child's fd 2 is the stdout pipe: there is no stderr channel (and
    // the config has no stderr file); listeners always keep theirs (their stdout is the protocol).
    return { stdout: make("stdout"), stderr: proc.redirect_stderr && !listener ? null : make("stderr"), logfiles };
  };
}
