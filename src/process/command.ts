import { accessSync, constants, statSync, type Stats } from "node:fs";
import { pyRepr } from "../config/python-str";
import { pyJoin } from "../posix/python-path";
import { shellWords, ShellWordsError } from "../posix/shell-words";

/**
 * The fault a failed resolution maps to when startProcess meets it: a missing file is NO_FILE;
 * an unparsable or empty command, a directory, no x bit or no permission are NOT_EXECUTABLE.
 */
export type CommandProblem = "NO_FILE" | "NOT_EXECUTABLE";

/** A command that cannot be run; the message is supervisord's spawnerr text (states.md §4.3). */
export class CommandError extends Error {
  constructor(readonly problem: CommandProblem, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** What to execute: the file found, and the words of `command` (argv[0] as written). */
export interface ResolvedCommand {
  path: string;
  argv: string[];
}

/** os.stat: follows symlinks; any failure (missing, dangling link, EACCES, ENOTDIR...) is "none". */
function statOrUndefined(path: string): Stats | undefined {
  // DIVERGES: Python's os.stat raises ValueError on a NUL byte, which supervisord does not catch
  // (the daemon dies with a traceback); such a path is one that does not exist here.
  if (path.includes("\0")) return undefined;
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // supervisord catches every OSError from stat and moves on
  }
}

function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false; // access(2) failing for any reason is "no permission", as os.access answers False
  }
}

/**
 * Split `command` and find the file to execute, as supervisord does before forking
 * (states.md §4.3): a first word with a `/` is used as is (relative to our cwd); any other is
 * looked up along `searchPath`, taking the first entry that exists, whatever its type.
 */
export function resolveCommand(command: string, searchPath: readonly string[]): ResolvedCommand {
  let argv: string[];
  try {
    argv = shellWords(command);
  } catch (err) {
    if (err instanceof ShellWordsError) {
      throw new CommandError("NOT_EXECUTABLE", `can't parse command ${pyRepr(command)}: ${err.message}`);
    }
    throw err;
  }
  const program = argv[0];
  if (program === undefined) throw new CommandError("NOT_EXECUTABLE", "command is empty");

  let path = program;
  let st: Stats | undefined;
  if (program.includes("/")) {
    st = statOrUndefined(program);
  } else {
    for (const dir of searchPath) {
      const candidate = pyJoin(dir, program);
      st = statOrUndefined(candidate);
      if (st !== undefined) {
        path = candidate;
        break;
      }
    }
  }

  if (st === undefined) throw new CommandError("NO_FILE", `can't find command ${pyRepr(path)}`);
  if (st.isDirectory()) throw new CommandError("NOT_EXECUTABLE", `command at ${pyRepr(path)} is a directory`);
  if ((st.mode & 0o111) === 0) throw new CommandError("NOT_EXECUTABLE", `command at ${pyRepr(path)} is not executable`);
  if (!canExecute(path)) throw new CommandError("NOT_EXECUTABLE", `no permission to run command ${pyRepr(path)}`);
  return { path, argv };
}
