import { join } from "node:path";

/** The POSIX calls of dist/native.node (src/posix/native.c). */
interface Native {
  pipe(): [number, number];
  setPipeSize(fd: number, bytes: number): number;
  getrlimit(resource: "nofile" | "nproc"): [number, number] | number;
  setrlimit(resource: "nofile" | "nproc", soft: number, hard: number): number;
  openlog(ident: string): void;
  syslog(priority: number, message: string): void;
  listenUnix(path: string, backlog: number): number;
  listenTcp(host: string, port: number, backlog: number): number;
  spawn(
    path: string,
    argv: string[],
    env: string[],
    stdin: number,
    stdout: number,
    stderr: number,
    cwd: string | null,
    umask: number,
    uid: number,
    gid: number,
    groups: number[] | null,
    nofile: number,
  ): number;
  watchExit(pid: number, onExit: (code: number, signal: number, coreDumped: boolean) => void): NativeHandle;
  closeWatch(watch: NativeHandle): void;
  openReader(fd: number, maxChunk: number, onChunk: (chunk: Buffer | null | undefined, error?: string) => void): NativeHandle;
  pauseReader(reader: NativeHandle): void;
  resumeReader(reader: NativeHandle): void;
  closeReader(reader: NativeHandle): void;
  notifyReader(reader: NativeHandle): void;
  transferReader(
    reader: NativeHandle,
    fileFd: number,
    stopAt: number,
    done: (error: string | null, moved: number, position: number, state: number) => void,
  ): void;
  appendBuffers(fd: number, buffers: Buffer[], done: (error: string | null, position: number) => void): void;
  rotateFiles(path: string, backups: number, done: (error: string | null) => void): void;
}

/** An opaque handle from native.node (a watch or a reader). */
declare const nativeHandle: unique symbol;
type NativeHandle = { readonly [nativeHandle]: true };

// dist/src/posix/native.js sits two levels below dist/native.node.
const native = require(join(__dirname, "../../native.node")) as Native; // eslint-disable-line @typescript-eslint/no-require-imports

/** A pipe, both ends close-on-exec: [read end, write end]. Throws an Error whose `code` is EMFILE, ENFILE, ... */
export function makePipe(): [number, number] {
  return native.pipe();
}

/** Ask for a pipe capacity (F_SETPIPE_SZ); the capacity granted, or a negative errno. */
export function setPipeSize(fd: number, bytes: number): number {
  return native.setPipeSize(fd, bytes);
}

export type RlimitValue = number | "unlimited";

/** This process's soft and hard limit. */
export function getRlimit(resource: "nofile" | "nproc"): { soft: RlimitValue; hard: RlimitValue } {
  const result = native.getrlimit(resource);
  if (typeof result === "number") throw new Error(`getrlimit(${resource}) failed: errno ${-result}`);
  const value = (n: number): RlimitValue => (n < 0 ? "unlimited" : n);
  return { soft: value(result[0]), hard: value(result[1]) };
}

/** Set this process's soft and hard limit; false when the kernel refuses. */
export function setRlimit(resource: "nofile" | "nproc", soft: RlimitValue, hard: RlimitValue): boolean {
  const value = (v: RlimitValue): number => (v === "unlimited" ? -1 : v);
  return native.setrlimit(resource, value(soft), value(hard)) === 0;
}

/** syslog(3) priorities supervisord uses: everything goes at LOG_INFO (logging.md §1.1). */
export const LOG_INFO = 6;

let syslogOpen = false;

/** One syslog(3) call with the default facility, as Python's syslog.syslog(msg) makes it. */
export function syslog(message: string, priority = LOG_INFO): void {
  if (!syslogOpen) {
    native.openlog("supervisord");
    syslogOpen = true;
  }
  native.syslog(priority, message);
}

/**
 * A listening unix socket that nothing in this process accepts on (an fcgi-program's: its
 * children accept). Throws an Error with `code` and `errno` set.
 */
export function listenUnix(path: string, backlog: number): number {
  return native.listenUnix(path, backlog);
}

