import { closeSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import type { Writable } from "node:stream";
import { credentialsOf } from "../posix/users";
import { makePipe, PipeReader, setPipeSize, spawnProcess, watchExit, type ExitStatus } from "../posix/native";

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

/** The most one read of a child's pipe takes: what a full pipe holds. */
const READ_CHUNK = PIPE_CAPACITY;

/** The parent's end of a child's stdin: a stream is made for it only when something writes. */
export class StdinPipe {
  #fd: number | undefined;
  #stream: Socket | undefined;
  /** The fd under the stream (the stream owns it; made non-blocking by libuv). */
  #streamFd: number | undefined;
  #closed = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Write bytes now, as supervisord's flush does: false when the child has closed its end (EPIPE,
   * supervisord's NO_FILE). What the pipe cannot take at once is queued behind, in order.
   */
  write(bytes: Buffer): boolean {
    if (this.#closed) return false;
    const stream = this.writable() as Socket;
    let sent = 0;
    if (stream.writableLength === 0 && this.#streamFd !== undefined) {
      try {
        sent = writeSync(this.#streamFd, bytes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EPIPE") {
          this.#closed = true;
          return false;
        }
        if (code !== "EAGAIN") throw err;
      }
    }
    if (sent < bytes.length) stream.write(bytes.subarray(sent));
    return true;
  }

  /** The pipe as a writable stream (made on first use; EPIPE after the child is gone). */
  writable(): Writable {
    if (this.#stream === undefined) {
      if (this.#fd === undefined) throw new Error("stdin pipe already closed");
      this.#stream = new Socket({ fd: this.#fd, readable: false, writable: true });
      this.#streamFd = this.#fd;
      // An EPIPE writing to a child that has just exited is expected; callers see it through
      // their own listeners or write callbacks, this one keeps it from being thrown.
      this.#stream.on("error", () => undefined);
      this.#fd = undefined;
    }
    return this.#stream;
  }

  close(): void {
    this.#closed = true;
    this.#streamFd = undefined;
    this.#stream?.destroy();
    this.#stream = undefined;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** A started child: its pid (the program's own), its pipes, and its end. */
export interface SpawnedChild {
  pid: number;
  /** null when the request gave `stdinFd`. */
  stdin: StdinPipe | null;
  /** Ends once the program and every other holder of the write end are done with it. */
  stdout: PipeReader;
  /** null with `redirectStderr`. */
  stderr: PipeReader | null;
  /** Called once, when the child has exited and been reaped, with its raw outcome. */
  onExit(callback: (status: ExitStatus) => void): void;
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

/**
 * Start the program with supervisord's child-side steps (spawn-child.c).
 * @throws ForkError when no child was started.
 */
function startProgram(req: SpawnRequest, env: string[], stdio: [number, number, number]): number {
  // Looked up here, once per start, not in the child: the child may not call into NSS.
  const user = req.uid === null ? null : { uid: req.uid, ...credentialsOf(req.uid) };
  try {
    return spawnProcess(req.path, req.argv, env, stdio, { cwd: req.cwd, umask: req.umask, user, nofile: req.nofile });
  } catch (err) {
    const code = errnoCode(err);
    if (code === undefined) throw err;
    throw new ForkError(code, code === "EMFILE" || code === "ENFILE" ? "pipes" : "fork");
  }
}

function errnoCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !("code" in err) || typeof err.code !== "string") return undefined;
  return /^E[A-Z0-9]+$/.test(err.code) ? err.code : undefined;
}

/** A close-on-exec pipe. @throws ForkError when none can be made. */
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
 * fork and exec as supervisord does (states.md §4.2): the child leads its own process group in
 * the daemon's session, has only fds 0-2 (real pipes), runs as `uid`, in `cwd`, with `umask`.
 * A failure after the fork (bad cwd, uid, exec) is not an error here: the child writes
 * supervisord's message to its stderr (stdout when redirected) and exits with status 127.
 *
 * The child is a vfork-style clone that takes none of the daemon's fds along (spawn-child.c: as
 * cheap with thousands of programs running as with none), reaped through a pidfd, so its exit
 * is known with the raw wait status (`(core dumped)`, real-time signals); libuv never sees it.
 * @throws ForkError when no child was started.
 */
export function spawnChild(req: SpawnRequest): SpawnedChild {
  const loose = new Set<number>();
  const readers: PipeReader[] = [];
  try {
    const stdinPipe = req.stdinFd === undefined ? openPipe(loose) : null;
    const stdoutPipe = openPipe(loose);
    const stderrPipe = req.redirectStderr ? null : openPipe(loose);
    // Only as root: Linux counts pipe memory per user, and an unprivileged user past its
    // pipe-user-pages-soft gets one-page pipes for everything, its programs' own pipes included.
    if (process.getuid?.() === 0) {
      for (const pipe of [stdoutPipe, stderrPipe]) if (pipe !== null) setPipeSize(pipe.read, PIPE_CAPACITY);
    }
    const stdinChild = stdinPipe?.read ?? req.stdinFd ?? 0;
    // With redirect_stderr fd 2 is the stdout pipe from the start, so even a message written
    // before the exec (a bad directory) lands in the log.
    const stderrChild = (stderrPipe ?? stdoutPipe).write;
    const env = Object.entries(req.env).map(([key, value]) => `${key}=${value}`);
    const pid = startProgram(req, env, [stdinChild, stdoutPipe.write, stderrChild]);
    try {
      return finishSpawn(pid, stdinPipe, stdoutPipe, stderrPipe, loose, readers);
    } catch (err) {
      // Watching or reading failed (ENFILE, ENOMEM): a child we cannot follow must not live on.
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      const code = errnoCode(err);
      throw code === undefined ? err : new ForkError(code, "pipes");
    }
  } catch (err) {
    for (const reader of readers) reader.close();
    for (const fd of loose) closeSync(fd);
    throw err;
  }
}

type Pipe = { read: number; write: number };

/** The parent's side of a started child: its ends of the pipes, and the exit watch. */
function finishSpawn(
  pid: number,
  stdinPipe: Pipe | null,
  stdoutPipe: Pipe,
  stderrPipe: Pipe | null,
  loose: Set<number>,
  readers: PipeReader[],
): SpawnedChild {
  // The child has its copies; ours of its ends would keep our reads from ever seeing EOF.
  for (const fd of [stdinPipe?.read, stdoutPipe.write, stderrPipe?.write]) {
    if (fd === undefined) continue;
    loose.delete(fd);
    closeSync(fd);
  }
  const stdout = new PipeReader(stdoutPipe.read, READ_CHUNK);
  loose.delete(stdoutPipe.read);
  readers.push(stdout);
  let stderr: PipeReader | null = null;
  if (stderrPipe !== null) {
    stderr = new PipeReader(stderrPipe.read, READ_CHUNK);
    loose.delete(stderrPipe.read);
    readers.push(stderr);
  }
  let stdin: StdinPipe | null = null;
  if (stdinPipe !== null) {
    stdin = new StdinPipe(stdinPipe.write);
    loose.delete(stdinPipe.write);
  }
  let exited: ExitStatus | undefined;
  const waiting: Array<(status: ExitStatus) => void> = [];
  watchExit(pid, (status) => {
    exited = status;
    for (const callback of waiting.splice(0)) callback(status);
  });
  return {
    pid,
    stdin,
    stdout,
    stderr,
    onExit(callback) {
      if (exited !== undefined) callback(exited);
      else waiting.push(callback);
    },
  };
}
