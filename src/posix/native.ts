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
  spawn(path: string, argv: string[], env: string[], stdin: number, stdout: number, stderr: number): number;
  watchExit(pid: number, onExit: (code: number, signal: number, coreDumped: boolean) => void): NativeHandle;
  closeWatch(watch: NativeHandle): void;
  openReader(fd: number, maxChunk: number, onChunk: (chunk: Buffer | null, error?: string) => void): NativeHandle;
  pauseReader(reader: NativeHandle): void;
  resumeReader(reader: NativeHandle): void;
  closeReader(reader: NativeHandle): void;
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

/**
 * Start a program with posix_spawn: `stdio` become its fds 0, 1 and 2; every signal back to its
 * default, no signal blocked. Nothing reaps it but watchExit. Throws an Error with `code` set.
 */
export function spawnProcess(path: string, argv: readonly string[], env: readonly string[], stdio: readonly [number, number, number]): number {
  return native.spawn(path, [...argv], [...env], stdio[0], stdio[1], stdio[2]);
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

/**
 * The read end of a pipe, read by the event loop in chunks as large as what is waiting (up to
 * `maxChunk`): far fewer, larger reads than a Node stream's 64 KiB ones, and no stream objects.
 * Takes the fd over (closes it at the end).
 */
export class PipeReader {
  #handle: NativeHandle | undefined;
  #onData: ((chunk: Buffer) => void) | undefined;
  #onEnd: Array<(error?: string) => void> = [];
  #early: Buffer[] = [];
  #ended = false;
  #error: string | undefined;

  constructor(
    readonly fd: number,
    maxChunk: number,
  ) {
    this.#handle = native.openReader(fd, maxChunk, (chunk, error) => {
      if (chunk !== null) this.#data(chunk);
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