/** A listening TCP socket (IPv4, SO_REUSEADDR) that nothing in this process accepts on. */
export function listenTcp(host: string, port: number, backlog: number): number {
  return native.listenTcp(host, port, backlog);
}

/** How the child is set up before its exec (see spawn-child.c); each is left as it is when absent. */
export interface ChildSetup {
  cwd?: string | null;
  umask?: number | null;
  /** The user: its uid, and gid and groups (primary first) when it has a passwd entry. */
  user?: { uid: number; gid: number; groups: number[] } | { uid: number; gid?: undefined; groups?: undefined } | null;
  /** The soft RLIMIT_NOFILE (at most the hard one). */
  nofile?: number | undefined;
}

/**
 * Start a program as supervisord's child is started: `stdio` become its fds 0, 1 and 2, no other
 * fd is open, it leads its own process group in the daemon's session, `setup` is applied, every
 * signal is at its default but SIGPIPE and SIGXFSZ (ignored), none blocked. A step that fails
 * after the start (a bad directory or user, an exec error) is reported by the child on its fd 2
 * with supervisord's text, and it exits with status 127. Nothing reaps it but watchExit.
 * Throws an Error with `code` set when no child was started (EAGAIN, ENOMEM, ...).
 */
export function spawnProcess(
  path: string,
  argv: readonly string[],
  env: readonly string[],
  stdio: readonly [number, number, number],
  setup: ChildSetup = {},
): number {
  const user = setup.user ?? null;
  return native.spawn(
    path,
    [...argv],
    [...env],
    stdio[0],
    stdio[1],
    stdio[2],
    setup.cwd ?? null,
    setup.umask ?? -1,
    user?.uid ?? -1,
    user?.gid ?? -1,
    user?.groups ?? null,
    setup.nofile ?? -1,
  );
}

/** How a child ended: an exit code, or the signal that killed it (and whether it dumped core). */
export interface ExitStatus {
  code: number | null;
  signal: number | null;
  coreDumped: boolean;
}

/**
 * Watches that have not fired yet. Nothing else need hold one, and a collected watch is closed
 * by its finalizer (pidfd and poll gone): the exit would never be reported nor the child reaped.
 */
const pendingWatches = new Set<NativeHandle>();

/** Be told once when `pid` (a child of ours) exits; it is reaped then. */
export function watchExit(pid: number, onExit: (status: ExitStatus) => void): void {
  const watch = native.watchExit(pid, (code, signal, coreDumped) => {
    pendingWatches.delete(watch);
    onExit({ code: code < 0 ? null : code, signal: signal > 0 ? signal : null, coreDumped });
  });
  pendingWatches.add(watch);
}

/** How a transfer from a pipe to a file ended (PipeReader.transferTo). */
export interface Transfer {
  /** Bytes read from the pipe (written to the file, unless the write failed or there was none). */
  moved: number;
  /** The file's size after the last write (-1 when unknown or nothing was written). */
  position: number;
  /**
   * `empty`: the pipe holds nothing more for now; `more`: it stopped early (a size limit of the
   * job, or a failed write) and more may wait; `full`: the file reached `stopAt`; `end`: the pipe
   * is at its end (the reader has ended).
   */
  state: "empty" | "more" | "full" | "end";
  /** A failed write (the data of that read is lost, as supervisord loses it). */
  error: NodeJS.ErrnoException | undefined;
}

const TRANSFER_STATES = ["empty", "more", "full", "end"] as const;

/**
 * The read end of a pipe, read by the event loop in chunks as large as what is waiting (up to
 * `maxChunk`): far fewer, larger reads than a Node stream's 64 KiB ones, and no stream objects.
 * Takes the fd over (closes it at the end).
 */
export class PipeReader {
  #handle: NativeHandle | undefined;
  #onData: ((chunk: Buffer) => void) | undefined;
  #onReadable: (() => void) | undefined;
  #onEnd: Array<(error?: string) => void> = [];
  #early: Buffer[] = [];
  #ended = false;
  #error: string | undefined;

