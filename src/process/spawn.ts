import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, closeSync, constants } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { makePipe, setPipeSize } from "../posix/native";

/**
 * The compiled src/posix/exec-helper.c: dist/src/process/spawn.js sits two levels below
 * dist/exec-helper.
 */
export const EXEC_HELPER = join(__dirname, "../../exec-helper");

/** One program to start, already resolved and checked by the caller (states.md §4.3). */
export interface SpawnRequest {
  /** The executable as resolved along PATH. */
  path: string;
  /** argv[0] as written in the config, then the other words of the command. */
  argv: string[];
  /** The program's whole environment (config.md §7). */
  env: Record<string, string>;
  cwd: string | null;
  umask: number | null;
  uid: number | null;
  /** fd 2 is a copy of fd 1; `stderr` is then null. */
  redirectStderr: boolean;
  /** An fd to give the child as stdin instead of a pipe (an fcgi listening socket). */
  stdinFd?: number;
  /** The child's soft RLIMIT_NOFILE, when it should not inherit the daemon's. */
  nofile?: number;
}

/**
 * The capacity asked for the stdout and stderr pipes (F_SETPIPE_SZ), so that a program writing
 * fast blocks later while the daemon is busy; Linux's default pipe-max-size, the most an
 * unprivileged process may ask. A refusal leaves the kernel's default (64 KiB).
 */
export const PIPE_CAPACITY = 1024 * 1024;

/** A started child: its pid (the program's own), its pipes as Node streams, and its end. */
export interface SpawnedChild {
  pid: number;
  /** null when the request gave `stdinFd`. */
  stdin: Writable | null;
  /** Emits 'close' once the program and every other holder of the write end are done. */
  stdout: Readable;
  /** null with `redirectStderr`. */
  stderr: Readable | null;
  /**
   * Where the exit is reported ('exit'); libuv reaps the pid. The pipes are not Node's stdio,
   * so its 'close' does not wait for them: wait for `stdout` and `stderr` to close instead.
   */
  process: ChildProcess;
}

/**
 * The child could not even be started (the pipes could not be made or the fork failed):
 * `code` is the errno name (EMFILE, ENFILE, EAGAIN, ENOMEM, ...), from which the caller words
 * supervisord's spawnerr (states.md §4.1 steps 5-6).
 */
export class ForkError extends Error {
  /** `pipes`: the pipes could not be made (supervisord's make_dispatchers); `fork`: the fork failed. */
  constructor(
    readonly code: string,
    readonly stage: "pipes" | "fork" = "fork",
  ) {
    super(`could not start a child process (${stage}): ${code}`);
    this.name = new.target.name;
  }
}

/** The helper's command line for `req` (documented at the top of exec-helper.c). */
function helperArgs(req: SpawnRequest): string[] {
  const args: string[] = [];
  if (req.cwd !== null) args.push("--chdir", req.cwd);
  if (req.umask !== null) args.push("--umask", req.umask.toString(8));
  if (req.uid !== null) args.push("--uid", String(req.uid));
  if (req.redirectStderr) args.push("--redirect-stderr");
  if (req.nofile !== undefined) args.push("--nofile", String(req.nofile));
  args.push("--", req.path, ...req.argv);
  return args;
}

/**
 * fork and exec as supervisord does (states.md §4.2): the child leads its own process group in
 * the daemon's session, has only fds 0-2, runs as `uid`, in `cwd`, with `umask`. A failure
 * after the fork (bad cwd, uid, exec) is not an error here: the child writes supervisord's
 * message to its stderr (stdout when redirected) and exits with status 127.
 *
 * The child's stdio are real pipes, as under supervisord: Node's stdio "pipe" would give it
 * unix socketpairs, and a program that opens /dev/stdout or /dev/stderr by name (nginx's
 * `access_log /dev/stdout`) gets ENXIO on a socket.
 * @throws ForkError when no child was started; no fd made here is left open then.
 */
