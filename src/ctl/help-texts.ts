/**
 * `help <topic>` texts of supervisorctl 4.2.5 (ctl.md §4.20): user-visible, byte for byte; the
 * argument errors print them too. Each entry is what one output call prints (a newline follows).
 */
export const HELP_TEXTS: Readonly<Record<string, string>> = Object.freeze({
  add: "add <name> [...]\tActivates any updates in config for process/group",
  avail: "avail\t\t\tDisplay all configured processes",
  clear: "clear <name>\t\tClear a process' log files.\nclear <name> <name>\tClear multiple process' log files\nclear all\t\tClear all process' log files",
  exit: "exit\tExit the supervisor shell.",
  fg: "fg <process>\tConnect to a process in foreground mode\n\t\tCtrl-C to exit",
  help: "help\t\tPrint a list of available actions\nhelp <action>\tPrint help for <action>",
  maintail:
    "maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n" +
    "maintail -100\tlast 100 *bytes* of supervisord main log file\n" +
    "maintail\tlast 1600 *bytes* of supervisor main log file\n",
  open: "open <url>\tConnect to a remote supervisord process.\n\t\t(for UNIX domain socket, use unix:///socket/path)",
  pid:
    "pid\t\t\tGet the PID of supervisord.\n" +
    "pid <name>\t\tGet the PID of a single child process by name.\n" +
    "pid all\t\t\tGet the PID of every child process, one per line.",
  quit: "quit\tExit the supervisor shell.",
  reload: "reload \t\tRestart the remote supervisord.",
  remove: "remove <name> [...]\tRemoves process/group from active config",
  reread: "reread \t\t\tReload the daemon's configuration files without add/remove",
  restart:
    "restart <name>\t\tRestart a process\n" +
    "restart <gname>:*\tRestart all processes in a group\n" +
    "restart <name> <name>\tRestart multiple processes or groups\n" +
    "restart all\t\tRestart all processes\n" +
    "Note: restart does not reread config files. For that, see reread and update.",
  shutdown: "shutdown \tShut the remote supervisord down.",
  signal:
    "signal <signal name> <name>\t\tSignal a process\n" +
    "signal <signal name> <gname>:*\t\tSignal all processes in a group\n" +
    "signal <signal name> <name> <name>\tSignal multiple processes or groups\n" +
    "signal <signal name> all\t\tSignal all processes",
  start:
    "start <name>\t\tStart a process\n" +
    "start <gname>:*\t\tStart all processes in a group\n" +
    "start <name> <name>\tStart multiple processes or groups\n" +
    "start all\t\tStart all processes",
  status:
    "status <name>\t\tGet status for a single process\n" +
    "status <gname>:*\tGet status for all processes in a group\n" +
    "status <name> <name>\tGet status for multiple named processes\n" +
    "status\t\t\tGet all process status info",
  stop:
    "stop <name>\t\tStop a process\n" +
    "stop <gname>:*\t\tStop all processes in a group\n" +
    "stop <name> <name>\tStop multiple processes or groups\n" +
    "stop all\t\tStop all processes",
  tail:
    "tail [-f] <name> [stdout|stderr] (default stdout)\n" +
    "Ex:\n" +
    "tail -f <name>\t\tContinuous tail of named process stdout\n" +
    "\t\t\tCtrl-C to exit.\n" +
    "tail -100 <name>\tlast 100 *bytes* of process stdout\n" +
    "tail <name> stderr\tlast 1600 *bytes* of process stderr",
  update:
    "update\t\t\tReload config and add/remove as necessary, and will restart affected programs\n" +
    "update all\t\tReload config and add/remove as necessary, and will restart affected programs\n" +
    "update <gname> [...]\tUpdate specific groups",
  version: "version\t\t\tShow the version of the remote supervisord process",
});

/**
 * Python cmd.Cmd's columnize of `words` (already sorted) for a display `width` wide: as few rows
 * as fit, columns two spaces apart, every cell padded to its column's width (trailing spaces too).
 */
export function columnize(words: readonly string[], width = 80): string[] {
  if (words.length === 0) return ["<empty>"];
  if (words.length === 1) return [words[0] ?? ""];
  for (let rows = 1; rows < words.length; rows++) {
    const cols = Math.ceil(words.length / rows);
    const widths: number[] = [];
    let total = -2;
    for (let col = 0; col < cols; col++) {
      const colWidth = Math.max(0, ...words.slice(col * rows, col * rows + rows).map((w) => w.length));
      widths.push(colWidth);
      total += colWidth + 2;
      if (total > width) break;
    }
    if (total <= width) return layout(words, rows, widths);
  }
  return words.slice();
}

function layout(words: readonly string[], rows: number, widths: readonly number[]): string[] {
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    const cells: string[] = [];
    for (let col = 0; col < widths.length; col++) {
      const word = words[row + col * rows];
      if (word !== undefined) cells.push(word);
    }
    while (cells.length > 0 && cells.at(-1) === "") cells.pop();
    lines.push(cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
  }
  return lines;
}
