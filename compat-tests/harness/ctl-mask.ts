import { realpathSync } from "node:fs";
import { DEBIAN_SUPERVISORCTL, OUR_SUPERVISORCTL } from "./ctl-client";

/**
 * What differs from run to run in supervisorctl's output, masked: the test's dirs, process pids
 * and uptimes, dates, timestamps, AUTO log file names, supervisord's pid (a line of its own, as
 * `pid` prints it) and the client's own path (argv[0], in usage texts).
 */
export function maskCtlOutput(text: string, dir: string, supervisordPid: number): string {
  let out = text;
  for (const d of [...new Set([realpathSync(dir), dir])]) out = out.split(d).join("<DIR>");
  for (const ctl of [DEBIAN_SUPERVISORCTL, OUR_SUPERVISORCTL]) out = out.split(ctl).join("<supervisorctl>");
  return out
    .replace(/pid \d+, uptime \d+:\d\d:\d\d/g, "pid <pid>, uptime <uptime>")
    .replace(/\b[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\b/g, "<date>")
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/g, "<TIMESTAMP>")
    .replace(/(-(?:stdout|stderr)---[^\s/]*?-)[a-z0-9_]{8}(\.log)/g, "$1XXXXXXXX$2")
    .replace(/^\d+$/gm, (n) => (n === String(supervisordPid) ? "<supervisord pid>" : n === "0" ? n : "<pid>"));
}