export function spawnChild(req: SpawnRequest): SpawnedChild {
  // Fds made here that no stream has taken over and that are not closed yet.
  const loose = new Set<number>();
  const streams: Socket[] = [];
  try {
    let stdinPipe: Pipe | null = null;
    let stdinChildEnd: number;
    if (req.stdinFd === undefined) {
      stdinPipe = openPipe(loose);
      stdinChildEnd = stdinPipe.read;
    } else {
      stdinChildEnd = req.stdinFd;
    }
    const stdoutPipe = openPipe(loose);
    const stderrPipe = req.redirectStderr ? null : openPipe(loose);
    // The capacity is only a hint for fast writers: a refusal (the user's pipe-user-pages-soft
    // reached, say) leaves the default in place.
    // Only as root: Linux counts pipe memory per user, and an unprivileged user past its
    // pipe-user-pages-soft gets one-page pipes for everything, its programs' own pipes included.
    if (process.getuid?.() === 0) {
      for (const pipe of [stdoutPipe, stderrPipe]) if (pipe !== null) setPipeSize(pipe.read, PIPE_CAPACITY);
    }

    // With redirect_stderr fd 2 is the stdout pipe from the start (the helper's dup2 of fd 1
    // onto it then changes nothing), so even a message written before that lands in the log.
    const childFds: ChildFds = [stdinChildEnd, stdoutPipe.write, (stderrPipe ?? stdoutPipe).write];
    const stdin = stdinPipe === null ? null : wrap(stdinPipe.write, "write", loose, streams);
    const stdout = wrap(stdoutPipe.read, "read", loose, streams);
    const stderr = stderrPipe === null ? null : wrap(stderrPipe.read, "read", loose, streams);

    const child = startHelper(req, childFds);
    // libuv has dup2'd the child's ends onto its fds 0-2 before exec. Copies of the write ends
    // left here would keep our reads from ever seeing EOF, and each spawn would leak fds.
    for (const fd of [stdinPipe?.read, stdoutPipe.write, stderrPipe?.write]) {
      if (fd === undefined) continue;
      loose.delete(fd);
      closeSync(fd);
    }
    return { pid: child.pid, stdin, stdout, stderr, process: child.process };
  } catch (err) {
    for (const stream of streams) stream.destroy();
    for (const fd of loose) closeSync(fd);
    throw err;
  }
}

interface Pipe {
  read: number;
  write: number;
}

/** The fds the child gets as 0, 1 and 2. */
type ChildFds = [number, number, number];

/** A close-on-exec pipe whose two fds join `loose`. @throws ForkError when none can be made. */
function openPipe(loose: Set<number>): Pipe {
  let ends: [number, number];
  try {
    ends = makePipe();
  } catch (err) {
    // supervisord's make_pipes failing (states.md §4.1 step 5): EMFILE, ENFILE, ...
    const code = errnoCode(err);
    if (code === undefined) throw err;
    throw new ForkError(code, "pipes");
  }
  const [read, write] = ends;
  loose.add(read);
  loose.add(write);
  return { read, write };
}

/**
 * The parent's end of a pipe as a stream, which from here on owns (and closes) the fd. A
 * net.Socket and not an fs stream: libuv polls a pipe with epoll instead of tying up a
 * threadpool thread in a blocking read, and makes the parent's end non-blocking (states.md
 * §4.1 step 5); the child's end is another open file description and stays blocking.
 */
function wrap(fd: number, direction: "read" | "write", loose: Set<number>, streams: Socket[]): Socket {
  const stream = new Socket({ fd, readable: direction === "read", writable: direction === "write" });
  loose.delete(fd);
  streams.push(stream);
  // An EPIPE writing to a child that has just exited is expected; the caller's own listeners
  // still see every error, this one only keeps an unobserved one from being thrown.
  stream.on("error", () => undefined);
  return stream;
}

/** Runs the helper with `stdio` as its fds 0-2. @throws ForkError when no child was started. */
function startHelper(req: SpawnRequest, stdio: ChildFds): { pid: number; process: ChildProcess } {
  let child: ChildProcess;
  try {
    child = spawn(EXEC_HELPER, helperArgs(req), { env: req.env, stdio, windowsHide: true });
  } catch (err) {
    // Node throws at once for the errors it does not count as run-time ones (ENOMEM, ...).
    const code = errnoCode(err);
    if (code === undefined) throw err;
    throw new ForkError(code);
  }
  // Node reports a failed spawn as an 'error' event on the next tick, after ForkError has told
  // the caller; later ones could only come from ChildProcess#kill or #send, which the daemon
  // does not use (it signals by pid). Without a listener any of them would crash the daemon.
  child.on("error", () => undefined);
  if (child.pid === undefined) {
    const code = spawnFailureCode();
    // Out of fds while libuv makes its own pipe: the same shortage as ours, worded the same.
    throw new ForkError(code, code === "EMFILE" || code === "ENFILE" ? "pipes" : "fork");
  }
  return { pid: child.pid, process: child };
}

function errnoCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !("code" in err) || typeof err.code !== "string") return undefined;
  return /^E[A-Z0-9]+$/.test(err.code) ? err.code : undefined;
}

/**
 * For EACCES, EAGAIN, EMFILE, ENFILE and ENOENT, Node leaves `pid` undefined and names the
 * error only in an 'error' event a tick later; the caller needs it now. Our pipes exist by
 * then, so EMFILE or ENFILE can only come from the pipe libuv makes to learn whether the exec
 * worked: making one the same way, with the same fds still open, shows it. EACCES and ENOENT
 * can only be about the helper itself (libuv reports a failed exec of the helper from the
 * fork's child). What is left is the fork's own EAGAIN.
 */
function spawnFailureCode(): string {
  let probe: [number, number];
  try {
    probe = makePipe();
  } catch (err) {
    const code = errnoCode(err);
    if (code === undefined) throw err;
    return code;
  }
  for (const fd of probe) closeSync(fd);
  try {
    accessSync(EXEC_HELPER, constants.X_OK);
  } catch (err) {
    return errnoCode(err) ?? "EACCES";
  }
  return "EAGAIN";
}
