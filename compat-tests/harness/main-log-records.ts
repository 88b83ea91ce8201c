import { realpathSync } from "node:fs";

const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} /;

/**
 * A main log as records with what must differ between two runs masked, so that supervisord's
 * log and ours compare with `===`. One record per log call: `LEVL message`, the timestamp cut off,
 * continuation lines (the output echo's data and its trailing empty line) kept with their `\n`.
 * Masked:
 * - pids: the daemon's becomes `<supervisord>`, each child's `<NAME#N>` after its Nth `spawned:`
 *   line, so a `killing` line must name the right process; any other number stays as it is;
 * - the run's temp dir (also through its real path) becomes `<here>`;
 * - AUTO log names' random suffix (`NAME-stdout---ID-XXXXXXXX.log`);
 * - in supervisord's `fd N closed, stopped monitoring <...>` lines, the fd and Python's object ids.
 */
export function maskedRecords(text: string, dir: string, daemonPid: number): string[] {
  const records = logRecords(text);
  const labels = spawnedPidLabels(records);
  labels.set(String(daemonPid), "<supervisord>");
  const dirs = [...new Set([realpathSync(dir), dir])];
  return records.map((record) => {
    let masked = record;
    for (const d of dirs) masked = masked.split(d).join("<here>");
    return masked
      .replace(/\b\d+\b/g, (n) => labels.get(n) ?? n)
      .replace(/(-(?:stdout|stderr)---[^\s/]*?-)[a-z0-9_]{8}(\.log)/g, "$1XXXXXXXX$2")
      .replace(/^DEBG fd \d+ closed, stopped monitoring <(\w+) at \d+ for <Subprocess at \d+ /, "DEBG fd N closed, stopped monitoring <$1 at ADDR for <Subprocess at ADDR ");
  });
}

/** Each child's pid (as text) to `<NAME#N>`, after its Nth `spawned:` record (records as logRecords makes them). */
export function spawnedPidLabels(records: readonly string[]): Map<string, string> {
  const labels = new Map<string, string>();
  const spawns = new Map<string, number>();
  for (const record of records) {
    const spawned = /^INFO spawned: '([^']*)' with pid (\d+)$/.exec(record);
    if (spawned === null) continue;
    const [, name = "", pid = ""] = spawned;
    const nth = (spawns.get(name) ?? 0) + 1;
    spawns.set(name, nth);
    labels.set(pid, `<${name}#${nth}>`);
  }
  return labels;
}

/** A main log's records, unmasked: `LEVL message`, the timestamp cut off, continuation lines kept with their `\n`. */
export function logRecords(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop(); // the newline that ends the last record
  const records: string[] = [];
  for (const line of lines) {
    if (STAMP.test(line)) records.push(line.replace(STAMP, ""));
    else if (records.length > 0) records[records.length - 1] += `\n${line}`;
    else records.push(line); // text before any record: kept, so it shows up as a difference
  }
  return records;
}