  constructor(
    readonly fd: number,
    maxChunk: number,
  ) {
    this.#handle = native.openReader(fd, maxChunk, (chunk, error) => {
      if (chunk === undefined) this.#onReadable?.();
      else if (chunk !== null) this.#data(chunk);
      else this.#end(error);
    });
  }

  /** True once EOF (or an error, or close()) ended it. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Where chunks go; chunks that came before are delivered at once. */
  onData(callback: (chunk: Buffer) => void): void {
    this.#onData = callback;
    for (const chunk of this.#early.splice(0)) callback(chunk);
  }

  /** Called once at the end (at once if it already ended). */
  onEnd(callback: (error?: string) => void): void {
    if (this.#ended) callback(this.#error);
    else this.#onEnd.push(callback);
  }

  /**
   * From now on read nothing into JS: `callback` is called when the pipe has data, and the reader
   * stops watching until `resume()`. Move the data with `transferTo`.
   */
  onReadable(callback: () => void): void {
    this.#onReadable = callback;
    if (this.#handle !== undefined) native.notifyReader(this.#handle);
  }

  /**
   * Move what the pipe holds into `fd` on the threadpool, each read written with one write(2)
   * as supervisord does (`fd` -1: read and drop), stopping early once the file's size reaches
   * `stopAt` (0: no limit). One transfer at a time. At EOF the reader ends (onEnd) before this
   * settles; on a closed reader it settles at once as `end`. Only after `onReadable`: a reader
   * that reads chunks itself would race the transfer for the data.
   */
  transferTo(fd: number, stopAt: number): Promise<Transfer> {
    if (this.#onReadable === undefined) throw new Error("PipeReader.transferTo before onReadable");
    const handle = this.#handle;
    if (handle === undefined) return Promise.resolve({ moved: 0, position: -1, state: "end", error: undefined });
    return new Promise((resolve, reject) => {
      try {
        native.transferReader(handle, fd, stopAt, (error, moved, position, state) => {
          const failure = error === null ? undefined : Object.assign(new Error(`write: ${error}`), { code: error });
          resolve({ moved, position, state: TRANSFER_STATES[state] ?? "more", error: failure });
        });
      } catch (err) {
        reject(err);
      }
    });
  }

  pause(): void {
    if (this.#handle !== undefined) native.pauseReader(this.#handle);
  }

  resume(): void {
    if (this.#handle !== undefined) native.resumeReader(this.#handle);
  }

  /** Stop reading and close the pipe (what is still in it is dropped). */
  close(): void {
    if (this.#handle !== undefined) native.closeReader(this.#handle);
    this.#end(undefined);
  }

  #data(chunk: Buffer): void {
    if (this.#onData === undefined) this.#early.push(chunk);
    else this.#onData(chunk);
  }

  #end(error: string | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#handle = undefined;
    for (const callback of this.#onEnd.splice(0)) callback(error);
  }
}

/**
 * Write all of `buffers` to `fd` on the threadpool (partial writes continued) and answer the
 * file's size after them, as Python's tell() sees a file opened to append (even one truncated
 * by someone else). Rejects with an Error whose `code` is the errno name. The buffers must stay
 * unchanged until then.
 */
export function appendBuffers(fd: number, buffers: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) =>
    native.appendBuffers(fd, buffers, (error, position) =>
      error === null ? resolve(position) : reject(Object.assign(new Error(`write: ${error}`), { code: error })),
    ),
  );
}

/**
 * supervisord's rollover renames (logging.md §1.4) on the threadpool, in one job: NAME.i to
 * NAME.i+1 from the oldest down, then NAME to NAME.1; a vanished file is fine.
 */
export function rotateFiles(path: string, backups: number): Promise<void> {
  return new Promise((resolve, reject) =>
    native.rotateFiles(path, backups, (error) =>
      error === null ? resolve() : reject(Object.assign(new Error(`rotate ${path}: ${error}`), { code: error })),
    ),
  );
}
