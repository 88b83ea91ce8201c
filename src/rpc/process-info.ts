import type { Subprocess } from "../process/subprocess";
import { ProcessStates } from "../states";

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** supervisord's capped_int: int() of a time, clamped to XML-RPC's 32 bits. */
function cappedInt(value: number): number {
  return Math.min(INT_MAX, Math.max(INT_MIN, Math.trunc(value)));
}

/** Python's str(timedelta) for a whole number of seconds: `2:03:04`, `1 day, 0:00:01`. */
export function timedeltaText(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const rest = seconds - days * 86400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  const clock = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return days === 0 ? clock : `${days} day${days === 1 ? "" : "s"}, ${clock}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** strftime('%b %d %I:%M %p') of a Unix time, in local time and the C locale. */
export function stopTimeText(unixSeconds: number): string {
  const when = new Date(unixSeconds * 1000);
  const hour12 = when.getHours() % 12 === 0 ? 12 : when.getHours() % 12;
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${MONTHS[when.getMonth()] ?? ""} ${pad(when.getDate())} ${pad(hour12)}:${pad(when.getMinutes())} ${when.getHours() < 12 ? "AM" : "PM"}`;
}

/** The info struct's fields, in supervisord's key order (xmlrpc.md §9.2). */
export interface ProcessInfo {
  name: string;
  group: string;
  start: number;
  stop: number;
  now: number;
  state: number;
  statename: string;
  spawnerr: string;
  exitstatus: number;
  logfile: string;
  stdout_logfile: string;
  stderr_logfile: string;
  pid: number;
  description: string;
}

/** getProcessInfo's struct for one process, `now` in Unix seconds. */
export function processInfo(proc: Subprocess, now: number): ProcessInfo {
  const start = cappedInt(proc.laststart);
  const stop = cappedInt(proc.laststop);
  const nowInt = cappedInt(now);
  const spawnerr = proc.spawnerr ?? "";
  const stdout = proc.channels.logfiles.stdout ?? "";
  const info: ProcessInfo = {
    name: proc.config.name,
    group: proc.groupName,
    start,
    stop,
    now: nowInt,
    state: ProcessStates[proc.state],
    statename: proc.state,
    spawnerr,
    exitstatus: proc.exitstatus ?? 0,
    logfile: stdout,
    stdout_logfile: stdout,
    stderr_logfile: proc.channels.logfiles.stderr ?? "",
    pid: proc.pid,
    description: "",
  };
  switch (proc.state) {
    case "RUNNING": {
      // Both times truncated to whole seconds first, as supervisord's gmtime() round trip does.
      const uptime = Math.max(0, Math.trunc(now) - Math.trunc(proc.laststart));
      info.description = `pid ${proc.pid}, uptime ${timedeltaText(uptime)}`;
      break;
    }
    case "FATAL":
    case "BACKOFF":
      info.description = spawnerr === "" ? `unknown error (try "tail ${proc.config.name}")` : spawnerr;
      break;
    case "STOPPED":
    case "EXITED":
      info.description = start !== 0 ? stopTimeText(stop) : "Not started";
      break;
    default:
      info.description = "";
  }
  return info;
}
