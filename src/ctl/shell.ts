import { readFileSync, writeFileSync } from "node:fs";
import { pySplitWhitespace } from "../config/python-str";
import type { PyValue } from "../protocol/codec";
import type { Controller } from "./controller";
import type { CtlOptions } from "./ctl-context";
import { EndOfInput } from "./daemon-commands";
import { member } from "./format";
import { HELP_TEXTS } from "./help-texts";
import { LineTerminal } from "./line-terminal";

/**
 * supervisorctl's interactive shell (ctl.md §2.2): `status` first, then a prompt per command until
 * quit, exit, end of input or Ctrl-C; history in `history_file`; TAB completes command, group and
 * process names. Loaded only when the shell runs, so one-shot commands do not pay for it.
 */

/** readline's word delimiters less `:`, `*` and `-`, so that `group:*` and `my-prog` are one word. */
const DELIMITERS = new Set([..." \t\n\"\\'`@$><=;|&{("]);

const VOCABULARY = [...new Set(["help", ...Object.keys(HELP_TEXTS)])];
const GROUP_COMMANDS = new Set(["add", "remove", "update"]);
const PROCESS_COMMANDS = new Set(["clear", "fg", "pid", "restart", "signal", "start", "status", "stop", "tail"]);

/** The word being completed: what follows the last delimiter. */
export function completionWord(line: string): string {
  let start = line.length;
  while (start > 0 && !DELIMITERS.has(line[start - 1] ?? "")) start--;
  return line.slice(start);
}

/** supervisorctl's completions of `text` at the end of `line` (each with a trailing space). */
export function completions(line: string, text: string, infos: () => Promise<PyValue[]>): Promise<string[]> | string[] {
  const words = pySplitWhitespace(line);
  const action = words[0];
  const actions = (): string[] => VOCABULARY.filter((a) => a.startsWith(text)).map((a) => `${a} `);
  if (action === undefined || (words.length === 1 && !line.endsWith(" ")) || action === "help") return actions();
  if (GROUP_COMMANDS.has(action)) {
    return infos().then((all) => [...new Set(all.map((i) => String(member(i, "group"))))].filter((g) => g.startsWith(text)).map((g) => `${g} `));
  }
  if (!PROCESS_COMMANDS.has(action)) return [];
  return infos().then((all) => {
    const names: string[] = [];
    for (const info of all) {
      const group = String(member(info, "group"));
      const name = String(member(info, "name"));
      if (text.includes(":") || name !== group) {
        names.push(`${group}:${name}`);
        if (!names.includes(`${group}:*`)) names.push(`${group}:*`);
      } else {
        names.push(name);
      }
    }
    return names.filter((n) => n.startsWith(text)).map((n) => `${n} `);
  });
}

function loadHistory(file: string | null): string[] {
  if (file === null) return [];
  try {
    return readFileSync(file, "utf8").split("\n").filter((line) => line !== "").reverse();
  } catch {
    return []; // no history yet (supervisorctl ignores an unreadable file too)
  }
}

function saveHistory(file: string | null, history: readonly string[]): void {
  if (file === null) return;
  try {
    writeFileSync(file, history.slice().reverse().map((line) => `${line}\n`).join(""));
  } catch {
    // supervisorctl ignores a history file it cannot write; the session's work is done anyway.
  }
}

/** Run the shell on `ctl` until it ends; the shell's exit status is always 0. */
export async function runShell(options: CtlOptions, makeController: (terminal: LineTerminal) => Controller): Promise<void> {
  let cache: PyValue[] | undefined;
  let ctl: Controller | undefined;
  const infos = async (): Promise<PyValue[]> => {
    if (cache === undefined && ctl !== undefined) {
      const all = await ctl.call("supervisor.getAllProcessInfo");
      cache = Array.isArray(all) ? all : [];
    }
    return cache ?? [];
  };
  const terminal = new LineTerminal({
    lineEditing: true,
    history: loadHistory(options.history_file),
    completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
      const text = completionWord(line);
      Promise.resolve(completions(line, text, infos)).then(
        (found) => callback(null, [found, text]),
        () => callback(null, [[], text]), // no completion when the server cannot be asked
      );
    },
  });
  ctl = makeController(terminal);
  try {
    let line: string | null = "status";
    while (line !== null) {
      cache = undefined;
      if (await ctl.onecmd(line)) break;
      line = await terminal.readLine(`${ctl.options.prompt}> `);
      if (line === null) ctl.output("");
    }
  } catch (err) {
    if (!(err instanceof EndOfInput)) throw err;
    ctl.output("");
  } finally {
    saveHistory(options.history_file, terminal.history());
    ctl.close();
    terminal.close();
  }
}
